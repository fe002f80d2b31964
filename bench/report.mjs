// @ts-check
// Figures to table and targets: every endpoint beside its floor as a ratio, and each target of the issue
// checked against what this run measured (never assumed).

/**
 * @typedef {{
 *   id: string,
 *   label: string,
 *   floor?: string,
 *   transfer?: boolean,
 *   status: "measured" | "not built yet" | "failed" | "skipped",
 *   note?: string,
 *   rps?: number,
 *   p50Ms?: number,
 *   p99Ms?: number,
 *   requests?: number,
 *   seconds?: number,
 *   statuses?: Record<string, number>,
 *   mbPerSecond?: number,
 *   d1?: { roundTrips: number, rowsRead: number, rowsWritten: number } | null,
 *   memoryGrowthBytes?: number,
 *   isolateGrowth?: import("./isolate.mjs").IsolateGrowth,
 * }} Figure
 */

/**
 * @typedef {{ target: string, value: string, met: boolean | null }} TargetCheck
 */

const MIB = 1024 * 1024;
const fixed = (/** @type {number | undefined} */ n, digits = 1) =>
  n === undefined ? "–" : n.toFixed(digits);

/**
 * The figure a ratio compares: MB/s for transfers, requests/s otherwise.
 * @param {Figure | undefined} figure
 */
const rate = (figure) => (figure?.transfer ? figure.mbPerSecond : figure?.rps);

/**
 * endpoint ÷ its floor, when both were measured.
 * @param {Figure} figure
 * @param {Map<string, Figure>} byId
 */
export function ratioToFloor(figure, byId) {
  const floor = figure.floor ? byId.get(figure.floor) : undefined;
  const [mine, theirs] = [rate(figure), rate(floor)];
  return figure.status === "measured" && floor?.status === "measured" && mine && theirs
    ? mine / theirs
    : undefined;
}

/**
 * A Markdown table (readable as plain text too).
 * @param {Figure[]} figures
 */
export function table(figures) {
  const byId = new Map(figures.map((figure) => [figure.id, figure]));
  const rows = [
    "| endpoint | req/s | MiB/s | p50 ms | p99 ms | floor | ratio | D1 rt | rows read | rows written | isolate peak MiB | notes |",
    "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |",
  ];
  for (const figure of figures) {
    const floor = figure.floor ? byId.get(figure.floor) : undefined;
    const ratio = ratioToFloor(figure, byId);
    const notes = [
      figure.status === "measured" ? "" : figure.status,
      figure.memoryGrowthBytes !== undefined
        ? `workerd peak +${fixed(figure.memoryGrowthBytes / MIB)} MiB`
        : "",
      figure.note ?? "",
    ].filter(Boolean);
    const measured = figure.status === "measured";
    rows.push(
      `| ${[
        figure.label,
        measured ? fixed(figure.rps, figure.transfer ? 2 : 0) : "–",
        measured && figure.transfer ? fixed(figure.mbPerSecond) : "–",
        measured ? fixed(figure.p50Ms, 2) : "–",
        measured ? fixed(figure.p99Ms, 2) : "–",
        floor ? floor.label : "",
        ratio === undefined ? "–" : `${ratio.toFixed(2)}×`,
        measured && figure.d1 ? fixed(figure.d1.roundTrips, 2) : "–",
        measured && figure.d1 ? fixed(figure.d1.rowsRead) : "–",
        measured && figure.d1 ? fixed(figure.d1.rowsWritten) : "–",
        figure.isolateGrowth ? `+${fixed(figure.isolateGrowth.bytes / MIB)}` : "–",
        notes.join("; "),
      ].join(" | ")} |`,
    );
  }
  return rows.join("\n");
}

/**
 * The issue's targets, each checked against this run (null: could not be checked).
 * @param {Figure[]} figures
 * @param {{ gzipKiB: number | null }} bundle
 * @returns {TargetCheck[]}
 */
