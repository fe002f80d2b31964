// SQL for package lists. A page and its total are two statements of one batch (one D1 round trip),
// together with the app check on an app's list. Visibility and every filter are conditions of those
// statements; lists of guids are bound as one JSON parameter each, whatever their length.
import { eq, type SQL, sql } from "drizzle-orm";
import { type AppAccess, appAccessQuery } from "../apps/access";
import { readableSpaceGuids } from "../authz/spaces";
import type { Db } from "../db/client";
import {
  type InSpaceFilters,
  listPage,
  type Page,
  pageOf,
  pageQueries,
  type ResourceFilters,
  spaceConditions,
} from "../db/list-page";
import { inList } from "../db/lists";
import { withMetadata } from "../db/resources";
import { packages } from "../db/schema";
import type { User } from "../http/auth";
import type { Paging } from "../http/pagination";
import type { PackageView } from "./store";

export type PackageListFilters = ResourceFilters &
  InSpaceFilters & {
    states?: string[] | undefined;
    types?: string[] | undefined;
    appGuids?: string[] | undefined;
  };

/** Whose packages a list may show: every app's (global readers), an app's, or the user's spaces'. */
type Scope = { appGuid: string } | { user: User };

function sourceOf(scope: Scope, filters: PackageListFilters) {
  const spaceFilters = [
    ...("user" in scope && !scope.user.globalReader
      ? [sql`a.space_guid IN ${readableSpaceGuids(scope.user.guid)}`]
      : []),
    ...spaceConditions(sql`a.space_guid`, filters),
  ];
  const conditions: (SQL | undefined)[] = [
    "appGuid" in scope ? eq(packages.appGuid, scope.appGuid) : undefined,
    filters.appGuids && inList(packages.appGuid, filters.appGuids),
    // Where the package's app lives is asked of apps by guid list, so packages stay unjoined.
    spaceFilters.length
      ? sql`${packages.appGuid} IN (SELECT a.guid FROM apps a WHERE ${sql.join(spaceFilters, sql` AND `)})`
      : undefined,
    filters.states && inList(packages.state, filters.states),
    filters.types && inList(packages.type, filters.types),
  ];
  return { table: packages, columns: withMetadata(packages), conditions, filters };
}

/** A page of the packages the user may see (`GET /v3/packages`). */
export function listPackages(
  db: Db,
  user: User,
  filters: PackageListFilters,
  paging: Paging,
): Promise<Page<PackageView>> {
  return listPage(db, paging, sourceOf({ user }, filters));
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
    ...pageQueries(db, paging, sourceOf({ appGuid }, filters)),
  ]);
  return { app: appRows[0], page: pageOf(rows, totals) };
}
