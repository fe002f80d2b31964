// Every state ends: a package still PROCESSING_UPLOAD or COPYING after packageStuckTimeoutSeconds (its
// upload request or copy died with its isolate) becomes FAILED with data.error saying why, or the cf CLI
// would poll it forever. The update is conditional on the state, so a package that reached READY is
// never touched; whatever bits a lost run left behind go through the blob deletion queue, and the R2
// multipart upload it had open (recorded with its claim) is aborted, so its parts go too. A live upload
// renews its claim as it streams (upload.ts), so only a dead one ages past the timeout.
import { and, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { packages } from "../db/schema";
import { logError } from "../http/log";
import { packageBitsKey } from "./bits-keys";
import { deletePackageBits, queueBitsDeletions } from "./bits-removal";

const STUCK_STATES = ["PROCESSING_UPLOAD", "COPYING"] as const;

/** data.error of an upload the watchdog gave up on. */
export const uploadTimedOut = (seconds: number) => `upload did not finish within ${seconds} seconds`;

export async function failStuckPackages(bucket: R2Bucket, db: Db, timeoutSeconds: number): Promise<number> {
  const now = nowSeconds();
  const stuck = and(inArray(packages.state, [...STUCK_STATES]), lt(packages.updatedAt, now - timeoutSeconds));
  // The batch is a transaction: the uploads read first are the ones the update then fails.
  const [open, , failed] = await db.batch([
    db
      .select({ guid: packages.guid, uploadId: packages.multipartUploadId })
      .from(packages)
      .where(and(stuck, isNotNull(packages.multipartUploadId))),
    queueBitsDeletions(db, stuck),
    db
      .update(packages)
      .set({
        state: "FAILED",
        error: sql`CASE ${packages.state} WHEN 'COPYING' THEN ${`failed to copy - copy did not finish within ${timeoutSeconds} seconds`} ELSE ${uploadTimedOut(timeoutSeconds)} END`,
        multipartUploadId: null,
        updatedAt: now,
      })
      .where(stuck)
      .returning({ guid: packages.guid }),
  ]);
  await Promise.all(
    open.map(({ guid, uploadId }) => abortMultipartUpload(bucket, packageBitsKey(guid), uploadId!)),
  );
  await deletePackageBits(
    bucket,
    db,
    failed.map((pkg) => pkg.guid),
  );
  return failed.length;
}

/**
 * Aborts an upload's open multipart upload. One R2 refuses is logged and left to the bucket's own
 * lifecycle rule (R2 aborts incomplete multipart uploads after 7 days by default).
 */
async function abortMultipartUpload(bucket: R2Bucket, key: string, uploadId: string): Promise<void> {
  try {
    await bucket.resumeMultipartUpload(key, uploadId).abort();
  } catch (err) {
    logError("multipart upload not aborted", err, { key, uploadId });
  }
}
