// The `resources` field of an upload: files the client did not send because the resource cache holds
// them. Accepted as v2 fingerprints {fn, sha1, size, mode} or v3 resources {path, checksum: {value},
// size_in_bytes, mode}; an entry is v3 when it has both checksum and size_in_bytes, as in CC.
import { CfError, unprocessable } from "../../http/errors";
import { isObject } from "../../http/validation";
import { isSafePath } from "./zip-read";

export interface Fingerprint {
  path: string;
  sha1: string;
  /** The size the client says the cached file has (v3 size_in_bytes, v2 size); undefined when not a number. */
  size: number | undefined;
  mode: number;
}

const DEFAULT_FILE_MODE = 0o744;

/** The field's JSON value; 422 `Resources must be valid JSON.` when it does not parse. */
export function parseResourcesField(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw unprocessable("Resources must be valid JSON.");
  }
}

/** Octal digits up to the first other character, as Ruby's to_i(8) reads a mode ("banana" is 0). */
function parseMode(raw: unknown): number {
  if (raw === undefined || raw === null) return DEFAULT_FILE_MODE;
  const digits = /^\s*([0-7]*)/.exec(String(raw))?.[1] ?? "";
  const mode = digits ? Number.parseInt(digits, 8) : 0;
  if ((mode & 0o600) !== 0o600) {
    throw new CfError(
      "AppResourcesFileModeInvalid",
      `File mode '${String(raw)}' is invalid. Minimum file mode is '0600'`,
    );
  }
  return mode & 0o7777;
}

/** Validated fingerprints (paths inside the root, modes at least 0600), or CC's upload error. */
export function fingerprintsOf(resources: unknown): Fingerprint[] {
  if (resources === undefined) return [];
  if (!Array.isArray(resources) || !resources.every(isObject)) {
    throw new CfError("AppBitsUploadInvalid", "invalid :resources");
  }
  return resources.map((entry) => {
    const v3 = "checksum" in entry && "size_in_bytes" in entry;
    const path = v3 ? entry.path : entry.fn;
    const sha1 = v3 ? (isObject(entry.checksum) ? entry.checksum.value : undefined) : entry.sha1;
    if (typeof path !== "string" || !isSafePath(path)) {
      throw new CfError("AppResourcesFilePathInvalid", `File path '${String(path ?? "")}' is not safe.`);
    }
    const size = v3 ? entry.size_in_bytes : entry.size;
    return {
      path,
      sha1: typeof sha1 === "string" ? sha1.toLowerCase() : "",
      size: typeof size === "number" ? size : undefined,
      mode: parseMode(entry.mode),
    };
  });
}
