// Resources that carry labels and annotations (organizations, spaces, apps): the columns that read one
// with its metadata, its read by guid under a visibility condition, and its create together with its
// metadata in one batch that reads it back.
import { and, eq, getTableColumns, type SQL } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { type Db, nowSeconds } from "../db/client";
import { unlessTaken, writeThenRead } from "../db/writes";
import { type Metadata, type MetadataOwner, metadataColumns, writeMetadataQueries } from "./store";

/** The statements that go in a create's batch with it (its audit event), given the new row's guid. */
export type Recorded = (guid: string) => BatchItem<"sqlite">[];

/** Columns reading a row of `table` with its labels and annotations, as presenters show it. */
export const withMetadata = <T extends MetadataOwner>(table: T) => ({
  ...getTableColumns(table),
  ...metadataColumns(table.guid),
});

/** The resource `guid` with its metadata, if `visible` (SQL: may the caller see it?) holds for it. */
export function findVisible<T extends MetadataOwner>(db: Db, table: T, guid: string, visible: SQL) {
  return db
    .select(withMetadata(table))
    .from(table)
    .where(and(eq(table.guid, guid), visible))
    .get();
}

/**
 * Creates a resource and its labels and annotations in one batch, and reads it back; undefined when the
 * insert hit a UNIQUE constraint (a name already taken). `insert` writes the row, given its new guid and
 * the creation time; `recorded` gives what goes with it (its audit event), given the guid.
 */
export async function createWithMetadata<T extends MetadataOwner>(
  db: Db,
  table: T,
  metadata: Metadata,
  insert: (guid: string, now: number) => BatchItem<"sqlite">,
  recorded: Recorded = () => [],
) {
  const guid = crypto.randomUUID();
  const rows = await unlessTaken(
    writeThenRead(
      db,
      [insert(guid, nowSeconds()), ...recorded(guid), ...writeMetadataQueries(db, table, guid, metadata)],
      db.select(withMetadata(table)).from(table).where(eq(table.guid, guid)),
    ),
  );
  return rows?.[0];
}
