// CI: worker-configuration.d.ts must be what `npm run types` generates from wrangler.toml and
// .dev.vars.example today. `wrangler types --check` only compares a hash of wrangler.toml, so a new
// secret or an edited file passes it; this regenerates beside the real file (the import path of the
// worker inside it is relative to where it is written) and compares all but the header line naming
// the command.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const TARGET = "worker-configuration.d.ts";
const TEMP = ".worker-configuration.check.d.ts";
const [tool, subcommand, ...flags] = JSON.parse(readFileSync("package.json", "utf8")).scripts.types.split(
  " ",
);
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const result = spawnSync("npx", [tool, subcommand, TEMP, ...flags], { encoding: "utf8", env });
const body = (file) => readFileSync(file, "utf8").split("\n").slice(2).join("\n");
if (result.status !== 0) {
  process.stderr.write(result.stdout + result.stderr);
  process.exitCode = 1;
} else if (body(TEMP) !== body(TARGET)) {
  console.error(`${TARGET} is out of date: run \`npm run types\` and commit it.`);
  process.exitCode = 1;
} else {
  console.log(`${TARGET} is current.`);
}
rmSync(TEMP, { force: true });
