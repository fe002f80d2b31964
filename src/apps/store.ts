// SQL for apps. Visibility and write access come from authz/spaces.ts inside the query that reads the app
// or its space; a list page and its count are one batch.
import { and, count, eq } from "drizzle-orm";
import { canReadSpace, canWriteSpace } from "../authz/spaces";
import { type Db, nowSeconds } from "../db/client";
import { inList, pageOf, unlessTaken, writeThenRead } from "../db/lists";
import { apps, organizations, spaces } from "../db/schema";
import type { User } from "../http/auth";
import type { Paging } from "../http/pagination";
import { type Metadata, metadataColumns, writeMetadataQueries } from "../metadata/store";
import { resourceConditions, spaceConditions } from "../packages/list-store";

type AppRow = typeof apps.$inferSelect;
export type AppView = AppRow & Metadata;

const columns = { app: apps, ...metadataColumns(apps.guid) };
const view = ({ app, labels, annotations }: { app: AppRow } & Metadata): AppView => ({
  ...app,
  labels,
  annotations,
});

/** The app if it exists and the user may see its space. */
export async function findApp(db: Db, user: User, guid: string): Promise<AppView | undefined> {
  const row = await db
    .select(columns)
    .from(apps)
    .where(and(eq(apps.guid, guid), canReadSpace(user, apps.spaceGuid)))
    .get();
  return row && view(row);
}

/** The space a new app goes in, with the caller's access to it (space developers write). */
export function findSpaceAccess(db: Db, user: User, spaceGuid: string) {
  return db
    .select({
      readable: canReadSpace(user, spaces.guid),
      writable: canWriteSpace(user, spaces.guid),
      organizationStatus: organizations.status,
    })
    .from(spaces)
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(eq(spaces.guid, spaceGuid))
    .get();
}

export type AppFilters = Parameters<typeof resourceConditions>[1] &
  Parameters<typeof spaceConditions>[1] & { names?: string[] | undefined };

const ORDER_COLUMNS = { created_at: apps.createdAt, updated_at: apps.updatedAt, name: apps.name };

export async function listApps(db: Db, user: User, filters: AppFilters, paging: Paging) {
  const where = and(
    canReadSpace(user, apps.spaceGuid),
    ...resourceConditions(apps, filters),
    ...spaceConditions(apps.spaceGuid, filters),
    filters.names && inList(apps.name, filters.names),
  );
  const page = pageOf(paging, ORDER_COLUMNS, apps.id);
  const [rows, totals] = await db.batch([
    db
      .select(columns)
      .from(apps)
      .where(where)
      .orderBy(...page.orderBy)
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: count() }).from(apps).where(where),
  ]);
  return { apps: rows.map(view), total: totals[0]?.total ?? 0 };
}

/**
 * Creates the app, STOPPED, with its labels and annotations in one batch; undefined when its space has an
 * app of that name. Names are stored stripped, as in CC.
 */
export async function insertApp(
  db: Db,
  values: { name: string; spaceGuid: string; lifecycleType: AppRow["lifecycleType"] },
  metadata: Metadata,
): Promise<AppView | undefined> {
  const guid = crypto.randomUUID();
  const now = nowSeconds();
  const rows = await unlessTaken(
    writeThenRead(
      db,
      [
        db.insert(apps).values({
          guid,
          name: values.name.trim(),
          spaceGuid: values.spaceGuid,
          lifecycleType: values.lifecycleType,
          createdAt: now,
          updatedAt: now,
        }),
        ...writeMetadataQueries(db, apps, guid, metadata),
      ],
      db.select(columns).from(apps).where(eq(apps.guid, guid)),
    ),
  );
  return rows?.[0] && view(rows[0]);
}
