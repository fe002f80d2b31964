// @ts-check
// `npm run bench [-- --quick]`: builds the worker, serves it with plain Miniflare on 127.0.0.1 beside the
// reference workers, seeds D1, loads every endpoint of the issue from a separate autocannon process and
// prints each beside its floor. Writes bench/results.json. Reports figures; asserts nothing.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { SignJWT } from "jose";
import { buildAssets } from "../scripts/assets.mjs";
import { measure, measureInterleaved, send, stopLoads } from "./measure.mjs";
import { writeBombForm, writeUploadFiles } from "./package-zip.mjs";
import { checkTargets, table, targetTable } from "./report.mjs";
import { bombScenario, downloadScenarios, rateScenarios, uploadScenarios } from "./scenarios.mjs";
import { seedWorld } from "./seed.mjs";
import { applyMigrations, buildWorker, productionVars, startServer } from "./server.mjs";

const quick = process.argv.includes("--quick");
// Seconds per endpoint, split over `rounds` runs (autocannon counts whole seconds).
const PLAN = quick
  ? {
      seconds: 1,
      warmupSeconds: 0,
      rounds: 1,
      maxRequests: 5_000,
      connections: 10,
      transfers: 1,
      concurrentTransfers: 3,
      largeCount: 10_000,
    }
  : {
      seconds: 6,
      warmupSeconds: 1,
      rounds: 3,
      maxRequests: 45_000,
      connections: 10,
      transfers: 3,
      concurrentTransfers: 6,
      largeCount: 100_000,
    };
const SMALL_COUNT = 1_000;
const MIB = 1024 * 1024;
/**
 * The uploads measured, each beside a raw put of its zip: 50 MiB and the largest form the app accepts
 * (MAX_PACKAGE_SIZE, 90 MiB) one at a time, then three of the largest at once into the one isolate.
 */
const UPLOADS = [
  { id: "", size: "50 MiB", bytes: 50 * MIB, connections: 1, requests: PLAN.transfers },
  { id: "90", size: "90 MiB", bytes: 90 * MIB, connections: 1, requests: PLAN.transfers },
  {
    id: "3x90",
    size: "3 × 90 MiB at once",
    bytes: 90 * MIB,
    connections: 3,
    requests: PLAN.concurrentTransfers,
  },
];
const BINDINGS = {
  ENVIRONMENT: "development",
  UAA_SYMMETRIC_SECRET: "tokensecret",
  DOWNLOAD_SIGNING_KEY: "bench-download-signing-key",
};

const launched = Date.now();
const log = (/** @type {string} */ line) =>
  process.stderr.write(`bench [${((Date.now() - launched) / 1000).toFixed(1)} s] ${line}\n`);
const version = (/** @type {string} */ name) =>
  JSON.parse(readFileSync(`node_modules/${name}/package.json`, "utf8")).version;
const git = (/** @type {string[]} */ args) => execFileSync("git", args, { encoding: "utf8" }).trim();

