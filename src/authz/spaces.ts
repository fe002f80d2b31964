// Who may see and write which space, as SQL, so every check rides along in the query that reads the
// resource (one D1 round trip) and lists are filtered in SQL, never row by row.
// Readers: space developer, manager, auditor, supporter, and organization manager of the space's org.
// Writers: space developers. Global readers and admins are decided from the token, not in SQL.
import { type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { organizations } from "../db/schema";
import type { User } from "../user";

/** SQL boolean true: for callers whose scopes decide without looking at roles. */
export const always = () => sql<boolean>`1`.mapWith(Boolean);

const SPACE_READER_ROLES = sql.raw(`'space_developer','space_manager','space_auditor','space_supporter'`);

/** Subquery of the guids of the spaces the user may read. */
export function readableSpaceGuids(userGuid: string): SQL {
  return sql`(SELECT r.space_guid FROM roles r WHERE r.user_guid = ${userGuid} AND r.space_guid IS NOT NULL AND r.type IN (${SPACE_READER_ROLES})
    UNION SELECT s.guid FROM spaces s JOIN roles r ON r.organization_guid = s.organization_guid
      WHERE r.user_guid = ${userGuid} AND r.type = 'organization_manager')`;
}

/** SQL boolean: may the user read the space in `spaceGuid`? */
export function canReadSpace(user: User, spaceGuid: SQLiteColumn | SQL): SQL<boolean> {
  if (user.globalReader) return always();
  return sql<boolean>`(${spaceGuid} IN ${readableSpaceGuids(user.guid)})`.mapWith(Boolean);
}

/** SQL boolean: may the user write to (develop in) the space in `spaceGuid`? */
export function canWriteSpace(user: User, spaceGuid: SQLiteColumn | SQL): SQL<boolean> {
  if (user.admin) return always();
  // The space column stays outside the subquery, so it can never bind to roles' own space_guid.
  return sql<boolean>`(${spaceGuid} IN (SELECT r.space_guid FROM roles r WHERE r.user_guid = ${user.guid} AND r.type = 'space_developer'))`.mapWith(
    Boolean,
  );
}

/**
 * The caller's access flags (see assert-writable.ts) for a resource in the space `spaceGuid`, as columns
 * of a select that joins the space's organization. Aliased: inside db.batch, D1 rows come back keyed by
 * column name, so equal expressions collide.
 */
export const spaceAccessColumns = (user: User, spaceGuid: SQLiteColumn) => ({
  readable: canReadSpace(user, spaceGuid).as("readable"),
  writable: canWriteSpace(user, spaceGuid).as("writable"),
  organizationStatus: organizations.status,
});
