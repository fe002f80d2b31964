// npm run check:deploy: builds what `wrangler deploy --env <name>` would upload, for each environment,
// offline (`--dry-run`), and fails when a bundle's gzipped size passes the budget. The size is wrangler's
// own "Total Upload: … / gzip: …" figure, the one Cloudflare's limits count. The static assets (public/,
// built first, as a deploy needs them) are uploaded apart and are not in that figure.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildAssets } from "./assets.mjs";

const ENVIRONMENTS = ["staging", "production"];
// Issue 11's goal: 80 KiB gzipped. Each environment builds src/index.production.ts (no development UAA),
// minified without keep_names, source maps apart: 74.8 KiB gzipped on 2026-12-01.
const BUDGET_GZIP_KIB = 80;

buildAssets();
const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
let failed = false;
for (const name of ENVIRONMENTS) {
  const outdir = mkdtempSync(join(tmpdir(), `check-deploy-${name}-`));
  const result = spawnSync("npx", ["wrangler", "deploy", "--dry-run", "--env", name, "--outdir", outdir], {
    encoding: "utf8",
    env,
  });
  rmSync(outdir, { recursive: true, force: true });
  const output = `${result.stdout}${result.stderr}`;
  const size = /Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/.exec(output);
  if (result.status !== 0 || !size) {
    console.error(`${name}: the dry-run build failed\n${output}`);
    failed = true;
    continue;
  }
  const gzipKiB = Number(size[2]);
  const verdict = gzipKiB <= BUDGET_GZIP_KIB ? "ok" : "OVER BUDGET";
  console.log(`${name}: ${size[1]} KiB, ${gzipKiB} KiB gzipped (budget ${BUDGET_GZIP_KIB} KiB): ${verdict}`);
  if (gzipKiB > BUDGET_GZIP_KIB) failed = true;
}
process.exit(failed ? 1 : 0);
