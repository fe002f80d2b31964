// @ts-check
// The system under test: the worker bundle wrangler builds, served by plain Miniflare (one workerd
// process, no wrangler dev) on 127.0.0.1 beside the reference workers, D1 and R2 persisted to a
// temporary directory shared by all of them.
import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const run = promisify(execFile);
const WRANGLER = "node_modules/.bin/wrangler";
const TOOL_ENV = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const DB_ID = "cf-packages-bench";
const BUCKET = "cf-packages-bits-bench";

/** @typedef {Awaited<ReturnType<Miniflare["getD1Database"]>>} D1 */

/** The reference workers: each answers under /__floor/<name>. */
const FLOORS = ["static", "d1-read", "d1-insert", "r2"];

/** Vars from wrangler.toml's [vars] table (flat `KEY = "value"` lines), as production has them. */
export function productionVars() {
  const toml = readFileSync("wrangler.toml", "utf8");
  const table = /^\[vars\]\n([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(toml)?.[1] ?? "";
  /** @type {Record<string, string>} */
  const vars = {};
  for (const [, key, value] of table.matchAll(/^(\w+)\s*=\s*"([^"]*)"/gm)) vars[key ?? ""] = value ?? "";
  return vars;
}

/** The compatibility date and flags wrangler.toml gives the worker. */
const compatibility = () => {
  const toml = readFileSync("wrangler.toml", "utf8");
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(toml)?.[1] ?? "";
  return {
    compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "2026-11-02",
    compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? ""),
  };
};

/**
 * `npm run build`: the production environment's bundle, as a deploy uploads it, which the bench serves;
 * returns its size as Cloudflare counts it (wrangler's "Total Upload … / gzip: …" line) and gzip -9 of
 * the files wrangler wrote, as a cross-check.
 */
export async function buildWorker() {
  const outdir = "dist";
  // A file left by an earlier build would count in the size.
  rmSync(outdir, { recursive: true, force: true });
  const { stdout: output } = await run(
    WRANGLER,
    ["deploy", "--dry-run", "--env", "production", "--outdir", outdir],
    { env: TOOL_ENV },
  );
  const line = /Total Upload:\s*([\d.]+) KiB \/ gzip:\s*([\d.]+) KiB/.exec(output);
  const files = readdirSync(outdir).filter((name) => !name.endsWith(".map") && !name.endsWith(".md"));
  const bytes = files.map((name) => readFileSync(join(outdir, name)));
  return {
    wranglerKiB: line ? Number(line[1]) : null,
    wranglerGzipKiB: line ? Number(line[2]) : null,
    rawBytes: bytes.reduce((sum, b) => sum + b.byteLength, 0),
    gzip9Bytes: bytes.reduce((sum, b) => sum + gzipSync(b, { level: 9 }).byteLength, 0),
  };
}

/**
 * Starts one Miniflare instance with the app and the reference workers.
 * @param {string} stateDir where D1 and R2 persist
 * @param {Record<string, string>} bindings vars and secrets for the app
 */
export async function startServer(stateDir, bindings) {
  const storage = { d1Databases: { DB: DB_ID }, r2Buckets: { BITS: BUCKET }, ...compatibility() };
  // Miniflare 5's options take a new shape; its converter takes this one (per-worker `bindings`, `*Persist`).
  /** @type {import("miniflare").V4MiniflareOptions} */
  const options = {
    host: "127.0.0.1",
    port: 0,
    // workerd's DevTools endpoint, on a free loopback port: the bench reads each isolate's heap there.
    inspectorPort: 0,
    d1Persist: join(stateDir, "d1"),
    r2Persist: join(stateDir, "r2"),
    workers: [
      {
        name: "app",
        modules: true,
        scriptPath: "dist/index.production.js",
        bindings: { ...productionVars(), ...bindings },
        ...storage,
      },
      ...FLOORS.map((floor) => ({
        name: `floor-${floor}`,
        // Listed: Miniflare 5 no longer follows a script's imports (the D1 floors share d1.mjs).
        modules: [`bench/floors/${floor}.mjs`, "bench/floors/d1.mjs"].map((path) => ({
          type: /** @type {const} */ ("ESModule"),
          path,
        })),
        routes: [`*/__floor/${floor}*`],
        ...storage,
      })),
    ],
  };
  const mf = new Miniflare(convertV4MiniflareOptions(options));
  const url = await mf.ready;
  if (url.hostname !== "127.0.0.1") throw new Error(`Miniflare listens on ${url.host}, not 127.0.0.1`);
  return { mf, url, workerdPid: workerdPid(), isolates: await debuggerUrls(mf) };
}

/**
 * The DevTools target of the app's isolate and of the raw R2 floor's (workerd names a worker's
 * target `core:user:<name>`).
 * @param {import("miniflare").Miniflare} mf
 */
async function debuggerUrls(mf) {
  const inspector = await mf.getInspectorURL();
  const listed = await fetch(new URL("/json", `http://${inspector.host}`));
  const targets = /** @type {{ id: string, webSocketDebuggerUrl: string }[]} */ (await listed.json());
  const target = (/** @type {string} */ worker) => {
    const found = targets.find((t) => t.id === `core:user:${worker}`);
    if (!found) throw new Error(`no DevTools target for worker ${worker} at ${inspector.host}`);
    return found.webSocketDebuggerUrl;
  };
  return { app: target("app"), r2: target("floor-r2") };
}

/** The workerd process Miniflare spawned: a child of this process. */
function workerdPid() {
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const [, comm, rest] = /^\d+ \((.*)\) (.*)/.exec(stat) ?? [];
      if (comm === "workerd" && Number(rest?.split(" ")[1]) === process.pid) return Number(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  throw new Error("no workerd child process found");
}

/**
 * Applies migrations/*.sql in order, split on drizzle's statement breakpoints, one batch per file.
 * @param {import("miniflare").Miniflare} mf
 */
export async function applyMigrations(mf) {
  const db = await mf.getD1Database("DB", "app");
  for (const file of readdirSync("migrations")
    .filter((name) => name.endsWith(".sql"))
    .sort()) {
    const statements = readFileSync(join("migrations", file), "utf8")
      .split("--> statement-breakpoint")
      .map((statement) => statement.trim())
      .filter(Boolean);
    await db.batch(statements.map((statement) => db.prepare(statement)));
  }
  return db;
}

/**
 * Resident memory of a process, in bytes, and its high-water mark since the last `resetPeak`.
 * @param {number} pid
 */
export function memoryOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kib = (/** @type {string} */ field) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1]);
  return { rss: kib("VmRSS") * 1024, peak: kib("VmHWM") * 1024 };
}

/**
 * Resets the kernel's peak-RSS mark (VmHWM) of a process to its current RSS.
 * @param {number} pid
 */
export function resetPeak(pid) {
  writeFileSync(`/proc/${pid}/clear_refs`, "5");
}
