// SQL for spaces. Reads carry visibility (authz/spaces.ts) and, for writes, the caller's access flags, so
// each check is part of the one query that reads the resource; a list page and its count are one batch.
import { eq } from "drizzle-orm";
import { canWriteOrganization } from "../authz/organizations";
import { canReadSpace, canWriteSpace } from "../authz/spaces";
import type { Db } from "../db/client";
import { inList } from "../db/conditions";
import { listPage, type Paging, type ResourceFilters } from "../db/list-page";
import { organizations, spaces } from "../db/schema";
import { createWithMetadata, findVisible, type Recorded, withMetadata } from "../metadata/resources";
import type { Metadata } from "../metadata/store";
import type { User } from "../user";

export type SpaceView = typeof spaces.$inferSelect & Metadata;

/** The space if it exists and the user may see it. */
export function findSpace(db: Db, user: User, guid: string): Promise<SpaceView | undefined> {
  return findVisible(db, spaces, guid, canReadSpace(user, spaces.guid));
}

/**
 * A space with the caller's access to it. Who may write depends on what they do: a space's developers
 * make apps in it, managers of its organization delete it (admins do both).
 */
export function findSpaceAccess(
  db: Db,
  user: User,
  guid: string,
  writers: "developers" | "organizationManagers",
) {
  return db
    .select({
      space: spaces,
      readable: canReadSpace(user, spaces.guid),
      writable:
        writers === "developers"
          ? canWriteSpace(user, spaces.guid)
          : canWriteOrganization(user, spaces.organizationGuid),
      organizationStatus: organizations.status,
    })
    .from(spaces)
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(eq(spaces.guid, guid))
    .get();
}

export type SpaceFilters = ResourceFilters & {
  names?: string[] | undefined;
  organizationGuids?: string[] | undefined;
};

export function listSpaces(db: Db, user: User, filters: SpaceFilters, paging: Paging) {
  return listPage(db, paging, {
    table: spaces,
    columns: withMetadata(spaces),
    conditions: [
      canReadSpace(user, spaces.guid),
      filters.names && inList(spaces.name, filters.names),
      filters.organizationGuids && inList(spaces.organizationGuid, filters.organizationGuids),
    ],
    filters,
    orderColumns: { name: spaces.name },
  });
}

/**
 * Creates the space with its labels and annotations in one batch; undefined when its organization has a
 * space of that name. Names are stored stripped, as in CC.
 */
export function insertSpace(
  db: Db,
  values: { name: string; organizationGuid: string },
  metadata: Metadata,
  recorded?: Recorded,
): Promise<SpaceView | undefined> {
  return createWithMetadata(
    db,
    spaces,
    metadata,
    (guid, now) =>
      db.insert(spaces).values({
        guid,
        name: values.name.trim(),
        organizationGuid: values.organizationGuid,
        createdAt: now,
        updatedAt: now,
      }),
    recorded,
  );
}
