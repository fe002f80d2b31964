// SQL for audit events. An event is a statement the action adds to the batch of its change: an
// INSERT … SELECT from the target's row, so it lands only when the target is there and, with `when`,
// only when the change it records happened. Reads carry CC's readable_event_dataset as a condition.
import { and, eq, getTableColumns, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { nowSeconds } from "../db/client";
import { inList } from "../db/conditions";
import { type InSpaceFilters, listPage, type Paging, type ResourceFilters } from "../db/list-page";
import { auditEvents } from "../db/schema";
import type { User } from "../user";

export type AuditEventRow = typeof auditEvents.$inferSelect;

/** What an event is about: a resource (a package's events are about its app), read from its table when written. */
export type AuditTarget =
  | { type: "app" | "space" | "organization"; guid: string }
  | { type: "app"; packageGuid: string }
  /** A role's user, in the role's space (and the space's organization) or organization. */
  | { type: "user"; guid: string; name: string; spaceGuid: string | null; organizationGuid: string | null };

export interface AuditEvent {
  type: string;
  actor: User;
  target: AuditTarget;
  data: Record<string, unknown>;
  /** A condition the event needs besides its target's existence: that the change it records was made. */
  when?: SQL;
}

/** Target guid, name, space and organization as columns of the target's row, and where it is read. */
function targetSource(target: AuditTarget): { columns: [SQL, SQL, SQL, SQL]; from: SQL } {
  if ("packageGuid" in target) {
    return {
      columns: [sql`a.guid`, sql`a.name`, sql`s.guid`, sql`s.organization_guid`],
      from: sql`packages p JOIN apps a ON a.guid = p.app_guid JOIN spaces s ON s.guid = a.space_guid
        WHERE p.guid = ${target.packageGuid}`,
    };
  }
  switch (target.type) {
    case "app":
      return {
        columns: [sql`a.guid`, sql`a.name`, sql`s.guid`, sql`s.organization_guid`],
        from: sql`apps a JOIN spaces s ON s.guid = a.space_guid WHERE a.guid = ${target.guid}`,
      };
    case "space":
      return {
        columns: [sql`s.guid`, sql`s.name`, sql`s.guid`, sql`s.organization_guid`],
        from: sql`spaces s WHERE s.guid = ${target.guid}`,
      };
    case "organization":
      return {
        columns: [sql`o.guid`, sql`o.name`, sql`NULL`, sql`o.guid`],
        from: sql`organizations o WHERE o.guid = ${target.guid}`,
      };
    case "user":
      return {
        columns: [
          sql`u.guid`,
          sql`${target.name}`,
          sql`${target.spaceGuid}`,
          target.organizationGuid === null
            ? sql`(SELECT s.organization_guid FROM spaces s WHERE s.guid = ${target.spaceGuid})`
            : sql`${target.organizationGuid}`,
        ],
        from: sql`users u WHERE u.guid = ${target.guid}`,
      };
  }
}

/** The event as a statement for the action's batch (not awaited here), its columns in the table's order. */
export function auditEventQuery(db: Db, event: AuditEvent) {
  const { columns, from } = targetSource(event.target);
  const [targetGuid, targetName, spaceGuid, organizationGuid] = columns;
  const now = nowSeconds();
  return db.insert(auditEvents).select(
    sql`SELECT NULL, ${crypto.randomUUID()}, ${event.type}, ${event.actor.guid}, 'user', ${event.actor.email},
      ${targetGuid}, ${event.target.type}, ${targetName}, ${spaceGuid}, ${organizationGuid},
      ${JSON.stringify(event.data)}, ${now}, ${now}
    FROM ${from}${event.when ? sql` AND ${event.when}` : sql``}`,
  );
}

/** CC's `audit.<app|space|organization>.<create|delete-request>`: an event about the resource itself. */
export const resourceEvent = (
  db: Db,
  actor: User,
  change: "create" | "delete-request",
  target: { type: "app" | "space" | "organization"; guid: string },
  data: Record<string, unknown>,
) => auditEventQuery(db, { type: `audit.${target.type}.${change}`, actor, target, data });

/** SQL condition: the change the statement just before made at least one row. */
export const changedJustBefore = (): SQL => sql`changes() > 0`;

/** CC's readable_event_dataset: everything for global readers, else by space and organization roles. */
function canReadEvent(user: User): SQL | undefined {
  if (user.globalReader) return undefined;
  return sql`(${auditEvents.spaceGuid} IN (SELECT r.space_guid FROM roles r WHERE r.user_guid = ${user.guid}
      AND r.type IN ('space_auditor', 'space_developer', 'space_supporter'))
    OR ${auditEvents.organizationGuid} IN (SELECT r.organization_guid FROM roles r WHERE r.user_guid = ${user.guid}
      AND r.type = 'organization_auditor'))`;
}

export function findAuditEvent(db: Db, user: User, guid: string): Promise<AuditEventRow | undefined> {
  return db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.guid, guid), canReadEvent(user)))
    .get();
}

export type AuditEventFilters = ResourceFilters &
  InSpaceFilters & {
    types?: string[] | undefined;
    targetGuids?: { not: boolean; guids: string[] } | undefined;
  };

export function listAuditEvents(db: Db, user: User, filters: AuditEventFilters, paging: Paging) {
  const { targetGuids } = filters;
  return listPage(db, paging, {
    table: auditEvents,
    columns: getTableColumns(auditEvents),
    conditions: [
      canReadEvent(user),
      filters.types && inList(auditEvents.type, filters.types),
      targetGuids &&
        (targetGuids.not
          ? sql`NOT (${inList(auditEvents.targetGuid, targetGuids.guids)})`
          : inList(auditEvents.targetGuid, targetGuids.guids)),
      filters.spaceGuids && inList(auditEvents.spaceGuid, filters.spaceGuids),
      filters.organizationGuids && inList(auditEvents.organizationGuid, filters.organizationGuids),
    ],
    filters,
  });
}

// The most events one cron run deletes: after the cron was stopped for a long time, the backlog goes
// over several runs instead of in one statement that reads and returns all of it.
const RETENTION_BATCH = 10_000;

/** Retention: deletes the oldest events created before `before` (epoch seconds), a batch a run; how many went. */
export async function deleteAuditEventsBefore(db: Db, before: number): Promise<number> {
  const oldest = db
    .select({ guid: auditEvents.guid })
    .from(auditEvents)
    .where(lt(auditEvents.createdAt, before))
    .orderBy(auditEvents.createdAt)
    .limit(RETENTION_BATCH);
  // Counted by D1, not by returning up to 10,000 guids only to count them.
  const result = await db.delete(auditEvents).where(inArray(auditEvents.guid, oldest)).run();
  return result.meta.changes;
}