/** A UAA-shaped HS256 token signed with the local development secret. */
function token(/** @type {string} */ user) {
  return new SignJWT({
    user_id: user,
    email: `${user}@example.com`,
    scope: ["cloud_controller.read", "cloud_controller.write"],
    aud: ["cloud_controller"],
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(BINDINGS.UAA_SYMMETRIC_SECRET));
}

/**
 * Waits until the uploaded package is READY, reading D1 directly (bounded).
 * @param {import("./server.mjs").D1} db
 * @param {string} guid
 */
async function waitReady(db, guid) {
  for (let i = 0; i < 300; i++) {
    const row = await db.prepare("SELECT state FROM packages WHERE guid = ?").bind(guid).first();
    if (row?.state === "READY") return true;
    if (row?.state === "FAILED") return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/**
 * The path and query of the signed URL the download redirect gives for `guid`, when it points back at
 * the server under test (the bench never sends a request anywhere else).
 * @param {URL} origin
 * @param {string} guid
 * @param {string} bearer
 */
async function signedDownloadPath(origin, guid, bearer) {
  const headers = { Authorization: `bearer ${bearer}` };
  const redirect = await send(origin, { method: "GET", path: `/v3/packages/${guid}/download`, headers });
  if (redirect.status !== 302) return undefined;
  const location = new URL(redirect.headers.get("Location") ?? "", origin);
  return location.origin === origin.origin ? location.pathname + location.search : undefined;
}

/**
 * Every scenario in order; a scenario that throws is recorded as failed and the run goes on.
 * @param {URL} origin
 * @param {import("./server.mjs").D1} db
 * @param {import("./scenarios.mjs").Inputs} inputs
 */
async function measureAll(origin, db, inputs) {
  /** @type {import("./report.mjs").Figure[]} */
  const figures = [];
  const run = async (/** @type {import("./measure.mjs").Scenario} */ scenario) => {
    log(`measuring ${scenario.label}`);
    const figure = await measure(origin, scenario).catch((/** @type {Error} */ err) => ({
      id: scenario.id,
      label: scenario.label,
      floor: scenario.floor,
      transfer: scenario.transfer,
      status: /** @type {const} */ ("failed"),
      note: err.message,
    }));
    figures.push(figure);
    return figure;
  };
  // The download reads the first upload's package: before later uploads to the same app expire its bits
  // (MAX_VALID_PACKAGES_STORED).
  const [firstLoad = [], ...larger] = uploadScenarios(inputs);
  let uploaded = false;
  for (const scenario of firstLoad) {
    const figure = await run(scenario);
    if (scenario.id === "upload") uploaded = figure.status === "measured";
  }
  const [first = ""] = inputs.uploads[0]?.guids ?? [];
  const ready = uploaded && (await waitReady(db, first));
  const signedPath = ready ? await signedDownloadPath(origin, first, inputs.tokens.writer) : undefined;
  if (inputs.bomb)
    await run({
      ...bombScenario(PLAN, inputs.bomb, inputs.tokens.writer),
      sampleMemoryOf: inputs.workerdPid,
      sampleIsolateOf: inputs.isolates.app,
    });
  for (const scenario of downloadScenarios(PLAN, signedPath)) {
    if (scenario.id !== "download-follow" || signedPath) await run(scenario);
    else {
      const note = ready ? "no signed URL from the download redirect" : "needs an uploaded READY package";
      figures.push({
        id: scenario.id,
        label: scenario.label,
        floor: scenario.floor,
        transfer: true,
        status: "skipped",
        note,
      });
    }
  }
  for (const scenario of larger.flat()) await run(scenario);
  log("measuring the request/s scenarios, each endpoint beside its floor");
  figures.push(...(await measureInterleaved(origin, rateScenarios(PLAN, inputs), PLAN.rounds, log)));
  return figures;
}

async function main() {
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    loadAverageBefore: loadavg(),
  };
  const workDir = mkdtempSync(join(tmpdir(), "cf-packages-bench-"));
  /** @type {import("miniflare").Miniflare | undefined} */
  let mf;
  // The load process and the temporary directory go first and synchronously: on a signal, Miniflare's
  // own exit hook may end the process before an asynchronous dispose returns.
  const stop = async () => {
    stopLoads();
    rmSync(workDir, { recursive: true, force: true });
    await mf?.dispose();
  };
  for (const signal of /** @type {const} */ (["SIGINT", "SIGTERM"])) {
    process.once(signal, () => stop().finally(() => process.exit(130)));
  }
  try {
    log(`building the worker (${quick ? "quick" : "full"} run) and the 50 and 90 MiB packages`);
    // wrangler builds no bundle while wrangler.toml's [assets] directory is missing, as on a fresh clone.
    buildAssets();
    const built = buildWorker();
    const maxFormBytes = Number(productionVars().MAX_PACKAGE_SIZE);
    /** @type {Map<number, ReturnType<typeof writeUploadFiles> & { zipFile: string, formFile: string }>} */
    const bodies = new Map();
    for (const bytes of new Set(UPLOADS.map((upload) => upload.bytes))) {
      const [zipFile, formFile] = [
        join(workDir, `package-${bytes}.zip`),
        join(workDir, `upload-${bytes}.form`),
      ];
      bodies.set(bytes, { ...writeUploadFiles(bytes, zipFile, formFile, maxFormBytes), zipFile, formFile });
    }
    const minified = await built;
    const server = await startServer(join(workDir, "state"), BINDINGS);
    mf = server.mf;
    const origin = server.url;
    log(`serving on ${origin.origin} (workerd pid ${server.workerdPid}); seeding D1`);
    const db = await applyMigrations(mf);
    const seedStarted = Date.now();
    const world = await seedWorld(db, {
      smallCount: SMALL_COUNT,
      largeCount: PLAN.largeCount,
      uploadTargets: UPLOADS.reduce((sum, upload) => sum + upload.requests, 0) + PLAN.transfers,
    });
    const bombGuids = world.uploadGuids.splice(-PLAN.transfers);
    // Just past the default MAX_UNZIPPED_PACKAGE_SIZE (1 GiB).
    const bombBytes = 1024 ** 3 + 64 * 1024 ** 2;
    const bomb = await writeBombForm(bombBytes, join(workDir, "bomb.form"));
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const tokens = {
      small: await token(world.users.small),
      large: await token(world.users.large),
      writer: await token(world.users.writer),
    };
    // The static floor answers with as many bytes as a package response (the show's, else the seed's).
    const shown = await fetch(new URL(`/v3/packages/${world.show.guid}`, origin), {
      headers: { Authorization: `bearer ${tokens.large}` },
    });
    const figures = await measureAll(origin, db, {
      tokens,
      apps: world.apps,
      show: world.show,
      uploads: UPLOADS.map((upload, i) => {
        const body = bodies.get(upload.bytes);
        if (!body) throw new Error(`no ${upload.size} body`);
        const first = UPLOADS.slice(0, i).reduce((sum, earlier) => sum + earlier.requests, 0);
        return {
          ...upload,
          zipFile: body.zipFile,
          form: { file: body.formFile, contentType: body.contentType },
          guids: world.uploadGuids.slice(first, first + upload.requests),
        };
      }),
      packageResponseBytes: shown.ok ? (await shown.arrayBuffer()).byteLength : 463,
      workerdPid: server.workerdPid,
      isolates: server.isolates,
      bomb: { ...bomb, file: join(workDir, "bomb.form"), guids: bombGuids, unzippedBytes: bombBytes },
    });

    const bundle = { ...minified, gzipKiB: minified.wranglerGzipKiB ?? minified.gzip9Bytes / 1024 };
    const targets = checkTargets(figures, bundle);
    const results = {
      date: new Date().toISOString(),
      mode: quick ? "quick" : "full",
      wallSeconds: (Date.now() - launched) / 1000,
      machine: { ...machine, loadAverageAfter: loadavg() },
      versions: {
        miniflare: version("miniflare"),
        workerd: version("workerd"),
        wrangler: version("wrangler"),
        autocannon: version("autocannon"),
      },
      git: {
        commit: git(["rev-parse", "--short", "HEAD"]),
        uncommittedChanges: git(["status", "--porcelain"]) !== "",
      },
      plan: {
        ...PLAN,
        smallCount: SMALL_COUNT,
        uploads: UPLOADS.map(({ bytes, ...upload }) => {
          const body = bodies.get(bytes);
          return { ...upload, zipBytes: body?.zipBytes, formBytes: body?.formBytes, files: body?.files };
        }),
      },
      seed: {
        packages: SMALL_COUNT + PLAN.largeCount + world.uploadGuids.length + bombGuids.length,
        seconds: seedSeconds,
      },
      bundle,
      figures,
      targets,
    };
    writeFileSync("bench/results.json", `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`\n${table(figures)}\n\n${targetTable(targets)}\n\n`);
    process.stdout.write(
      `worker bundle (--minify): ${bundle.wranglerKiB ?? "?"} KiB, gzip ${bundle.gzipKiB.toFixed(2)} KiB` +
        ` (gzip -9: ${(minified.gzip9Bytes / 1024).toFixed(2)} KiB)\n`,
    );
    const load = (/** @type {number[]} */ averages) => averages[0]?.toFixed(2);
    process.stdout.write(
      `${results.mode} run, ${results.wallSeconds.toFixed(0)} s; load average ${load(machine.loadAverageBefore)} → ` +
        `${load(results.machine.loadAverageAfter)}; written to bench/results.json\n`,
    );
  } finally {
    await stop();
  }
}

await main();
