// SQL for organizations. Visibility is a subquery (organizations/access.ts), so shows and lists are
// filtered in the query that reads them; a list page and its count go to D1 in one batch.
import { and, count, eq } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { inList, pageOf, unlessTaken, writeThenRead } from "../db/lists";
import { organizations } from "../db/schema";
import type { User } from "../http/auth";
import type { Paging } from "../http/pagination";
import { type Metadata, metadataColumns, writeMetadataQueries } from "../metadata/store";
import { resourceConditions } from "../packages/list-store";
import { canReadOrganization } from "./access";

export type OrganizationView = typeof organizations.$inferSelect & Metadata;

const columns = { organization: organizations, ...metadataColumns(organizations.guid) };
const view = ({
  organization,
  labels,
  annotations,
}: { organization: typeof organizations.$inferSelect } & Metadata) => ({
  ...organization,
  labels,
  annotations,
});

/** The organization if it exists and the user may see it. */
export async function findOrganization(
  db: Db,
  user: User,
  guid: string,
): Promise<OrganizationView | undefined> {
  const row = await db
    .select(columns)
    .from(organizations)
    .where(and(eq(organizations.guid, guid), canReadOrganization(user, organizations.guid)))
    .get();
  return row && view(row);
}

export type OrganizationFilters = Parameters<typeof resourceConditions>[1] & { names?: string[] | undefined };

const ORDER_COLUMNS = {
  created_at: organizations.createdAt,
  updated_at: organizations.updatedAt,
  name: organizations.name,
};

export async function listOrganizations(db: Db, user: User, filters: OrganizationFilters, paging: Paging) {
  const where = and(
    canReadOrganization(user, organizations.guid),
    ...resourceConditions(organizations, filters),
    filters.names && inList(organizations.name, filters.names),
  );
  const page = pageOf(paging, ORDER_COLUMNS, organizations.id);
  const [rows, totals] = await db.batch([
    db
      .select(columns)
      .from(organizations)
      .where(where)
      .orderBy(...page.orderBy)
      .limit(page.limit)
      .offset(page.offset),
    db.select({ total: count() }).from(organizations).where(where),
  ]);
  return { organizations: rows.map(view), total: totals[0]?.total ?? 0 };
}

/**
 * Creates the organization with its labels and annotations in one batch; undefined when the name is
 * taken. Names are stored stripped, as in CC.
 */
export async function insertOrganization(
  db: Db,
  values: { name: string; suspended: boolean },
  metadata: Metadata,
): Promise<OrganizationView | undefined> {
  const guid = crypto.randomUUID();
  const now = nowSeconds();
  const rows = await unlessTaken(
    writeThenRead(
      db,
      [
        db.insert(organizations).values({
          guid,
          name: values.name.trim(),
          status: values.suspended ? "suspended" : "active",
          createdAt: now,
          updatedAt: now,
        }),
        ...writeMetadataQueries(db, organizations, guid, metadata),
      ],
      db.select(columns).from(organizations).where(eq(organizations.guid, guid)),
    ),
  );
  return rows?.[0] && view(rows[0]);
}
