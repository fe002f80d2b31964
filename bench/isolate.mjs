// @ts-check
// One worker's isolate as V8 counts it, over workerd's DevTools endpoint (Miniflare's `inspectorPort`):
// workerd's RSS also holds the local R2 and D1 simulators, so it cannot tell the app's memory apart.

/**
 * V8's `Runtime.getHeapUsage`: the JS heap, the embedder's (workerd's C++ objects) and the array
 * buffers' backing stores, which is where the bytes of a body a worker holds would be.
 * @typedef {{ usedSize: number, totalSize: number, embedderHeapUsedSize: number, backingStorageSize: number }} HeapUsage
 */

/**
 * Peak growth of an isolate over a scenario, in bytes: of the sum of its parts (the figure the
 * targets use), and of each part on its own.
 * @typedef {{ bytes: number, heapBytes: number, embedderBytes: number, backingBytes: number, baselineBytes: number, samples: number }} IsolateGrowth
 */

/** @param {HeapUsage} usage */
const total = (usage) => usage.usedSize + usage.embedderHeapUsedSize + usage.backingStorageSize;

/**
 * A DevTools session on one worker's isolate.
 * @param {string} debuggerUrl the target's `webSocketDebuggerUrl`, e.g. ws://127.0.0.1:9229/core:user:app
 */
export async function connectIsolate(debuggerUrl) {
  const socket = new WebSocket(debuggerUrl);
  /** @type {Map<number, { resolve: (result: unknown) => void, reject: (error: Error) => void }>} */
  const pending = new Map();
  let nextId = 0;
  socket.addEventListener("message", (event) => {
    /** @type {{ id?: number, result?: unknown, error?: { message: string } }} */
    const message = JSON.parse(String(event.data));
    const waiting = message.id === undefined ? undefined : pending.get(message.id);
    if (!waiting || message.id === undefined) return;
    pending.delete(message.id);
    if (message.error) waiting.reject(new Error(`${debuggerUrl}: ${message.error.message}`));
    else waiting.resolve(message.result);
  });
  socket.addEventListener("close", () => {
    for (const waiting of pending.values()) waiting.reject(new Error(`${debuggerUrl}: closed`));
    pending.clear();
  });
  await new Promise((resolve, reject) => {
    socket.addEventListener("open", resolve, { once: true });
    socket.addEventListener("error", () => reject(new Error(`cannot connect to ${debuggerUrl}`)), {
      once: true,
    });
  });
  /**
   * @param {string} method
   * @param {Record<string, unknown>} [params]
   */
  const call = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      pending.set(id, { resolve, reject });
      socket.send(JSON.stringify({ id, method, params }));
    });
  return {
    heapUsage: async () => /** @type {HeapUsage} */ (await call("Runtime.getHeapUsage")),
    /**
     * A full collection. workerd's inspector never answers `HeapProfiler.collectGarbage`, but a heap
     * snapshot collects first; its chunks (events, not answers) are dropped.
     */
    collectGarbage: () => call("HeapProfiler.takeHeapSnapshot", { reportProgress: false }),
    close: () => socket.close(),
  };
}

/**
 * Peak growth of an isolate while `work` runs, over its size after a full collection just before:
 * `Runtime.getHeapUsage` asked again 10 ms after each answer (an isolate busy in JavaScript answers
 * when it yields, as a streaming worker does between chunks).
 * @template T
 * @param {string} debuggerUrl
 * @param {() => Promise<T>} work
 * @returns {Promise<[T, IsolateGrowth]>}
 */
export async function withIsolateGrowth(debuggerUrl, work) {
  const isolate = await connectIsolate(debuggerUrl);
  try {
    await isolate.collectGarbage();
    const before = await isolate.heapUsage();
    const peak = { ...before };
    let highest = total(before);
    let samples = 0;
    const record = (/** @type {HeapUsage} */ usage) => {
      samples++;
      highest = Math.max(highest, total(usage));
      peak.usedSize = Math.max(peak.usedSize, usage.usedSize);
      peak.embedderHeapUsedSize = Math.max(peak.embedderHeapUsedSize, usage.embedderHeapUsedSize);
      peak.backingStorageSize = Math.max(peak.backingStorageSize, usage.backingStorageSize);
    };
    let working = true;
    const polling = (async () => {
      while (working) {
        record(await isolate.heapUsage());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    // Its failure is thrown where it is awaited, below; until then it must not count as unhandled.
    polling.catch(() => {});
    let result;
    try {
      result = await work();
    } finally {
      working = false;
      await polling;
    }
    record(await isolate.heapUsage());
    return [
      result,
      {
        bytes: highest - total(before),
        heapBytes: peak.usedSize - before.usedSize,
        embedderBytes: peak.embedderHeapUsedSize - before.embedderHeapUsedSize,
        backingBytes: peak.backingStorageSize - before.backingStorageSize,
        baselineBytes: total(before),
        samples,
      },
    ];
  } finally {
    isolate.close();
  }
}
