// Labels and annotations of any resource, read inside the query that reads the resource (one round trip).
import { and, eq, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client";
import { inJsonList } from "../db/conditions";
import { annotations, labels } from "../db/schema";

export type MetadataMap = Record<string, string | null>;
export interface Metadata {
  labels: MetadataMap;
  annotations: MetadataMap;
}
export type MetadataKind = keyof Metadata;

/** CC's defaults for max_labels_per_resource and max_annotations_per_resource. */
export const METADATA_LIMITS: Readonly<Record<MetadataKind, number>> = { labels: 50, annotations: 200 };

const asMap = (json: unknown): MetadataMap => (typeof json === "string" ? JSON.parse(json) : {});

/** Columns giving a resource's labels and annotations as objects, for a select list (aliased, so rows
 * read inside db.batch, which come back keyed by column name, keep them apart). */
export function metadataColumns(resourceGuid: SQLiteColumn | SQL) {
  return {
    labels:
      sql<MetadataMap>`(SELECT json_group_object(l.key, l.value) FROM labels l WHERE l.resource_guid = ${resourceGuid})`
        .mapWith(asMap)
        .as("labels"),
    annotations:
      sql<MetadataMap>`(SELECT json_group_object(a.key, a.value) FROM annotations a WHERE a.resource_guid = ${resourceGuid})`
        .mapWith(asMap)
        .as("annotations"),
  };
}

// Writes. A null value deletes its key; other values are upserted, but only while the owning resource
// still exists, so a write racing the resource's deletion leaves no orphaned rows. Upserts and deletions
// are one statement each whatever their number: the keys go in as one JSON parameter (D1 binds at most
// 100 a statement), so a body of thousands of deletions is not thousands of statements.

type MetadataTable = typeof labels | typeof annotations;

/** The table that owns metadata, addressed by its `guid` column (packages, apps, spaces, ...). */
export type MetadataOwner = SQLiteTable & { guid: SQLiteColumn };

function writeKeys(
  db: Db,
  table: MetadataTable,
  owner: MetadataOwner,
  resourceGuid: string,
  changes: MetadataMap,
): BatchItem<"sqlite">[] {
  const entries = Object.entries(changes);
  const upserts = entries.filter(([, value]) => value !== null);
  const deletions = entries.filter(([, value]) => value === null).map(([key]) => key);
  return [
    ...(upserts.length
      ? [
          db
            .insert(table)
            .select(
              sql`SELECT ${resourceGuid}, key, value FROM json_each(${JSON.stringify(Object.fromEntries(upserts))})
                WHERE EXISTS (SELECT 1 FROM ${owner} WHERE ${owner.guid} = ${resourceGuid})`,
            )
            .onConflictDoUpdate({
              target: [table.resourceGuid, table.key],
              set: { value: sql`excluded.value` },
            }),
        ]
      : []),
    ...(deletions.length
      ? [db.delete(table).where(and(eq(table.resourceGuid, resourceGuid), inJsonList(table.key, deletions)))]
      : []),
  ];
}

/** Statements applying `changes` to a resource's metadata; put them in the batch that writes the resource. */
export function writeMetadataQueries(
  db: Db,
  owner: MetadataOwner,
  resourceGuid: string,
  changes: Metadata,
): BatchItem<"sqlite">[] {
  return [
    ...writeKeys(db, labels, owner, resourceGuid, changes.labels),
    ...writeKeys(db, annotations, owner, resourceGuid, changes.annotations),
  ];
}

const TABLES: Readonly<Record<MetadataKind, MetadataTable>> = { labels, annotations };

/**
 * The most a resource's annotations may take as JSON (each key and value quoted), which a read
 * aggregates into one value: D1 refuses values over 2,000,000 bytes. CC has no such limit; 200
 * annotations of 5,000 ASCII characters fit, while ones of multi-byte characters could pass D1's limit.
 */
export const MAX_ANNOTATION_BYTES = 1_500_000;

/** A limit a write would pass: too many keys (CC's), or annotations too large to read back (ours). */
export interface MetadataLimit {
  kind: MetadataKind;
  of: "keys" | "bytes";
}

/** The bytes `key` and `value` take, quoted, in the JSON a read aggregates. */
const quotedBytes = (key: SQL, value: SQL) =>
  sql`COALESCE(SUM(length(CAST(json_quote(${key}) AS BLOB)) + length(CAST(json_quote(${value}) AS BLOB))), 0)`;

/**
 * A statement that fails, rolling its batch back, when `changes` would take the resource past a limit
 * (as CC rules: a change that grows nothing always passes). It reads the keys the resource has when the
 * batch runs, so writers racing each other cannot together pass a limit that each passed alone. It
 * fails by inserting a NULL resource guid (too many keys) or a NULL key (too many bytes), which only this
 * guard ever does: see `exceededMetadataLimit`.
 */
function limitGuard(db: Db, kind: MetadataKind, resourceGuid: string, changes: MetadataMap) {
  const table = TABLES[kind];
  const setting = Object.entries(changes).filter(([, value]) => value !== null);
  if (setting.length === 0) return [];
  const stored = (what: SQL, also?: SQL) =>
    sql`(SELECT ${what} FROM ${table} WHERE ${table.resourceGuid} = ${resourceGuid}${also ? sql` AND ${also}` : sql``})`;
  const untouched = sql`NOT ${inJsonList(table.key, Object.keys(changes))}`;
  const grows = (before: SQL, after: SQL, max: number) => sql`(${after} > ${max} AND ${after} > ${before})`;
  const tooManyKeys = grows(
    stored(sql`COUNT(*)`),
    sql`(${stored(sql`COUNT(*)`, untouched)} + ${setting.length})`,
    METADATA_LIMITS[kind],
  );
  const storedBytes = quotedBytes(sql`${table.key}`, sql`${table.value}`);
  const tooManyBytes =
    kind === "annotations"
      ? grows(
          stored(storedBytes),
          sql`(${stored(storedBytes, untouched)} + (SELECT ${quotedBytes(sql`key`, sql`value`)} FROM json_each(${JSON.stringify(Object.fromEntries(setting))})))`,
          MAX_ANNOTATION_BYTES,
        )
      : sql`0`;
  return [
    db
      .insert(table)
      .select(
        sql`SELECT CASE WHEN ${tooManyKeys} THEN NULL ELSE 'bytes' END, NULL, NULL WHERE ${tooManyKeys} OR ${tooManyBytes}`,
      ),
  ];
}

/** Guards for a batch that writes `changes`, before its metadata writes: it fails past the limits. */
export function metadataLimitGuards(db: Db, resourceGuid: string, changes: Metadata): BatchItem<"sqlite">[] {
  return [
    ...limitGuard(db, "labels", resourceGuid, changes.labels),
    ...limitGuard(db, "annotations", resourceGuid, changes.annotations),
  ];
}

/** The limit a batch with `metadataLimitGuards` failed on, or undefined for any other failure. */
export function exceededMetadataLimit(err: unknown): MetadataLimit | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const match = /NOT NULL constraint failed: (labels|annotations)\.(resource_guid|key)\b/.exec(e.message);
    if (match) return { kind: match[1] as MetadataKind, of: match[2] === "key" ? "bytes" : "keys" };
  }
  return undefined;
}
