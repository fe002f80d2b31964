// Labels and annotations of any resource, read inside the query that reads the resource (one round trip).
import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

export type MetadataMap = Record<string, string | null>;
export interface Metadata {
  labels: MetadataMap;
  annotations: MetadataMap;
}

const asMap = (json: unknown): MetadataMap => (typeof json === "string" ? JSON.parse(json) : {});

/** Columns giving a resource's labels and annotations as objects, for a select list. */
export function metadataColumns(resourceGuid: SQLiteColumn | SQL) {
  return {
    labels:
      sql<MetadataMap>`(SELECT json_group_object(l.key, l.value) FROM labels l WHERE l.resource_guid = ${resourceGuid})`.mapWith(
        asMap,
      ),
    annotations:
      sql<MetadataMap>`(SELECT json_group_object(a.key, a.value) FROM annotations a WHERE a.resource_guid = ${resourceGuid})`.mapWith(
        asMap,
      ),
  };
}
