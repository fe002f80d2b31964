// R2 deletions go through a D1 queue (blob_deletions): enqueued in the same batch that removes the
// rows, so a crash between the two can never orphan bits, and processed until R2 confirms.
import { type Db, nowSeconds } from "../db/client";
import { blobDeletions } from "../db/schema";

/** The statement that queues `keys` for deletion; put it in the batch that deletes their owners. */
export function enqueueBlobDeletions(db: Db, keys: readonly string[]) {
  const now = nowSeconds();
  return db
    .insert(blobDeletions)
    .values(keys.map((key) => ({ key, createdAt: now })))
    .onConflictDoNothing()
    .returning({ key: blobDeletions.key });
}
