// @ts-check
// The load generator, in its own process so it never shares an event loop with the harness: autocannon
// against 127.0.0.1 only, each run bounded by time and by request count. Reads one LoadSpec per line
// of JSON on stdin, writes one LoadResult per line on stdout.
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import autocannon from "autocannon";

/**
 * @typedef {{
 *   origin: string,
 *   method: string,
 *   paths: string[],
 *   headers: Record<string, string>,
 *   body?: string,
 *   bodyFile?: string,
 *   connections: number,
 *   seconds: number,
 *   maxRequests: number,
 *   warmupSeconds: number,
 *   timeoutSeconds: number,
 * }} LoadSpec
 */

/**
 * @typedef {{
 *   requests: number,
 *   seconds: number,
 *   statuses: Record<string, number>,
 *   latenciesMs: number[],
 *   bytesReceived: number,
 *   bytesSent: number,
 *   d1: { responses: number, roundTrips: number, rowsRead: number, rowsWritten: number },
 * }} LoadResult
 */

const D1_TIMING = /d1;desc="rt=(\d+) rr=(\d+) rw=(\d+)"/;

/** @param {LoadSpec} spec @returns {Promise<LoadResult>} */
async function load(spec) {
  const origin = new URL(spec.origin);
  if (origin.hostname !== "127.0.0.1") throw new Error(`refusing to load ${origin.host}: loopback only`);
  const body = spec.bodyFile ? readFileSync(spec.bodyFile) : spec.body;
  const d1 = { responses: 0, roundTrips: 0, rowsRead: 0, rowsWritten: 0 };
  let next = 0;
  const request = {
    method: spec.method,
    path: spec.paths[0] ?? "/",
    headers: spec.headers,
    ...(body !== undefined ? { body } : {}),
    // Each request takes the next path when there are several (an upload needs a fresh package).
    ...(spec.paths.length > 1
      ? {
          setupRequest: (/** @type {{ path: string }} */ req) => ({
            ...req,
            path: spec.paths[next++ % spec.paths.length] ?? "/",
          }),
        }
      : {}),
    // D1 figures are averaged over every response, warmup included: the same requests either way.
    onResponse: (
      /** @type {number} */ _status,
      /** @type {string} */ _body,
      /** @type {unknown} */ _context,
      /** @type {Record<string, string>} */ headers,
    ) => {
      const timing = D1_TIMING.exec(headers["server-timing"] ?? headers["Server-Timing"] ?? "");
      if (!timing) return;
      d1.responses++;
      d1.roundTrips += Number(timing[1]);
      d1.rowsRead += Number(timing[2]);
      d1.rowsWritten += Number(timing[3]);
    },
  };
  const instance = autocannon({
    url: origin.origin,
    connections: spec.connections,
    duration: spec.seconds,
    maxOverallRequests: spec.maxRequests,
    timeout: spec.timeoutSeconds,
    requests: [request],
    ...(spec.warmupSeconds > 0
      ? { warmup: { connections: spec.connections, duration: spec.warmupSeconds } }
      : {}),
  });
  /** @type {number[]} */
  const latencies = [];
  /** @type {Record<string, number>} */
  const statuses = {};
  let bytesReceived = 0;
  instance.on(
    "response",
    (
      /** @type {unknown} */ _client,
      /** @type {number} */ status,
      /** @type {number} */ bytes,
      /** @type {number} */ ms,
    ) => {
      latencies.push(Math.round(ms * 1000) / 1000);
      statuses[status] = (statuses[status] ?? 0) + 1;
      bytesReceived += bytes;
    },
  );
  const { duration: seconds } = await instance;
  return {
    requests: latencies.length,
    seconds,
    statuses,
    latenciesMs: latencies,
    bytesReceived,
    bytesSent:
      typeof body === "string"
        ? Buffer.byteLength(body) * latencies.length
        : (body?.byteLength ?? 0) * latencies.length,
    d1,
  };
}

// One run per line, one after another, for as long as the harness keeps stdin open.
for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const spec = /** @type {LoadSpec} */ (JSON.parse(line));
  process.stdout.write(`${JSON.stringify(await load(spec))}\n`);
}
