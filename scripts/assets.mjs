// Builds public/, the Workers static assets (wrangler.toml [assets]): the OpenAPI document joined from
// openapi/ at /v3/openapi.json, and the reference page rendered from it at /docs (openapi/docs.html with
// Swagger UI's prebuilt files from node_modules, so it loads with no internet). Everything that serves or
// deploys the worker builds it first (npm start, npm test, npm run build, check:deploy); `npm run openapi`
// is this script alone. public/ is made anew each time, so nothing stale is served or deployed.
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadOpenApi } from "./openapi.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
export const PUBLIC = join(root, "public");
const SWAGGER_UI = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));
/** What the page loads of Swagger UI (its license travels with it). */
const RENDERER_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

export function buildAssets() {
  // Its own document first: a broken openapi/ fails here, before public/ is touched.
  const document = JSON.stringify(loadOpenApi());
  rmSync(PUBLIC, { recursive: true, force: true });
  mkdirSync(join(PUBLIC, "v3"), { recursive: true });
  writeFileSync(join(PUBLIC, "v3", "openapi.json"), document);
  copyFileSync(join(root, "openapi", "docs.html"), join(PUBLIC, "docs.html"));
  mkdirSync(join(PUBLIC, "docs", "swagger-ui"), { recursive: true });
  for (const file of RENDERER_FILES)
    copyFileSync(join(SWAGGER_UI, file), join(PUBLIC, "docs", "swagger-ui", file));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildAssets();
