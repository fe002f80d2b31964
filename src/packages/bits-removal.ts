// How a package's zip leaves R2, whatever ends the package (delete, app delete, retention, watchdog,
// failed upload): queued in D1 in the same batch that changes the package rows, so no zip is orphaned,
// then deleted at once; the scheduled handler retries whatever R2 refused.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { deleteBlobs } from "../blobs/deletions";
import { type Db, nowSeconds } from "../db/client";
import { blobDeletions, packages } from "../db/schema";
import { packageBitsKey } from "./bits-keys";

/**
 * The statement that queues the zips of the bits packages matching `where`. It selects from packages
 * inside the batch, so it sees the rows as the batch's earlier statements left them: put it before the
 * statement that deletes them.
 */
export function queueBitsDeletions(db: Db, where: SQL | undefined) {
  return db
    .insert(blobDeletions)
    .select(
      db
        .select({
          key: sql<string>`${packageBitsKey("")} || ${packages.guid}`.as("key"),
          attempts: sql<number>`0`.as("attempts"),
          lastError: sql<string | null>`NULL`.as("last_error"),
          createdAt: sql<number>`${nowSeconds()}`.as("created_at"),
        })
        .from(packages)
        .where(and(eq(packages.type, "bits"), where)),
    )
    .onConflictDoNothing();
}

/** Deletes the zips of the packages `guids` now (what R2 refuses stays queued for a retry). */
export function deletePackageBits(bucket: R2Bucket, db: Db, guids: readonly string[]): Promise<void> {
  return guids.length ? deleteBlobs(bucket, db, guids.map(packageBitsKey)) : Promise.resolve();
}
