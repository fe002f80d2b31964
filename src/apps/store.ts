// SQL for apps. Visibility and write access come from authz/spaces.ts inside the query that reads the app
// or its space; a list page and its count are one batch.
import { and, eq, type SQL, sql } from "drizzle-orm";
import { canReadSpace, canWriteSpace, spaceAccessColumns } from "../authz/spaces";
import type { Db } from "../db/client";
import { inList } from "../db/conditions";
import {
  type InSpaceFilters,
  listPage,
  type Paging,
  type ResourceFilters,
  spaceConditions,
} from "../db/list-page";
import { apps, organizations, spaces } from "../db/schema";
import { createWithMetadata, findVisible, type Recorded, withMetadata } from "../metadata/resources";
import type { Metadata } from "../metadata/store";
import type { User } from "../user";

type AppRow = typeof apps.$inferSelect;
export type AppView = AppRow & Metadata;

/** The app if it exists and the user may see its space. */
export function findApp(db: Db, user: User, guid: string): Promise<AppView | undefined> {
  return findVisible(db, apps, guid, canReadSpace(user, apps.spaceGuid));
}

export type AppFilters = ResourceFilters & InSpaceFilters & { names?: string[] | undefined };

export function listApps(db: Db, user: User, filters: AppFilters, paging: Paging) {
  return listPage(db, paging, {
    table: apps,
    columns: withMetadata(apps),
    conditions: [
      canReadSpace(user, apps.spaceGuid),
      ...spaceConditions(apps.spaceGuid, filters),
      filters.names && inList(apps.name, filters.names),
    ],
    filters,
    orderColumns: { name: apps.name },
  });
}

/**
 * Creates the app, STOPPED, with its labels and annotations in one batch; undefined when its space has an
 * app of that name. Names are stored stripped, as in CC.
 */
export function insertApp(
  db: Db,
  values: { name: string; spaceGuid: string; lifecycleType: AppRow["lifecycleType"] },
  metadata: Metadata,
  recorded?: Recorded,
): Promise<AppView | undefined> {
  return createWithMetadata(
    db,
    apps,
    metadata,
    (guid, now) =>
      db.insert(apps).values({
        guid,
        name: values.name.trim(),
        spaceGuid: values.spaceGuid,
        lifecycleType: values.lifecycleType,
        createdAt: now,
        updatedAt: now,
      }),
    recorded,
  );
}

/** An app with the caller's access to it, in one query: what package create and copy need. */
export function appAccessQuery(db: Db, user: User, appGuid: string, onlyIf?: SQL) {
  return db
    .select({
      app: apps,
      ...spaceAccessColumns(user, apps.spaceGuid),
    })
    .from(apps)
    .innerJoin(spaces, eq(spaces.guid, apps.spaceGuid))
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(and(eq(apps.guid, appGuid), onlyIf));
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
