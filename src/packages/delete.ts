// The package.delete job, and each round of an app.delete: the package row, its metadata and (through the blob queue) its zip go in
// one batch; droplets made from it keep existing without it, as in CC.
import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { annotations, droplets, labels, packages } from "../db/schema";
import type { Bindings } from "../env";
import { deletePackageBits, queueBitsDeletions } from "./bits-removal";

/** Statements that delete the packages `guids` and queue their bits for deletion. */
function deletePackagesQueries(db: Db, guids: readonly string[]) {
  return [
    queueBitsDeletions(db, inArray(packages.guid, [...guids])),
    db.delete(labels).where(inArray(labels.resourceGuid, [...guids])),
    db.delete(annotations).where(inArray(annotations.resourceGuid, [...guids])),
    db
      .update(droplets)
      .set({ packageGuid: null })
      .where(inArray(droplets.packageGuid, [...guids])),
    db.delete(packages).where(inArray(packages.guid, [...guids])),
  ] as const;
}

/** Deletes the packages `guids` (one job's, or a round of an app's). Idempotent: a second run finds nothing left. */
export async function deletePackages(env: Bindings, db: Db, guids: readonly string[]): Promise<void> {
  await db.batch(deletePackagesQueries(db, guids));
  await deletePackageBits(env.BITS, db, guids);
}
