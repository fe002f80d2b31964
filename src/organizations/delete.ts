// The organization.delete job: each of its spaces as space.delete does, then its roles, metadata and row.
import { and, eq, notExists } from "drizzle-orm";
import type { Db } from "../db/client";
import { annotations, labels, organizations, roles, spaces } from "../db/schema";
import type { Bindings } from "../env";
import { runCascade } from "../jobs/cascade";
import { deleteSpace } from "../spaces/delete";

const SPACES_PER_ROUND = 10;

export async function deleteOrganization(env: Bindings, db: Db, guid: string): Promise<void> {
  await runCascade({
    children: async () =>
      (
        await db
          .select({ guid: spaces.guid })
          .from(spaces)
          .where(eq(spaces.organizationGuid, guid))
          .limit(SPACES_PER_ROUND)
      ).map((row) => row.guid),
    deleteChildren: async (spaceGuids) => {
      for (const spaceGuid of spaceGuids) await deleteSpace(env, db, spaceGuid);
    },
    deleteResource: async () => {
      const [, , , , remaining] = await db.batch([
        db.delete(roles).where(eq(roles.organizationGuid, guid)),
        db.delete(labels).where(eq(labels.resourceGuid, guid)),
        db.delete(annotations).where(eq(annotations.resourceGuid, guid)),
        db
          .delete(organizations)
          .where(
            and(
              eq(organizations.guid, guid),
              notExists(
                db.select({ guid: spaces.guid }).from(spaces).where(eq(spaces.organizationGuid, guid)),
              ),
            ),
          ),
        db.select({ guid: organizations.guid }).from(organizations).where(eq(organizations.guid, guid)),
      ]);
      return remaining.length > 0;
    },
  });
}