export function checkTargets(figures, bundle) {
  const byId = new Map(figures.map((figure) => [figure.id, figure]));
  /** @type {TargetCheck[]} */
  const checks = [];
  /**
   * @param {string} target
   * @param {number | undefined} value
   * @param {(v: number) => boolean} ok
   * @param {(v: number) => string} show
   */
  const check = (target, value, ok, show) =>
    checks.push({
      target,
      value: value === undefined ? "not measured" : show(value),
      met: value === undefined ? null : ok(value),
    });
  const measured = (/** @type {string} */ id) => {
    const figure = byId.get(id);
    return figure?.status === "measured" ? figure : undefined;
  };
  const ratio = (/** @type {string} */ id) => {
    const figure = measured(id);
    return figure ? ratioToFloor(figure, byId) : undefined;
  };
  const roundTrips = (/** @type {string} */ id) => measured(id)?.d1?.roundTrips;
  const times = (/** @type {number} */ v) => `${v.toFixed(2)}×`;
  const trips = (/** @type {number} */ v) => v.toFixed(2);

  check("GET /v3/packages/:guid ≥ 0.8× bare D1 point read", ratio("show"), (v) => v >= 0.8, times);
  check("POST /v3/packages ≥ 0.7× bare D1 insert", ratio("create"), (v) => v >= 0.7, times);
  check("seed create ≥ 0.7× bare D1 insert", ratio("seed-create"), (v) => v >= 0.7, times);
  check("D1 round trips: show = 1", roundTrips("show"), (v) => v === 1, trips);
  check("D1 round trips: POST /v3/packages ≤ 2", roundTrips("create"), (v) => v <= 2, trips);
  check("D1 round trips: seed create ≤ 2", roundTrips("seed-create"), (v) => v <= 2, trips);
  check("D1 round trips: list (1k) ≤ 2", roundTrips("list-small"), (v) => v <= 2, trips);
  check("D1 round trips: list (large set) ≤ 2", roundTrips("list-large"), (v) => v <= 2, trips);
  check("D1 round trips: upload ≤ 3", roundTrips("upload"), (v) => v <= 3, trips);
  const small = measured("list-small")?.p50Ms;
  const large = measured("list-large")?.p50Ms;
  check(
    "list p50 over the large set ≤ 2× p50 over 1k",
    small && large ? large / small : undefined,
    (v) => v <= 2,
    times,
  );
  // Each upload against the raw put of the same zip: the app isolate's peak growth (its 128 MB is shared
  // by every request it serves at once; workerd's RSS also holds the local R2 and D1, so it is context)
  // and the transfer rate.
  for (const [id, what, limitMiB] of /** @type {const} */ ([
    ["upload", "one 50 MiB upload", 32],
    ["upload-90", "one 90 MiB upload", 32],
    ["upload-3x90", "three 90 MiB uploads at once", 100],
  ])) {
    const floor = byId.get(id)?.floor;
    const put = floor ? measured(floor) : undefined;
    const rss = measured(id)?.memoryGrowthBytes;
    const mib = (/** @type {number | undefined} */ bytes) =>
      bytes === undefined ? "–" : (bytes / MIB).toFixed(1);
    check(
      `${what}: app isolate peak growth < ${limitMiB} MiB`,
      measured(id)?.isolateGrowth?.bytes,
      (v) => v < limitMiB * MIB,
      (v) =>
        `${mib(v)} MiB (raw R2 put's isolate: ${mib(put?.isolateGrowth?.bytes)} MiB; ` +
        `workerd RSS +${mib(rss)}, put +${mib(put?.memoryGrowthBytes)})`,
    );
    check(`${what}: throughput ≥ 0.5× raw R2 put`, ratio(id), (v) => v >= 0.5, times);
  }
  check(
    "bundle (minified) ≤ 100 KiB gzipped",
    bundle.gzipKiB ?? undefined,
    (v) => v <= 100,
    (v) => `${v.toFixed(2)} KiB`,
  );
  return checks;
}

/** @param {TargetCheck[]} checks */
export function targetTable(checks) {
  const mark = (/** @type {boolean | null} */ met) =>
    met === null ? "not measured" : met ? "met" : "MISSED";
  return [
    "| target | this run | result |",
    "| --- | ---: | --- |",
    ...checks.map((c) => `| ${c.target} | ${c.value} | ${mark(c.met)} |`),
  ].join("\n");
}
