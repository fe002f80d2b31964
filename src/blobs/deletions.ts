// R2 deletions go through a D1 queue (blob_deletions): enqueued in the same batch that removes the
// rows that own the bits (packages/bits-removal.ts, the resource cache's pruning), so nothing is
// orphaned, then deleted right away
// and, when R2 fails, retried by the scheduled handler until R2 confirms. A failed delete is never
// silently dropped.
import { asc, inArray, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import { type Db, nowSeconds } from "../db/client";
import { blobDeletions } from "../db/schema";

/**
 * The statement that queues `key` of each row of `table` matching `where`. It selects inside the batch,
 * so it sees the rows as the batch's earlier statements left them: put it before the statement that
 * deletes them.
 */
export function queueBlobDeletions(db: Db, table: SQLiteTable, key: SQL<string>, where: SQL | undefined) {
  return db
    .insert(blobDeletions)
    .select(
      db
        .select({
          key: key.as("key"),
          attempts: sql<number>`0`.as("attempts"),
          lastError: sql<string | null>`NULL`.as("last_error"),
          createdAt: sql<number>`${nowSeconds()}`.as("created_at"),
        })
        .from(table)
        .where(where),
    )
    .onConflictDoNothing();
}

// R2 deletes up to 1000 keys a call; D1 binds up to 100 parameters a statement.
const CHUNK = 100;

/** Deletes queued keys from R2 and, once R2 confirms, from the queue; records failures for a retry. */
export async function deleteBlobs(bucket: R2Bucket, db: Db, keys: readonly string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += CHUNK) {
    const chunk = keys.slice(i, i + CHUNK);
    try {
      await bucket.delete(chunk);
      await db.delete(blobDeletions).where(inArray(blobDeletions.key, chunk));
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      await db
        .update(blobDeletions)
        .set({ attempts: sql`${blobDeletions.attempts} + 1`, lastError: reason })
        .where(inArray(blobDeletions.key, chunk));
    }
  }
}

/** Retries the oldest queued deletions (the scheduled handler calls this). */
export async function retryBlobDeletions(bucket: R2Bucket, db: Db, limit = 1000): Promise<number> {
  const pending = await db
    .select({ key: blobDeletions.key })
    .from(blobDeletions)
    .orderBy(asc(blobDeletions.createdAt))
    .limit(limit);
  await deleteBlobs(
    bucket,
    db,
    pending.map((row) => row.key),
  );
  return pending.length;
}
