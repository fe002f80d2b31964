// The role.delete job: one conditional DELETE, so a second run finds nothing left to do.
import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { roles } from "../db/schema";
import type { Bindings } from "../env";

export async function deleteRole(_env: Bindings, db: Db, guid: string): Promise<void> {
  await db.delete(roles).where(eq(roles.guid, guid));
}
