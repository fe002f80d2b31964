// How a package's zip leaves R2, whatever ends the package (delete, app delete, retention, watchdog,
// failed upload): queued in D1 in the same batch that changes the package rows, so no zip is orphaned,
// then deleted at once; the scheduled handler retries whatever R2 refused.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { deleteBlobs, queueBlobDeletions } from "../blobs/deletions";
import type { Db } from "../db/client";
import { packages } from "../db/schema";
import { packageBitsKey } from "./bits-keys";

/** The statement that queues the zips of the bits packages matching `where` (see queueBlobDeletions). */
export function queueBitsDeletions(db: Db, where: SQL | undefined) {
  return queueBlobDeletions(
    db,
    packages,
    sql<string>`${packageBitsKey("")} || ${packages.guid}`,
    and(eq(packages.type, "bits"), where),
  );
}

/** Deletes the zips of the packages `guids` now (what R2 refuses stays queued for a retry). */
export function deletePackageBits(bucket: R2Bucket, db: Db, guids: readonly string[]): Promise<void> {
  return guids.length ? deleteBlobs(bucket, db, guids.map(packageBitsKey)) : Promise.resolve();
}
