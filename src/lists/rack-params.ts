// A list's query as Cloud Controller receives it: Rack nests bracketed keys (`a[]=1` an array,
// `a[b]=1` a hash, `a[][b]=1` …), and CC's messages then read each parameter as a string or a hash of
// strings. An array (or a hash below the first level) is read as Ruby prints it: `to_array!` splits
// `guids[]=a&guids[]=b` as the text `["a", "b"]`, and a page, order or selector given so fails its check.
import type { NestedParam } from "./pagination";

type RackValue = string | null | RackValue[] | RackHash;
type RackHash = Map<string, RackValue>;

/** Rack's param_depth_limit. */
const DEPTH_LIMIT = 32;

/** Rack's ParameterTypeError and ParamsTooDeepError, with Rack's words. */
class RackParamsError extends Error {}

const rubyClass = (value: NonNullable<RackValue>) =>
  typeof value === "string" ? "String" : Array.isArray(value) ? "Array" : "Hash";

function expectArray(params: RackHash, key: string): RackValue[] {
  const existing = params.get(key) ?? [];
  if (!Array.isArray(existing)) {
    throw new RackParamsError(`expected Array (got ${rubyClass(existing)}) for param \`${key}'`);
  }
  params.set(key, existing);
  return existing;
}

/** Rack's params_hash_has_key?: whether `key` (`x` or `[x][y]`) is already set in `hash`. */
function hasKey(hash: RackHash, key: string): boolean {
  if (key.includes("[]")) return false;
  let value: RackValue | undefined = hash;
  for (const part of key.split(/[[\]]+/)) {
    if (part === "") continue;
    if (!(value instanceof Map) || !value.has(part)) return false;
    value = value.get(part);
  }
  return true;
}

/** Rack's split of a (rest of a) name into its key and what nests under it. */
function keyOf(name: string, depth: number): [key: string, after: string] {
  if (depth === 0) {
    const start = name.indexOf("[", 1);
    return start > 0 ? [name.slice(0, start), name.slice(start)] : [name, ""];
  }
  if (name.startsWith("[]")) return ["[]", name.slice(2)];
  const close = name.startsWith("[") ? name.indexOf("]", 1) : -1;
  return close > 0 ? [name.slice(1, close), name.slice(close + 1)] : [name, ""];
}

/** Rack's `_normalize_params`: puts `value` under `name` in `params`; what it returns, Rack nests. */
function normalize(params: RackHash, name: string, value: string, depth: number): RackValue {
  if (depth >= DEPTH_LIMIT) throw new RackParamsError("exceeded available parameter key space");
  const [key, after] = keyOf(name, depth);
  if (key === "") return null;

  if (after === "") {
    if (key === "[]" && depth !== 0) return [value];
    params.set(key, value);
  } else if (after === "[") {
    params.set(name, value);
  } else if (after === "[]") {
    expectArray(params, key).push(value);
  } else if (after.startsWith("[]")) {
    // x[][y]: a hash inside the array, filled until it has a y; any other nesting is one more level.
    const inner = after.slice(3, -1);
    const childKey =
      after[2] === "[" && after.endsWith("]") && inner !== "" && !/[[\]]/.test(inner)
        ? inner
        : after.slice(2);
    const list = expectArray(params, key);
    const last = list.at(-1);
    if (last instanceof Map && !hasKey(last, childKey)) normalize(last, childKey, value, depth + 1);
    else list.push(normalize(new Map(), childKey, value, depth + 1));
  } else {
    const existing = params.get(key) ?? new Map<string, RackValue>();
    if (!(existing instanceof Map)) {
      throw new RackParamsError(`expected Hash (got ${rubyClass(existing)}) for param \`${key}'`);
    }
    params.set(key, normalize(existing, after, value, depth + 1));
  }
  return params;
}

// Ruby's String#inspect escapes (for a UTF-8 string): these by name, other controls as \uXXXX.
const ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
  "\f": "\\f",
  "\v": "\\v",
  "\b": "\\b",
  "\x07": "\\a",
  "\x1b": "\\e",
  "#": "\\#",
};

/** Ruby's `inspect` of a string: quoted, with `#` escaped before `{`, `$` and `@`. */
function inspectString(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: Ruby escapes exactly these characters.
  const escaped = text.replace(/["\\\x00-\x1f\x7f]|#(?=[{$@])/g, (char) => {
    return ESCAPES[char] ?? `\\u${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}

/** Ruby's `inspect` (Ruby 3.3, CC's: `{"k"=>"v"}`). */
function inspect(value: RackValue): string {
  if (value === null) return "nil";
  if (typeof value === "string") return inspectString(value);
  if (Array.isArray(value)) return `[${value.map(inspect).join(", ")}]`;
  return `{${[...value].map(([key, inner]) => `${inspectString(key)}=>${inspect(inner)}`).join(", ")}}`;
}

/** Ruby's `to_s` of a param value: a string as it is, anything else as inspected. */
const rubyText = (value: RackValue): string =>
  typeof value === "string" ? value : value === null ? "" : inspect(value);

/**
 * The query read as CC's messages see it, or Rack's error for keys whose forms conflict (`a=1&a[]=2`).
 * It comes as Hono groups it (each key's values in order, keys in the order first given), which is the
 * query's own order except where keys of one name interleave (`a[][x]=1&a[][y]=2&a[][x]=3`).
 */
export function rackParams(
  raw: Record<string, string | string[]>,
): { params: Record<string, string | NestedParam> } | { error: string } {
  const params: RackHash = new Map();
  try {
    for (const [name, values] of Object.entries(raw)) {
      for (const value of Array.isArray(values) ? values : [values]) normalize(params, name, value, 0);
    }
  } catch (err) {
    if (err instanceof RackParamsError) return { error: err.message };
    throw err;
  }
  return {
    params: Object.fromEntries(
      [...params].map(([key, value]) => [
        key,
        value instanceof Map
          ? Object.fromEntries([...value].map(([inner, v]) => [inner, rubyText(v)]))
          : rubyText(value),
      ]),
    ),
  };
}
