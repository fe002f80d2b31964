// @ts-check
// Measuring one scenario: a probe request first (an endpoint answering 404 CF-NotFound is not built
// yet), then the load in a child process (bench/load.mjs), optionally sampling workerd's memory and
// a worker's isolate.
import { spawn } from "node:child_process";
import { withIsolateGrowth } from "./isolate.mjs";
import { memoryOf, resetPeak } from "./server.mjs";

/** @typedef {import("./load.mjs").LoadSpec} LoadSpec */
/** @typedef {import("./load.mjs").LoadResult} LoadResult */
/** @typedef {import("./report.mjs").Figure} Figure */
/** @typedef {import("./isolate.mjs").IsolateGrowth} IsolateGrowth */

/**
 * @typedef {{
 *   id: string,
 *   label: string,
 *   floor?: string,
 *   transfer?: boolean,
 *   expect: number,
 *   load: Omit<LoadSpec, "origin">,
 *   probe?: { method: string, path: string, headers: Record<string, string>, body?: string },
 *   sampleMemoryOf?: number,
 *   sampleIsolateOf?: string,
 * }} Scenario
 */

const MIB = 1024 * 1024;
const round = (/** @type {number} */ n, digits = 3) => Number(n.toFixed(digits));
/**
 * @typedef {{
 *   child: import("node:child_process").ChildProcessByStdio<import("node:stream").Writable, import("node:stream").Readable, null>,
 *   waiting: { resolve: (result: LoadResult) => void, reject: (error: Error) => void }[],
 * }} Loader
 */
/** @type {Loader | undefined} */
let loader;

/** The load process (bench/load.mjs), started on first use and fed one run at a time. */
function loadProcess() {
  if (loader) return loader;
  const child = spawn(process.execPath, ["bench/load.mjs"], { stdio: ["pipe", "pipe", "inherit"] });
  /** @type {Loader} */
  const started = { child, waiting: [] };
  let buffer = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n"); end !== -1; end = buffer.indexOf("\n")) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + 1);
      started.waiting.shift()?.resolve(JSON.parse(line));
    }
  });
  child.on("exit", (code, signal) => {
    loader = undefined;
    const error = new Error(`load process ended with ${signal ?? `code ${code}`}`);
    for (const waiting of started.waiting.splice(0)) waiting.reject(error);
  });
  loader = started;
  return started;
}

/** Ends the load process. */
export function stopLoads() {
  loader?.child.kill("SIGKILL");
}

/**
 * One load run; the load process is killed when a run overruns its own bounds by a minute.
 * @param {LoadSpec} spec
 * @returns {Promise<LoadResult>}
 */
