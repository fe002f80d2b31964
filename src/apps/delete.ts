// The app.delete job: the app's packages (rows, metadata, and their bits through the blob deletion
// queue), its droplets with their metadata, then the app's own metadata and row. Nothing else.
import { eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { annotations, apps, droplets, labels, packages } from "../db/schema";
import type { Bindings } from "../env";
import { type DeleteRound, runCascade } from "../jobs/cascade";

// Queuing a package's bits binds 3 parameters: 30 packages a round keep every statement under D1's 100.
const PACKAGES_PER_ROUND = 30;

export function deleteApp(env: Bindings, db: Db, guid: string, deletePackages: DeleteRound): Promise<void> {
  const dropletGuids = db.select({ guid: droplets.guid }).from(droplets).where(eq(droplets.appGuid, guid));
  return runCascade(db, {
    table: apps,
    guid,
    children: { table: packages, parent: packages.appGuid, perRound: PACKAGES_PER_ROUND },
    deleteChildren: (packageGuids) => deletePackages(env, db, packageGuids),
    dependents: [
      db.delete(labels).where(inArray(labels.resourceGuid, dropletGuids)),
      db.delete(annotations).where(inArray(annotations.resourceGuid, dropletGuids)),
      db.delete(droplets).where(eq(droplets.appGuid, guid)),
    ],
  });
}
