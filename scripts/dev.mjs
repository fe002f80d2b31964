// npm start: local development in one command, offline. Writes .dev.vars from the committed example,
// applies migrations to the local D1, loads the demo data, then serves the API on 127.0.0.1:8787.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const run = (args) => {
  const result = spawnSync("npx", ["wrangler", ...args], { stdio: "inherit", env });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (!existsSync(".dev.vars")) copyFileSync(".dev.vars.example", ".dev.vars");
run(["d1", "migrations", "apply", "DB", "--local"]);
run(["d1", "execute", "DB", "--local", "--file", "demo/demo-data.sql"]);
const server = spawn(
  "npx",
  ["wrangler", "dev", "--ip", "127.0.0.1", "--port", "8787", ...process.argv.slice(2)],
  {
    stdio: "inherit",
    env,
  },
);
server.on("exit", (code) => process.exit(code ?? 0));
