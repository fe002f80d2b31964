// The space.delete job: each of its apps as app.delete does, then its roles, metadata and row.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { apps, roles, spaces } from "../db/schema";
import type { Bindings } from "../env";
import { type DeleteRound, runCascade } from "../jobs/cascade";

export function deleteSpace(env: Bindings, db: Db, guid: string, deleteApps: DeleteRound): Promise<void> {
  return runCascade(db, {
    table: spaces,
    guid,
    children: { table: apps, parent: apps.spaceGuid, perRound: 20 },
    deleteChildren: (appGuids) => deleteApps(env, db, appGuids),
    dependents: [db.delete(roles).where(eq(roles.spaceGuid, guid))],
  });
}
