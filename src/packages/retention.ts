// Retention as Cloud Controller's BitsExpiration: per app, READY packages beyond the newest
// maxValidPackagesStored (newest by created_at, then id) become EXPIRED, and bits packages lose their
// zip through the blob deletion queue. FAILED packages are not counted or expired, as in CC; there is
// no current droplet to spare here. Runs after each upload and from the scheduled handler.
import { and, eq, gt, inArray, sql } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { packages } from "../db/schema";
import { deletePackageBits, queueBitsDeletions } from "./bits-removal";

/** Subquery of the guids to expire: READY packages ranked past `keep` within their app. */
function expirable(db: Db, keep: number, appGuid: string | undefined) {
  const ranked = db
    .select({
      guid: packages.guid,
      position:
        sql<number>`row_number() OVER (PARTITION BY ${packages.appGuid} ORDER BY ${packages.createdAt} DESC, ${packages.id} DESC)`.as(
          "position",
        ),
    })
    .from(packages)
    .where(
      and(eq(packages.state, "READY"), appGuid === undefined ? undefined : eq(packages.appGuid, appGuid)),
    )
    .as("ranked");
  return db.select({ guid: ranked.guid }).from(ranked).where(gt(ranked.position, keep));
}

/**
 * Statements that queue the bits of the packages past `keep` (of one app, or of all) for deletion and
 * expire them, in one batch so no zip is orphaned; the last returns the expired packages.
 */
export function expirePackagesQueries(db: Db, keep: number, appGuid?: string) {
  const candidates = inArray(packages.guid, expirable(db, keep, appGuid));
  return [
    queueBitsDeletions(db, candidates),
    db
      .update(packages)
      .set({ state: "EXPIRED", updatedAt: nowSeconds() })
      .where(candidates)
      .returning({ guid: packages.guid, type: packages.type }),
  ] as const;
}

/** Deletes the expired bits packages' zips now. */
export const deleteExpiredBits = (
  bucket: R2Bucket,
  db: Db,
  expired: readonly { guid: string; type: string }[],
) =>
  deletePackageBits(
    bucket,
    db,
    expired.filter((pkg) => pkg.type === "bits").map((pkg) => pkg.guid),
  );

/** Expires old packages of every app (the scheduled handler). */
export async function expireOldPackages(bucket: R2Bucket, db: Db, keep: number): Promise<number> {
  const [, expired] = await db.batch(expirePackagesQueries(db, keep));
  await deleteExpiredBits(bucket, db, expired);
  return expired.length;
}
