// SQL for roles. Who may see a role, manage roles in an organization or space, and whether the target user
// belongs to the organization are subqueries of the one query that reads the role or its target.

import { and, eq, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { canWriteOrganization, managesOrganization, readableOrganizationGuids } from "../authz/organizations";
import { always, readableSpaceGuids } from "../authz/spaces";
import { type Db, nowSeconds } from "../db/client";
import { inList } from "../db/conditions";
import { listPage, type Paging, type ResourceFilters } from "../db/list-page";
import { organizations, type RoleType, roles, spaces, users } from "../db/schema";
import { unlessTaken } from "../db/writes";
import type { User } from "../user";

export type RoleRow = typeof roles.$inferSelect;

/** SQL boolean: may the user see the role (a role in a space or organization they can see)? */
function canReadRole(user: User): SQL<boolean> {
  if (user.globalReader) return always();
  return sql<boolean>`(${roles.spaceGuid} IN ${readableSpaceGuids(user.guid)} OR ${roles.organizationGuid} IN ${readableOrganizationGuids(user.guid)})`.mapWith(
    Boolean,
  );
}

/** SQL boolean: CC's can_update_active_space (admins, managers of the organization, managers of the space). */
function canManageSpaceRoles(
  user: User,
  spaceGuid: SQLiteColumn | SQL,
  organizationGuid: SQLiteColumn | SQL,
) {
  if (user.admin) return always();
  return sql<boolean>`(${managesOrganization(user, organizationGuid)} OR ${spaceGuid} IN (SELECT m.space_guid FROM roles m WHERE m.user_guid = ${user.guid} AND m.type = 'space_manager'))`.mapWith(
    Boolean,
  );
}

/** The role if it exists and the user may see it. */
export function findRole(db: Db, user: User, guid: string) {
  return db
    .select()
    .from(roles)
    .where(and(eq(roles.guid, guid), canReadRole(user)))
    .get();
}

/**
 * A role with the caller's access to it, for delete: space roles are managed by managers of the space or
 * its organization, organization roles by managers of the organization; and whether the role's user holds
 * roles in the organization's spaces (which keeps an organization_user role in place).
 */
export function findRoleAccess(db: Db, user: User, guid: string) {
  const organizationGuid = sql`COALESCE(${roles.organizationGuid}, ${spaces.organizationGuid})`;
  return db
    .select({
      role: roles,
      readable: canReadRole(user),
      writable:
        sql<boolean>`CASE WHEN ${roles.spaceGuid} IS NULL THEN ${canWriteOrganization(user, organizationGuid)} ELSE ${canManageSpaceRoles(user, roles.spaceGuid, organizationGuid)} END`.mapWith(
          Boolean,
        ),
      organizationStatus: organizations.status,
      // The query joins, so drizzle qualifies roles.user_guid: it names the outer role, not `x`.
      userHasSpaceRoles:
        sql<boolean>`(${roles.organizationGuid} IN (SELECT xs.organization_guid FROM roles x JOIN spaces xs ON xs.guid = x.space_guid WHERE x.user_guid = ${roles.userGuid}))`.mapWith(
          Boolean,
        ),
    })
    .from(roles)
    .leftJoin(spaces, eq(spaces.guid, roles.spaceGuid))
    .innerJoin(organizations, eq(organizations.guid, organizationGuid))
    .where(eq(roles.guid, guid))
    .get();
}

/** A space a role would be given in: the caller's access, and whether the user is in its organization. */
export function findSpaceRoleTarget(db: Db, user: User, spaceGuid: string, userGuid: string | undefined) {
  return db
    .select({
      name: spaces.name,
      writable: canManageSpaceRoles(user, spaces.guid, spaces.organizationGuid),
      organizationStatus: organizations.status,
      // CC's Space#in_organization?: the user has the organization_user role there.
      userInOrganization:
        sql<boolean>`(${spaces.organizationGuid} IN (SELECT u.organization_guid FROM roles u WHERE u.user_guid = ${userGuid ?? null} AND u.type = 'organization_user'))`.mapWith(
          Boolean,
        ),
    })
    .from(spaces)
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(eq(spaces.guid, spaceGuid))
    .get();
}

export type RoleFilters = ResourceFilters & {
  organizationGuids?: string[] | undefined;
  spaceGuids?: string[] | undefined;
  userGuids?: string[] | undefined;
  types?: string[] | undefined;
};

export function listRoles(db: Db, user: User, filters: RoleFilters, paging: Paging) {
  return listPage(db, paging, {
    table: roles,
    columns: getTableColumns(roles),
    conditions: [
      canReadRole(user),
      filters.organizationGuids && inList(roles.organizationGuid, filters.organizationGuids),
      filters.spaceGuids && inList(roles.spaceGuid, filters.spaceGuids),
      filters.userGuids && inList(roles.userGuid, filters.userGuids),
      filters.types && inList(roles.type, filters.types),
    ],
    filters,
  });
}

/**
 * Records the user on first sight and gives them the role, in one batch; undefined when they already hold
 * it there.
 */
export async function insertRole(
  db: Db,
  values: { type: RoleType; userGuid: string; spaceGuid?: string; organizationGuid?: string },
  recorded: BatchItem<"sqlite">[] = [],
): Promise<RoleRow | undefined> {
  const now = nowSeconds();
  const results = await unlessTaken(
    db.batch([
      db.insert(users).values({ guid: values.userGuid, createdAt: now }).onConflictDoNothing(),
      db
        .insert(roles)
        .values({
          guid: crypto.randomUUID(),
          type: values.type,
          userGuid: values.userGuid,
          spaceGuid: values.spaceGuid ?? null,
          organizationGuid: values.organizationGuid ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning(),
      ...recorded,
    ]),
  );
  return results?.[1][0];
}
