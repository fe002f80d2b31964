// The organization.delete job: each of its spaces as space.delete does, then its roles, metadata and row.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, roles, spaces } from "../db/schema";
import type { Bindings } from "../env";
import { type DeleteRound, runCascade } from "../jobs/cascade";

export function deleteOrganization(
  env: Bindings,
  db: Db,
  guid: string,
  deleteSpaces: DeleteRound,
): Promise<void> {
  return runCascade(db, {
    table: organizations,
    guid,
    children: { table: spaces, parent: spaces.organizationGuid, perRound: 10 },
    deleteChildren: (spaceGuids) => deleteSpaces(env, db, spaceGuids),
    dependents: [db.delete(roles).where(eq(roles.organizationGuid, guid))],
  });
}
