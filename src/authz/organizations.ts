// Who may see and manage which organization, as SQL booleans that ride along in the query reading the
// resource. Readers: anyone with a role in the organization or in one of its spaces; writers: its managers.
import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { User } from "../user";
import { always } from "./spaces";

/** Subquery of the guids of the organizations the user belongs to in any role, or manages spaces in. */
export function readableOrganizationGuids(userGuid: string): SQL {
  return sql`(SELECT r.organization_guid FROM roles r WHERE r.user_guid = ${userGuid} AND r.organization_guid IS NOT NULL
    UNION SELECT s.organization_guid FROM spaces s JOIN roles r ON r.space_guid = s.guid WHERE r.user_guid = ${userGuid})`;
}

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
