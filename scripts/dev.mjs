// npm start: local development in one command, offline. Writes .dev.vars from the committed example,
// builds the static assets (the OpenAPI document and /docs), applies migrations to the local D1, loads
// the demo data, then serves the API on 127.0.0.1:8787.
// `npm start -- <wrangler dev flags>` passes them on; a flag given there wins over the default
// (`--port 8899`, `--ip 0.0.0.0`), and `--persist-to <dir>` is where the migrations and demo data go too.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { buildAssets } from "./assets.mjs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const run = (args) => {
  const result = spawnSync("npx", ["wrangler", ...args], { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const flags = process.argv.slice(2);
/** The value the user gave `--name` (as `--name value` or `--name=value`), if any. */
const flag = (name) => {
  const at = flags.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (at < 0) return undefined;
  return flags[at] === name ? flags[at + 1] : flags[at].slice(name.length + 1);
};
const defaults = [
  ["--ip", "127.0.0.1"],
  ["--port", "8787"],
].flatMap(([name, value]) => (flag(name) === undefined ? [name, value] : []));
const persistTo = flag("--persist-to");
const local = ["--local", ...(persistTo === undefined ? [] : ["--persist-to", persistTo])];

if (!existsSync(".dev.vars")) copyFileSync(".dev.vars.example", ".dev.vars");
buildAssets();
run(["d1", "migrations", "apply", "DB", ...local]);
run(["d1", "execute", "DB", ...local, "--file", "demo/demo-data.sql"]);
const server = spawn("npx", ["wrangler", "dev", ...defaults, ...flags], { stdio: "inherit", env });
server.on("exit", (code) => process.exit(code ?? 0));
