// SQL for organizations. Visibility is a subquery (authz/organizations.ts), so shows and lists are
// filtered in the query that reads them; a list page and its count go to D1 in one batch.
import { eq } from "drizzle-orm";
import { canReadOrganization, canWriteOrganization } from "../authz/organizations";
import type { Db } from "../db/client";
import { inList } from "../db/conditions";
import { listPage, type Paging, type ResourceFilters } from "../db/list-page";
import { organizations } from "../db/schema";
import { createWithMetadata, findVisible, type Recorded, withMetadata } from "../metadata/resources";
import type { Metadata } from "../metadata/store";
import type { User } from "../user";

export type OrganizationView = typeof organizations.$inferSelect & Metadata;

/** The organization if it exists and the user may see it. */
export function findOrganization(db: Db, user: User, guid: string): Promise<OrganizationView | undefined> {
  return findVisible(db, organizations, guid, canReadOrganization(user, organizations.guid));
}

/**
 * An organization something would be created in (a space, a role), with the caller's access to it:
 * readers see it, admins and its managers write in it.
 */
export function findOrganizationAccess(db: Db, user: User, guid: string) {
  return db
    .select({
      name: organizations.name,
      readable: canReadOrganization(user, organizations.guid),
      writable: canWriteOrganization(user, organizations.guid),
      organizationStatus: organizations.status,
    })
    .from(organizations)
    .where(eq(organizations.guid, guid))
    .get();
}

export type OrganizationFilters = ResourceFilters & { names?: string[] | undefined };

export function listOrganizations(db: Db, user: User, filters: OrganizationFilters, paging: Paging) {
  return listPage(db, paging, {
    table: organizations,
    columns: withMetadata(organizations),
    conditions: [
      canReadOrganization(user, organizations.guid),
      filters.names && inList(organizations.name, filters.names),
    ],
    filters,
    orderColumns: { name: organizations.name },
  });
}

/**
 * Creates the organization with its labels and annotations in one batch; undefined when the name is
 * taken. Names are stored stripped, as in CC.
 */
export function insertOrganization(
  db: Db,
  values: { name: string; suspended: boolean },
  metadata: Metadata,
  recorded?: Recorded,
): Promise<OrganizationView | undefined> {
  return createWithMetadata(
    db,
    organizations,
    metadata,
    (guid, now) =>
      db.insert(organizations).values({
        guid,
        name: values.name.trim(),
        status: values.suspended ? "suspended" : "active",
        createdAt: now,
        updatedAt: now,
      }),
    recorded,
  );
}
