// SQL for package lists. A page and its total are two statements of one batch (one D1 round trip),
// together with the app check on an app's list. Visibility and every filter are conditions of those
// statements; lists of guids are bound as one JSON parameter each, whatever their length.
import { and, count, eq, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type AppAccess, appAccessQuery } from "../apps/access";
import { readableSpaceGuids } from "../authz/spaces";
import type { Db } from "../db/client";
import { inList, pageOf } from "../db/lists";
import { packages } from "../db/schema";
import type { User } from "../http/auth";
import type { Paging } from "../http/pagination";
import { type TimestampFilter, timestampCondition } from "../http/timestamp-filters";
import { type LabelRequirement, labelSelectorCondition } from "../metadata/label-selector";
import { metadataColumns } from "../metadata/store";
import type { PackageView } from "./store";

export interface PackageListFilters {
  guids?: string[] | undefined;
  states?: string[] | undefined;
  types?: string[] | undefined;
  appGuids?: string[] | undefined;
  spaceGuids?: string[] | undefined;
  organizationGuids?: string[] | undefined;
  labelSelector?: LabelRequirement[] | undefined;
  createdAts?: TimestampFilter | undefined;
  updatedAts?: TimestampFilter | undefined;
}

export interface Page<T> {
  total: number;
  resources: T[];
}

/**
 * Conditions on a space column for the filters that select resources by where their app lives:
 * `space_guids` and `organization_guids` (through spaces_organization_name).
 */
export function spaceConditions(
  spaceGuid: SQLiteColumn | SQL,
  filters: { spaceGuids?: string[] | undefined; organizationGuids?: string[] | undefined },
): SQL[] {
  return [
    filters.spaceGuids && inList(spaceGuid, filters.spaceGuids),
    filters.organizationGuids &&
      sql`${spaceGuid} IN (SELECT s.guid FROM spaces s WHERE ${inList(sql`s.organization_guid`, filters.organizationGuids)})`,
  ].filter((condition) => condition !== undefined);
}

/** The conditions every list has: guids, timestamps and labels of the resource itself. */
export function resourceConditions(
  columns: { guid: SQLiteColumn; createdAt: SQLiteColumn; updatedAt: SQLiteColumn },
  filters: {
    guids?: string[] | undefined;
    labelSelector?: LabelRequirement[] | undefined;
    createdAts?: TimestampFilter | undefined;
    updatedAts?: TimestampFilter | undefined;
  },
): SQL[] {
  return [
    filters.guids && inList(columns.guid, filters.guids),
    filters.createdAts && timestampCondition(columns.createdAt, filters.createdAts),
    filters.updatedAts && timestampCondition(columns.updatedAt, filters.updatedAts),
    filters.labelSelector && labelSelectorCondition(columns.guid, filters.labelSelector),
  ].filter((condition) => condition !== undefined);
}

/** Whose packages a list may show: every app's (global readers), an app's, or the user's spaces'. */
type Scope = { appGuid: string } | { user: User };

function conditionsOf(scope: Scope, filters: PackageListFilters): SQL[] {
  const spaceFilters = [
    ...("user" in scope && !scope.user.globalReader
      ? [sql`a.space_guid IN ${readableSpaceGuids(scope.user.guid)}`]
      : []),
    ...spaceConditions(sql`a.space_guid`, filters),
  ];
  return [
    "appGuid" in scope ? eq(packages.appGuid, scope.appGuid) : undefined,
    filters.appGuids && inList(packages.appGuid, filters.appGuids),
    // Where the package's app lives is asked of apps by guid list, so packages stay unjoined.
    spaceFilters.length
      ? sql`${packages.appGuid} IN (SELECT a.guid FROM apps a WHERE ${sql.join(spaceFilters, sql` AND `)})`
      : undefined,
    filters.states && inList(packages.state, filters.states),
    filters.types && inList(packages.type, filters.types),
    ...resourceConditions(packages, filters),
  ].filter((condition) => condition !== undefined);
}

function pageQueries(db: Db, scope: Scope, filters: PackageListFilters, paging: Paging) {
  const where = and(...conditionsOf(scope, filters));
  const { orderBy, limit, offset } = pageOf(
    paging,
    { created_at: packages.createdAt, updated_at: packages.updatedAt },
    packages.id,
  );
  return [
    db
      .select({ package: packages, ...metadataColumns(packages.guid) })
      .from(packages)
      .where(where)
      .orderBy(...orderBy)
      .limit(limit)
      .offset(offset),
    db.select({ total: count() }).from(packages).where(where),
  ] as const;
}

type PageRows = Awaited<ReturnType<typeof pageQueries>[0]>;

function pageOfRows(rows: PageRows, totals: { total: number }[]): Page<PackageView> {
  return {
    total: totals[0]?.total ?? 0,
    resources: rows.map(({ package: pkg, labels, annotations }) => ({ ...pkg, labels, annotations })),
  };
}

/** A page of the packages the user may see (`GET /v3/packages`). */
export async function listPackages(
  db: Db,
  user: User,
  filters: PackageListFilters,
  paging: Paging,
): Promise<Page<PackageView>> {
  const [rows, totals] = await db.batch(pageQueries(db, { user }, filters, paging));
  return pageOfRows(rows, totals);
}

/** An app with the caller's access to it, and a page of its packages: one round trip. */
export async function listAppPackages(
  db: Db,
  user: User,
  appGuid: string,
  filters: PackageListFilters,
  paging: Paging,
): Promise<{ app: AppAccess | undefined; page: Page<PackageView> }> {
  const [appRows, rows, totals] = await db.batch([
    appAccessQuery(db, user, appGuid),
    ...pageQueries(db, { appGuid }, filters, paging),
  ]);
  return { app: appRows[0], page: pageOfRows(rows, totals) };
}