function runLoad(spec) {
  const { child, waiting } = loadProcess();
  const timer = setTimeout(() => child.kill("SIGKILL"), (spec.seconds + spec.warmupSeconds + 60) * 1000);
  return new Promise((resolve, reject) => {
    waiting.push({
      resolve: (result) => {
        clearTimeout(timer);
        resolve(result);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    });
    child.stdin.write(`${JSON.stringify(spec)}\n`);
  });
}

/**
 * One request as the harness sees it (no redirects followed).
 * @param {URL} origin
 * @param {{ method: string, path: string, headers: Record<string, string>, body?: string }} request
 */
export async function send(origin, request) {
  const response = await fetch(new URL(request.path, origin), {
    method: request.method,
    headers: request.headers,
    redirect: "manual",
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = await response.text();
  /** @type {{ errors?: { title?: string, detail?: string }[] } | undefined} */
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, error: json?.errors?.[0] };
}

/**
 * Largest RSS growth of `pid` while `work` runs: sampled from /proc every 10 ms, and the kernel's
 * peak-RSS mark (reset first) so a spike between samples still counts.
 * @template T
 * @param {number} pid
 * @param {() => Promise<T>} work
 * @returns {Promise<[T, number]>}
 */
async function withMemoryGrowth(pid, work) {
  let peakWasReset = true;
  try {
    resetPeak(pid);
  } catch {
    // The high-water mark is then the process's lifetime peak: sampling alone decides.
    peakWasReset = false;
  }
  const before = memoryOf(pid);
  let highest = before.rss;
  const timer = setInterval(() => {
    highest = Math.max(highest, memoryOf(pid).rss);
  }, 10);
  try {
    const result = await work();
    const after = memoryOf(pid);
    return [result, Math.max(highest, after.rss, peakWasReset ? after.peak : 0) - before.rss];
  } finally {
    clearInterval(timer);
  }
}

/** @param {number[]} sorted @param {number} q */
const percentile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;

/**
 * The scenario's figure from the runs of its rounds, summed (rates are total requests over total time).
 * @param {Scenario} scenario
 * @param {LoadResult[]} runs
 * @param {{ memoryGrowthBytes?: number, isolateGrowth?: IsolateGrowth }} memory
 * @returns {Figure}
 */
function figureOf(scenario, runs, memory) {
  const sum = (/** @type {(run: LoadResult) => number} */ of) =>
    runs.reduce((total, run) => total + of(run), 0);
  /** @type {Record<string, number>} */
  const statuses = {};
  for (const run of runs) {
    for (const [status, n] of Object.entries(run.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  }
  const latencies = runs.flatMap((run) => run.latenciesMs).sort((a, b) => a - b);
  const seconds = sum((run) => run.seconds);
  const responses = sum((run) => run.d1.responses);
  const figure = {
    id: scenario.id,
    label: scenario.label,
    floor: scenario.floor,
    transfer: scenario.transfer,
    requests: latencies.length,
    statuses,
    seconds: round(seconds, 2),
    rps: round(latencies.length / seconds, 2),
    p50Ms: round(percentile(latencies, 0.5)),
    p99Ms: round(percentile(latencies, 0.99)),
    ...(scenario.transfer
      ? {
          mbPerSecond: round(
            Math.max(
              sum((r) => r.bytesSent),
              sum((r) => r.bytesReceived),
            ) /
              MIB /
              seconds,
            2,
          ),
        }
      : {}),
    d1: responses
      ? {
          roundTrips: round(sum((run) => run.d1.roundTrips) / responses, 2),
          rowsRead: round(sum((run) => run.d1.rowsRead) / responses, 1),
          rowsWritten: round(sum((run) => run.d1.rowsWritten) / responses, 1),
        }
      : null,
    ...memory,
  };
  const unexpected = Object.keys(statuses).filter((status) => Number(status) !== scenario.expect);
  if (!statuses[scenario.expect] || unexpected.length > 0) {
    const seen = Object.entries(statuses).map(([status, n]) => `${n}× ${status}`);
    return { ...figure, status: "failed", note: `expected ${scenario.expect}, got ${seen.join(", ")}` };
  }
  return { ...figure, status: "measured" };
}

/**
 * Why the scenario cannot be measured (not built yet, or broken), judged by its probe request.
 * @param {URL} origin
 * @param {Scenario} scenario
 * @returns {Promise<Figure | undefined>}
 */
async function unmeasurable(origin, scenario) {
  if (!scenario.probe) return undefined;
  const base = { id: scenario.id, label: scenario.label, floor: scenario.floor, transfer: scenario.transfer };
  const reply = await send(origin, scenario.probe);
  if (reply.status === 404 && reply.error?.title === "CF-NotFound")
    return { ...base, status: "not built yet" };
  if (reply.status >= 500) {
    return { ...base, status: "failed", note: `probe: ${reply.status} ${reply.error?.title ?? ""}`.trim() };
  }
  return undefined;
}

/**
 * One scenario in one run (transfers), workerd's memory and an isolate's sampled when the scenario asks.
 * @param {URL} origin
 * @param {Scenario} scenario
 * @returns {Promise<Figure>}
 */
export async function measure(origin, scenario) {
  const refused = await unmeasurable(origin, scenario);
  if (refused) return refused;
  const spec = { origin: origin.origin, ...scenario.load };
  /** @type {{ memoryGrowthBytes?: number, isolateGrowth?: IsolateGrowth }} */
  const memory = {};
  const { sampleMemoryOf: pid, sampleIsolateOf: isolate } = scenario;
  const rss = pid
    ? async () => {
        const [result, growth] = await withMemoryGrowth(pid, () => runLoad(spec));
        memory.memoryGrowthBytes = growth;
        return result;
      }
    : () => runLoad(spec);
  const load = isolate
    ? async () => {
        const [result, growth] = await withIsolateGrowth(isolate, rss);
        memory.isolateGrowth = growth;
        return result;
      }
    : rss;
  return figureOf(scenario, [await load()], memory);
}

/**
 * Scenarios taken in turn for `rounds` rounds, each run a `rounds`-th of the scenario's time (warmup in
 * the first round only), so an endpoint and its floor see the same moments of a machine whose load
 * changes; a scenario whose run throws is recorded as failed.
 * @param {URL} origin
 * @param {Scenario[]} scenarios
 * @param {number} rounds
 * @param {(line: string) => void} log
 * @returns {Promise<Figure[]>}
 */
export async function measureInterleaved(origin, scenarios, rounds, log) {
  /** @type {Map<string, LoadResult[]>} */
  const runs = new Map();
  /** @type {Map<string, Figure>} */
  const settled = new Map();
  for (const scenario of scenarios) {
    const refused = await unmeasurable(origin, scenario);
    if (refused) settled.set(scenario.id, refused);
    else runs.set(scenario.id, []);
  }
  for (let round = 0; round < rounds; round++) {
    log(`round ${round + 1} of ${rounds}`);
    for (const scenario of scenarios) {
      const done = runs.get(scenario.id);
      if (!done || settled.has(scenario.id)) continue;
      const { seconds, warmupSeconds, maxRequests } = scenario.load;
      const spec = {
        origin: origin.origin,
        ...scenario.load,
        seconds: Math.max(1, Math.round(seconds / rounds)),
        warmupSeconds: round === 0 ? warmupSeconds : 0,
        maxRequests: Math.ceil(maxRequests / rounds),
      };
      try {
        done.push(await runLoad(spec));
      } catch (err) {
        const note = err instanceof Error ? err.message : String(err);
        settled.set(scenario.id, {
          id: scenario.id,
          label: scenario.label,
          floor: scenario.floor,
          status: "failed",
          note,
        });
      }
    }
  }
  return scenarios.map(
    (scenario) => settled.get(scenario.id) ?? figureOf(scenario, runs.get(scenario.id) ?? [], {}),
  );
}
