// Who may manage an organization, as SQL booleans that ride along in the query reading the resource.
import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { always, readableOrganizationGuids } from "../authz/spaces";
import type { User } from "../user";

/** SQL boolean: may the user see the organization (CC's can_read_from_org)? */
export function canReadOrganization(user: User, organizationGuid: SQLiteColumn | SQL): SQL<boolean> {
  if (user.globalReader) return always();
  return sql<boolean>`(${organizationGuid} IN ${readableOrganizationGuids(user.guid)})`.mapWith(Boolean);
}

/**
 * SQL boolean: is the user an organization manager of `organizationGuid`? The column stays outside the
 * subquery: drizzle leaves columns unqualified in single-table selects, where a correlated reference
 * inside `FROM roles` would silently bind to the roles table instead.
 */
export function managesOrganization(user: User, organizationGuid: SQLiteColumn | SQL): SQL<boolean> {
  return sql<boolean>`(${organizationGuid} IN (SELECT m.organization_guid FROM roles m WHERE m.user_guid = ${user.guid} AND m.type = 'organization_manager'))`.mapWith(
    Boolean,
  );
}

/** SQL boolean: CC's can_write_to_active_org (admins, and managers of the organization). */
export function canWriteOrganization(user: User, organizationGuid: SQLiteColumn | SQL): SQL<boolean> {
  return user.admin ? always() : managesOrganization(user, organizationGuid);
}
