// The space.delete job: each of its apps as app.delete does, then its roles, metadata and row.
import { and, eq, notExists } from "drizzle-orm";
import { deleteApp } from "../apps/delete";
import type { Db } from "../db/client";
import { annotations, apps, labels, roles, spaces } from "../db/schema";
import type { Bindings } from "../env";
import { runCascade } from "../jobs/cascade";

const APPS_PER_ROUND = 20;

export async function deleteSpace(env: Bindings, db: Db, guid: string): Promise<void> {
  await runCascade({
    children: async () =>
      (
        await db.select({ guid: apps.guid }).from(apps).where(eq(apps.spaceGuid, guid)).limit(APPS_PER_ROUND)
      ).map((row) => row.guid),
    deleteChildren: async (appGuids) => {
      for (const appGuid of appGuids) await deleteApp(env, db, appGuid);
    },
    deleteResource: async () => {
      const [, , , , remaining] = await db.batch([
        db.delete(roles).where(eq(roles.spaceGuid, guid)),
        db.delete(labels).where(eq(labels.resourceGuid, guid)),
        db.delete(annotations).where(eq(annotations.resourceGuid, guid)),
        db
          .delete(spaces)
          .where(
            and(
              eq(spaces.guid, guid),
              notExists(db.select({ guid: apps.guid }).from(apps).where(eq(apps.spaceGuid, guid))),
            ),
          ),
        db.select({ guid: spaces.guid }).from(spaces).where(eq(spaces.guid, guid)),
      ]);
      return remaining.length > 0;
    },
  });
}
