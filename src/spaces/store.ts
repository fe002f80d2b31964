// SQL for spaces. Reads carry visibility (authz/spaces.ts) and, for writes, the caller's access flags, so
// each check is part of the one query that reads the resource; a list page and its count are one batch.
import { and, count, eq } from "drizzle-orm";
import { canReadSpace } from "../authz/spaces";
import { type Db, nowSeconds } from "../db/client";
import { inList, pageOf, unlessTaken, writeThenRead } from "../db/lists";
import { organizations, spaces } from "../db/schema";
import type { User } from "../http/auth";
import type { Paging } from "../http/pagination";
import { type Metadata, metadataColumns, writeMetadataQueries } from "../metadata/store";
import { canReadOrganization, canWriteOrganization } from "../organizations/access";
import { resourceConditions } from "../packages/list-store";

type SpaceRow = typeof spaces.$inferSelect;
export type SpaceView = SpaceRow & Metadata;

const columns = { space: spaces, ...metadataColumns(spaces.guid) };
const view = ({ space, labels, annotations }: { space: SpaceRow } & Metadata): SpaceView => ({
  ...space,
  labels,
  annotations,
});

/** The space if it exists and the user may see it. */
export async function findSpace(db: Db, user: User, guid: string): Promise<SpaceView | undefined> {
  const row = await db
    .select(columns)
    .from(spaces)
    .where(and(eq(spaces.guid, guid), canReadSpace(user, spaces.guid)))
    .get();
  return row && view(row);
}

/** A space with the caller's access to it (delete: managers of its organization). */
export function findSpaceAccess(db: Db, user: User, guid: string) {
  return db
    .select({
      space: spaces,
      readable: canReadSpace(user, spaces.guid),
      writable: canWriteOrganization(user, spaces.organizationGuid),
      organizationStatus: organizations.status,
    })
    .from(spaces)
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(eq(spaces.guid, guid))
    .get();
}

/** The organization a new space goes in, with the caller's access to it. */
export function findOrganizationAccess(db: Db, user: User, organizationGuid: string) {
  return db
    .select({
      readable: canReadOrganization(user, organizations.guid),
      writable: canWriteOrganization(user, organizations.guid),
      organizationStatus: organizations.status,
    })
    .from(organizations)
    .where(eq(organizations.guid, organizationGuid))
    .get();
}

export type SpaceFilters = Parameters<typeof resourceConditions>[1] & {
  names?: string[] | undefined;
  organizationGuids?: string[] | undefined;
};

const ORDER_COLUMNS = { created_at: spaces.createdAt, updated_at: spaces.updatedAt, name: spaces.name };

export async function listSpaces(db: Db, user: User, filters: SpaceFilters, paging: Paging) {
  const where = and(
    canReadSpace(user, spaces.guid),
    ...resourceConditions(spaces, filters),
    filters.names && inList(spaces.name, filters.names),
    filters.organizationGuids && inList(spaces.organizationGuid, filters.organizationGuids),
  );
  const page = pageOf(paging, ORDER_COLUMNS, spaces.id);
  const [rows, totals] = await db.batch([
    db
      .select(columns)
      .from(spaces)
      .where(where)
      .orderBy(...page.orderBy)
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: count() }).from(spaces).where(where),
  ]);
  return { spaces: rows.map(view), total: totals[0]?.total ?? 0 };
}

/**
 * Creates the space with its labels and annotations in one batch; undefined when its organization has a
 * space of that name. Names are stored stripped, as in CC.
 */
export async function insertSpace(
  db: Db,
  values: { name: string; organizationGuid: string },
  metadata: Metadata,
): Promise<SpaceView | undefined> {
  const guid = crypto.randomUUID();
  const now = nowSeconds();
  const rows = await unlessTaken(
    writeThenRead(
      db,
      [
        db.insert(spaces).values({
          guid,
          name: values.name.trim(),
          organizationGuid: values.organizationGuid,
          createdAt: now,
          updatedAt: now,
        }),
        ...writeMetadataQueries(db, spaces, guid, metadata),
      ],
      db.select(columns).from(spaces).where(eq(spaces.guid, guid)),
    ),
  );
  return rows?.[0] && view(rows[0]);
}
