// @ts-check
// What the D1 reference workers share: the binding's shape and the Server-Timing entry the app sends.

/** @typedef {{ rows_read: number, rows_written: number }} Meta */
/** @typedef {{ all(): Promise<{ results: unknown[], meta: Meta }>, run(): Promise<{ meta: Meta }> }} Statement */
/** @typedef {{ DB: { prepare(sql: string): { bind(...values: unknown[]): Statement } } }} Env */

/** @param {Meta} meta one round trip's meta */
export const serverTiming = (meta) => ({
  "Server-Timing": `d1;desc="rt=1 rr=${meta.rows_read} rw=${meta.rows_written}"`,
});
