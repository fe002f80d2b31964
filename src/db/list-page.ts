// A page of any CC list: visibility and filters are conditions of one WHERE, and the page's rows (in CC's
// order) and their total are two statements of one batch, so a list is one D1 round trip.
import { and, asc, count, desc, type SQL, sql } from "drizzle-orm";
import type { SelectResult } from "drizzle-orm/query-builders/select.types";
import type { RunnableQuery } from "drizzle-orm/runnable-query";
import type { SelectedFields, SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import {
  inList,
  type LabelRequirement,
  labelSelectorCondition,
  type TimestampFilter,
  timestampCondition,
} from "./conditions";

export interface Paging {
  /** For offsets: past 2^53 it is not exact, and no list is that long. */
  page: number;
  /** The page exactly as asked, for the links, which must name pages that exist as integers. */
  exactPage: bigint;
  perPage: number;
  orderBy: { field: string; descending: boolean } | undefined;
}

export interface Page<T> {
  total: number;
  resources: T[];
}

/** The filters every list has, on the listed resource itself. */
export interface ResourceFilters {
  guids?: string[] | undefined;
  labelSelector?: LabelRequirement[] | undefined;
  createdAts?: TimestampFilter | undefined;
  updatedAts?: TimestampFilter | undefined;
}

/** The filters that select resources by the space they live in. */
export interface InSpaceFilters {
  spaceGuids?: string[] | undefined;
  organizationGuids?: string[] | undefined;
}

/** Conditions on a space column for `space_guids` and `organization_guids` (through the space's organization). */
export function spaceConditions(spaceGuid: SQLiteColumn | SQL, filters: InSpaceFilters): SQL[] {
  return [
    filters.spaceGuids && inList(spaceGuid, filters.spaceGuids),
    filters.organizationGuids &&
      sql`${spaceGuid} IN (SELECT s.guid FROM spaces s WHERE ${inList(sql`s.organization_guid`, filters.organizationGuids)})`,
  ].filter((condition) => condition !== undefined);
}

/** A listed table: `id` keeps creation order; guid, timestamps and labels take the filters every list has. */
export type ListedTable = SQLiteTable & {
  id: SQLiteColumn;
  guid: SQLiteColumn;
  createdAt: SQLiteColumn;
  updatedAt: SQLiteColumn;
};

function resourceConditions(table: ListedTable, filters: ResourceFilters): (SQL | undefined)[] {
  return [
    filters.guids && inList(table.guid, filters.guids),
    filters.createdAts && timestampCondition(table.createdAt, filters.createdAts),
    filters.updatedAts && timestampCondition(table.updatedAt, filters.updatedAts),
    filters.labelSelector && labelSelectorCondition(table.guid, filters.labelSelector),
  ];
}

export interface ListSource<S extends SelectedFields> {
  table: ListedTable;
  /** What a row of the page holds. */
  columns: S;
  /** Who may see which rows, and the resource's own filters (undefined ones are left out). */
  conditions: (SQL | undefined)[];
  filters: ResourceFilters;
  /** A table the conditions or columns read, inner-joined into the page and its count alike. */
  join?: { table: SQLiteTable; on: SQL };
  /** order_by fields beyond created_at and updated_at, with their columns. */
  orderColumns?: Record<string, SQLiteColumn>;
  /** A cheaper statement giving the same total, when the resource keeps one; else rows are counted. */
  total?: RunnableQuery<{ total: number }[], "sqlite">;
}

/** ORDER BY, LIMIT and OFFSET of the page `paging` asks for. */
function windowOf(paging: Paging, table: ListedTable, orderColumns: Record<string, SQLiteColumn> = {}) {
  const columns: Record<string, SQLiteColumn> = {
    created_at: table.createdAt,
    updated_at: table.updatedAt,
    ...orderColumns,
  };
  const column = paging.orderBy ? columns[paging.orderBy.field] : undefined;
  const direction = paging.orderBy?.descending ? desc : asc;
  return {
    // Ties (timestamps have second precision) keep creation order in the requested direction, as in CC.
    orderBy: column ? [direction(column), direction(table.id)] : [asc(table.id)],
    limit: paging.perPage,
    // A page far past the end is still a valid empty page; keep the offset a safe integer for SQLite.
    offset: Math.min((paging.page - 1) * paging.perPage, Number.MAX_SAFE_INTEGER),
  };
}

/** A row of a page: the selected fields as drizzle reads them. */
export type PageRow<S extends SelectedFields> = SelectResult<S, "partial", Record<string, "not-null">>;

type PageQueries<S extends SelectedFields> = readonly [
  RunnableQuery<PageRow<S>[], "sqlite">,
  RunnableQuery<{ total: number }[], "sqlite">,
];

/** The page's rows and their total, for a batch that may carry other statements (read with `pageOf`). */
export function pageQueries<S extends SelectedFields>(
  db: Db,
  paging: Paging,
  source: ListSource<S>,
): PageQueries<S> {
  const { table, join } = source;
  const where = and(...source.conditions, ...resourceConditions(table, source.filters));
  const { orderBy, limit, offset } = windowOf(paging, table, source.orderColumns);
  // Built over the selection widened to SelectedFields (drizzle cannot chain on a generic one); the
  // rows keep the type drizzle gives the concrete selection.
  const columns: SelectedFields = source.columns;
  let rows = db.select(columns).from(table).$dynamic();
  let total = db.select({ total: count() }).from(table).$dynamic();
  if (join) {
    rows = rows.innerJoin(join.table, join.on);
    total = total.innerJoin(join.table, join.on);
  }
  return [
    rows
      .where(where)
      .orderBy(...orderBy)
      .limit(limit)
      .offset(offset) as RunnableQuery<PageRow<S>[], "sqlite">,
    source.total ?? total.where(where),
  ];
}

/** The page from what `pageQueries` read. */
export function pageOf<T>(rows: T[], totals: { total: number }[]): Page<T> {
  return { total: totals[0]?.total ?? 0, resources: rows };
}

/** A page of a list, in one batch. */
export async function listPage<S extends SelectedFields>(db: Db, paging: Paging, source: ListSource<S>) {
  const [rows, totals] = await db.batch(pageQueries(db, paging, source));
  return pageOf(rows, totals);
}
