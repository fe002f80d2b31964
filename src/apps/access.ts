// An app with the caller's access to it, in one query: what package create and copy need.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { canReadSpace, canWriteSpace } from "../authz/spaces";
import type { Db } from "../db/client";
import { apps, organizations, spaces } from "../db/schema";
import type { User } from "../user";

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

/**
 * SQL conditions, over a select that joins apps, spaces and organizations: the user may write to the
 * app (develops in its space, or is an admin) and, unless an admin, its organization is active. What
 * assertWritable checks from an access row, as a guard for a write that must not happen otherwise.
 */
export function appTakesWrites(user: User): SQL | undefined {
  return and(
    canWriteSpace(user, apps.spaceGuid),
    user.admin ? undefined : eq(organizations.status, "active"),
  );
}

/**
 * SQL: the app named by `appGuid` (a qualified column of the outer statement) takes writes from the
 * user. Correlated on that one app, so it reads one app, not every app the user may write to.
 */
export function appOfRowTakesWrites(user: User, appGuid: SQL): SQL {
  return sql`EXISTS (SELECT 1 FROM ${apps} INNER JOIN ${spaces} ON ${spaces.guid} = ${apps.spaceGuid}
    INNER JOIN ${organizations} ON ${organizations.guid} = ${spaces.organizationGuid}
    WHERE ${apps.guid} = ${appGuid} AND ${appTakesWrites(user)})`;
}

export type AppAccess = NonNullable<Awaited<ReturnType<ReturnType<typeof appAccessQuery>["get"]>>>;
