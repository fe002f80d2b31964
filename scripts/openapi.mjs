// Joins openapi/openapi.yaml and openapi/paths/*.yaml into one OpenAPI document. scripts/assets.mjs
// writes it to public/v3/openapi.json, the file the worker serves; the tests load the same document.
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";

const root = new URL("../openapi/", import.meta.url);

/** The whole document; throws when two files define the same path or component. */
export function loadOpenApi() {
  const document = parse(readFileSync(new URL("openapi.yaml", root), "utf8"));
  const parts = new URL("paths/", root);
  for (const name of readdirSync(parts)
    .filter((file) => file.endsWith(".yaml"))
    .sort()) {
    const part = parse(readFileSync(new URL(name, parts), "utf8")) ?? {};
    mergeInto(document.paths, part.paths ?? {}, `${name}: path`);
    for (const [kind, entries] of Object.entries(part.components ?? {})) {
      document.components[kind] ??= {};
      mergeInto(document.components[kind], entries, `${name}: components.${kind}`);
    }
  }
  return document;
}

function mergeInto(target, entries, where) {
  for (const [key, value] of Object.entries(entries)) {
    if (key in target) throw new Error(`${where} ${key} is defined twice`);
    target[key] = value;
  }
}
