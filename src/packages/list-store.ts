// SQL for package lists. A page and its total are two statements of one batch (one D1 round trip),
// together with the app check on an app's list. Visibility and every filter are conditions of those
// statements; lists of guids are bound as one JSON parameter each, whatever their length.
import { and, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { type AppAccess, appAccessQuery } from "../apps/store";
import { readableSpaceGuids } from "../authz/spaces";
import type { Db } from "../db/client";
import { inList } from "../db/conditions";
import {
  type InSpaceFilters,
  listPage,
  type Page,
  type Paging,
  pageOf,
  pageQueries,
  type ResourceFilters,
  spaceConditions,
} from "../db/list-page";
import { appPackageCounts, packages } from "../db/schema";
import { withMetadata } from "../metadata/resources";
import type { User } from "../user";
import type { PackageView } from "./store";

export type PackageListFilters = ResourceFilters &
  InSpaceFilters & {
    states?: string[] | undefined;
    types?: string[] | undefined;
    appGuids?: string[] | undefined;
  };

/** Whose packages a list may show: every app's (global readers), an app's, or the user's spaces'. */
type Scope = { appGuid: string } | { user: User };

/** How a page finds its rows: through the app index, then sorted; or walking packages in order. */
type Plan = "index" | "walk";

// Filters that pick apps (whose package counts then give the total); every other filter looks at
// packages themselves, so a filter added to the list message counts here without being named.
const APP_FILTERS: ReadonlySet<string> = new Set([
  "appGuids",
  "spaceGuids",
  "organizationGuids",
] satisfies (keyof PackageListFilters)[]);

/** Whether a filter looks at packages themselves: then the total is counted from the packages. */
const hasPackageFilters = (filters: PackageListFilters) =>
  Object.entries(filters).some(([key, value]) => value !== undefined && !APP_FILTERS.has(key));

/** Conditions on an app guid column that pick the apps whose packages the list may show. */
function appConditions(appGuid: SQL | SQLiteColumn, scope: Scope, filters: PackageListFilters): SQL[] {
  const spaceFilters = [
    ...("user" in scope && !scope.user.globalReader
      ? [sql`a.space_guid IN ${readableSpaceGuids(scope.user.guid)}`]
      : []),
    ...spaceConditions(sql`a.space_guid`, filters),
  ];
  return [
    "appGuid" in scope ? sql`${appGuid} = ${scope.appGuid}` : undefined,
    filters.appGuids && inList(appGuid, filters.appGuids),
    // Where the package's app lives is asked of apps by guid list, so packages stay unjoined.
    spaceFilters.length
      ? sql`${appGuid} IN (SELECT a.guid FROM apps a WHERE ${sql.join(spaceFilters, sql` AND `)})`
      : undefined,
  ].filter((condition) => condition !== undefined);
}

/** The total from the apps' package counts: right whenever no filter looks at packages themselves. */
function countedTotal(db: Db, scope: Scope, filters: PackageListFilters) {
  return db
    .select({ total: sql<number>`coalesce(sum(${appPackageCounts.total}), 0)`.mapWith(Number) })
    .from(appPackageCounts)
    .where(and(...appConditions(appPackageCounts.appGuid, scope, filters)));
}

function sourceOf(db: Db, scope: Scope, filters: PackageListFilters, plan: Plan = "index") {
  // Unary plus keeps SQLite off the app index, so the page walks packages in order and stops when full.
  const appGuid = plan === "walk" ? sql`+${packages.appGuid}` : packages.appGuid;
  const conditions: (SQL | undefined)[] = [
    ...appConditions(appGuid, scope, filters),
    filters.states && inList(packages.state, filters.states),
    filters.types && inList(packages.type, filters.types),
  ];
  return {
    table: packages,
    columns: withMetadata(packages),
    conditions,
    filters,
    ...(hasPackageFilters(filters) ? {} : { total: countedTotal(db, scope, filters) }),
  };
}

/**
 * Walking packages in order reads about (offset + per_page) × all / visible rows; the app index reads
 * every visible package and sorts them. Walk when that is fewer rows.
 */
function cheaperPlan(paging: Paging, visible: number, all: number): Plan {
  const wanted = paging.page * paging.perPage;
  return visible > 0 && wanted * all < visible * visible ? "walk" : "index";
}

/**
 * A page of the packages the user may see (`GET /v3/packages`). When only apps narrow the list (the
 * user's spaces, space or organization filters), which plan is cheaper depends on how many packages
 * they hold, so the counts are read first: two round trips. Otherwise one.
 */
export async function listPackages(
  db: Db,
  user: User,
  filters: PackageListFilters,
  paging: Paging,
): Promise<Page<PackageView>> {
  const scope = { user };
  const appsOnly = !hasPackageFilters(filters) && !filters.appGuids;
  if (!appsOnly || appConditions(packages.appGuid, scope, filters).length === 0) {
    return listPage(db, paging, sourceOf(db, scope, filters, appsOnly ? "walk" : "index"));
  }
  const [[visible], [all]] = await db.batch([
    countedTotal(db, scope, filters),
    db.select({ total: sql<number>`coalesce(max(${packages.id}), 0)`.mapWith(Number) }).from(packages),
  ]);
  const total = visible?.total ?? 0;
  const [rows] = pageQueries(
    db,
    paging,
    sourceOf(db, scope, filters, cheaperPlan(paging, total, all?.total ?? 0)),
  );
  const [resources] = await db.batch([rows]);
  return { total, resources };
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
    ...pageQueries(db, paging, sourceOf(db, { appGuid }, filters)),
  ]);
  return { app: appRows[0], page: pageOf(rows, totals) };
}
