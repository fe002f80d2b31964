// An app with the caller's access to it, in one query: what package create and copy need.
import { eq } from "drizzle-orm";
import { canReadSpace, canWriteSpace } from "../authz/spaces";
import type { Db } from "../db/client";
import { apps, organizations, spaces } from "../db/schema";
import type { User } from "../http/auth";

export function appAccessQuery(db: Db, user: User, appGuid: string) {
  return db
    .select({
      app: apps,
      // Aliased: inside db.batch, D1 rows come back keyed by column name, so equal expressions collide.
      readable: canReadSpace(user, apps.spaceGuid).as("readable"),
      writable: canWriteSpace(user, apps.spaceGuid).as("writable"),
      organizationStatus: organizations.status,
    })
    .from(apps)
    .innerJoin(spaces, eq(spaces.guid, apps.spaceGuid))
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(eq(apps.guid, appGuid));
}

export type AppAccess = NonNullable<Awaited<ReturnType<ReturnType<typeof appAccessQuery>["get"]>>>;
