// Every state ends: a package still PROCESSING_UPLOAD or COPYING after packageStuckTimeoutSeconds (its
// upload request or copy died with its isolate) becomes FAILED with data.error saying why, or the cf CLI
// would poll it forever. The update is conditional on the state, so a package that reached READY is
// never touched; whatever bits a lost run left behind go through the blob deletion queue.
import { and, inArray, lt, sql } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { packages } from "../db/schema";
import { deletePackageBits, queueBitsDeletions } from "./bits-removal";

const STUCK_STATES = ["PROCESSING_UPLOAD", "COPYING"] as const;

/** data.error of an upload the watchdog gave up on. */
export const uploadTimedOut = (seconds: number) => `upload did not finish within ${seconds} seconds`;

export async function failStuckPackages(bucket: R2Bucket, db: Db, timeoutSeconds: number): Promise<number> {
  const now = nowSeconds();
  const stuck = and(inArray(packages.state, [...STUCK_STATES]), lt(packages.updatedAt, now - timeoutSeconds));
  const [, failed] = await db.batch([
    queueBitsDeletions(db, stuck),
    db
      .update(packages)
      .set({
        state: "FAILED",
        error: sql`CASE ${packages.state} WHEN 'COPYING' THEN ${`failed to copy - copy did not finish within ${timeoutSeconds} seconds`} ELSE ${uploadTimedOut(timeoutSeconds)} END`,
        updatedAt: now,
      })
      .where(stuck)
      .returning({ guid: packages.guid }),
  ]);
  await deletePackageBits(
    bucket,
    db,
    failed.map((pkg) => pkg.guid),
  );
  return failed.length;
}
