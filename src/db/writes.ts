// Writes every store shares: one that may hit a taken name, and writes that read back what they wrote.
import type { BatchItem } from "drizzle-orm/batch";
import type { Db } from "./client";

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
