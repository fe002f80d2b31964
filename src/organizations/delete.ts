// The organization.delete job: each of its spaces as space.delete does, then its roles, metadata and row.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { organizations, roles, spaces } from "../db/schema";
import type { Bindings } from "../env";
import { oneByOne, runCascade } from "../jobs/cascade";
import { deleteSpace } from "../spaces/delete";

export function deleteOrganization(env: Bindings, db: Db, guid: string): Promise<void> {
  return runCascade(db, {
    table: organizations,
    guid,
    children: { table: spaces, parent: spaces.organizationGuid, perRound: 10 },
    deleteChildren: oneByOne((spaceGuid) => deleteSpace(env, db, spaceGuid)),
    dependents: [db.delete(roles).where(eq(roles.organizationGuid, guid))],
  });
}
