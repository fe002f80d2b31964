// SQL pieces every store shares: filters on lists of any length in one bound parameter, and writes that
// may hit a taken name or read back what they wrote.
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";

/**
 * `column IN (values)` with the values bound as one JSON parameter, so a filter of any length keeps the
 * statement under D1's 100 bound parameters.
 */
export const inJsonList = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;

/**
 * `column` is one of `values`: a plain `=` for one value, which the planner weighs as an equality (so an
 * index on the column can also give the order), otherwise `inJsonList`.
 */
export const inList = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  values.length === 1 ? sql`${column} = ${values[0]}` : inJsonList(column, values);

/** Whether a failed write hit a UNIQUE constraint (D1's message, possibly wrapped by drizzle). */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e.message.includes("UNIQUE constraint failed")) return true;
  }
  return false;
}

/** The write's result, or undefined when it hit a UNIQUE constraint (a name already taken). */
export async function unlessTaken<T>(write: PromiseLike<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (err) {
    if (isUniqueViolation(err)) return undefined;
    throw err;
  }
}

/** Runs `writes`, then `read`, in one batch (one round trip, one transaction): the rows `read` returns. */
export async function writeThenRead<T>(
  db: Db,
  writes: [BatchItem<"sqlite">, ...BatchItem<"sqlite">[]],
  read: BatchItem<"sqlite"> & PromiseLike<T[]>,
): Promise<T[]> {
  const results: unknown[] = await db.batch([...writes, read]);
  return results.at(-1) as T[];
}
