// @ts-check
// Measuring one scenario: a probe request first (an endpoint answering 404 CF-NotFound is not built
// yet), then the load in a child process (bench/load.mjs), optionally sampling workerd's memory.
import { spawn } from "node:child_process";
import { memoryOf, resetPeak } from "./server.mjs";

/** @typedef {import("./load.mjs").LoadSpec} LoadSpec */
/** @typedef {import("./load.mjs").LoadResult} LoadResult */
/** @typedef {import("./report.mjs").Figure} Figure */

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
  try {
    resetPeak(pid);
  } catch {
    // Without clear_refs the high-water mark is stale: sampling alone decides.
  }
  const before = memoryOf(pid);
  let highest = before.rss;
  const timer = setInterval(() => {
    highest = Math.max(highest, memoryOf(pid).rss);
  }, 10);
  try {
    const result = await work();
    const after = memoryOf(pid);
    const peak = after.peak >= before.rss ? after.peak : 0;
    return [result, Math.max(highest, after.rss, peak) - before.rss];
  } finally {
    clearInterval(timer);
  }
}

/**
 * @param {URL} origin
 * @param {Scenario} scenario
 * @returns {Promise<Figure>}
 */
export async function measure(origin, scenario) {
  const base = { id: scenario.id, label: scenario.label, floor: scenario.floor, transfer: scenario.transfer };
  if (scenario.probe) {
    const reply = await send(origin, scenario.probe);
    if (reply.status === 404 && reply.error?.title === "CF-NotFound")
      return { ...base, status: "not built yet" };
    if (reply.status >= 500) {
      return { ...base, status: "failed", note: `probe: ${reply.status} ${reply.error?.title ?? ""}`.trim() };
    }
  }
  const spec = { origin: origin.origin, ...scenario.load };
  const [result, memoryGrowthBytes] = scenario.sampleMemoryOf
    ? await withMemoryGrowth(scenario.sampleMemoryOf, () => runLoad(spec))
    : [await runLoad(spec), undefined];
  const expected = result.statuses[scenario.expect] ?? 0;
  const others = Object.entries(result.statuses).filter(([status]) => Number(status) !== scenario.expect);
  const figure = {
    ...base,
    requests: result.requests,
    statuses: result.statuses,
    seconds: result.seconds,
    rps: round(result.requests / result.seconds, 2),
    p50Ms: round(result.latenciesMs.p50),
    p99Ms: round(result.latenciesMs.p99),
    ...(scenario.transfer
      ? { mbPerSecond: round(Math.max(result.bytesSent, result.bytesReceived) / MIB / result.seconds, 2) }
      : {}),
    d1: result.d1.responses
      ? {
          roundTrips: round(result.d1.roundTrips / result.d1.responses, 2),
          rowsRead: round(result.d1.rowsRead / result.d1.responses, 1),
          rowsWritten: round(result.d1.rowsWritten / result.d1.responses, 1),
        }
      : null,
    ...(memoryGrowthBytes !== undefined ? { memoryGrowthBytes } : {}),
  };
  if (expected === 0 || others.length > 0) {
    const seen = Object.entries(result.statuses).map(([status, n]) => `${n}× ${status}`);
    return { ...figure, status: "failed", note: `expected ${scenario.expect}, got ${seen.join(", ")}` };
  }
  return { ...figure, status: "measured" };
}
