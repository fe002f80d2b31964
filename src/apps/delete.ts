// The app.delete job: the app's packages (rows, metadata, and their bits through the blob deletion
// queue), its droplets with their metadata, then the app's own metadata and row. Nothing else.
import { and, eq, inArray, notExists } from "drizzle-orm";
import { deleteBlobs } from "../blobs/deletions";
import type { Db } from "../db/client";
import { annotations, apps, droplets, labels, packages } from "../db/schema";
import type { Bindings } from "../env";
import { runCascade } from "../jobs/cascade";
import { packageBitsKey } from "../packages/bits-keys";
import { deletePackagesQueries } from "../packages/delete";

// Queuing a package's bits binds 3 parameters: 30 packages a round keep every statement under D1's 100.
const PACKAGES_PER_ROUND = 30;

export async function deleteApp(env: Bindings, db: Db, guid: string): Promise<void> {
  const dropletGuids = db.select({ guid: droplets.guid }).from(droplets).where(eq(droplets.appGuid, guid));
  await runCascade({
    children: async () =>
      (
        await db
          .select({ guid: packages.guid })
          .from(packages)
          .where(eq(packages.appGuid, guid))
          .limit(PACKAGES_PER_ROUND)
      ).map((row) => row.guid),
    deleteChildren: async (packageGuids) => {
      if (packageGuids.length === 0) return;
      await db.batch(deletePackagesQueries(db, packageGuids));
      await deleteBlobs(env.BITS, db, packageGuids.map(packageBitsKey));
    },
    deleteResource: async () => {
      const [, , , , , , remaining] = await db.batch([
        db.delete(labels).where(inArray(labels.resourceGuid, dropletGuids)),
        db.delete(annotations).where(inArray(annotations.resourceGuid, dropletGuids)),
        db.delete(droplets).where(eq(droplets.appGuid, guid)),
        db.delete(labels).where(eq(labels.resourceGuid, guid)),
        db.delete(annotations).where(eq(annotations.resourceGuid, guid)),
        // A package created meanwhile keeps the app until the next round deletes it.
        db
          .delete(apps)
          .where(
            and(
              eq(apps.guid, guid),
              notExists(db.select({ guid: packages.guid }).from(packages).where(eq(packages.appGuid, guid))),
            ),
          ),
        db.select({ guid: apps.guid }).from(apps).where(eq(apps.guid, guid)),
      ]);
      return remaining.length > 0;
    },
  });
}
