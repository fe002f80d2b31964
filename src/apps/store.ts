// SQL for apps. Visibility and write access come from authz/spaces.ts inside the query that reads the app
// or its space; a list page and its count are one batch.
import { canReadSpace } from "../authz/spaces";
import type { Db } from "../db/client";
import { inList } from "../db/conditions";
import type { Paging } from "../db/list-page";
import { type InSpaceFilters, listPage, type ResourceFilters, spaceConditions } from "../db/list-page";
import { apps } from "../db/schema";
import { createWithMetadata, findVisible, withMetadata } from "../metadata/resources";
import type { Metadata } from "../metadata/store";
import type { User } from "../user";

type AppRow = typeof apps.$inferSelect;
export type AppView = AppRow & Metadata;

/** The app if it exists and the user may see its space. */
export function findApp(db: Db, user: User, guid: string): Promise<AppView | undefined> {
  return findVisible(db, apps, guid, canReadSpace(user, apps.spaceGuid));
}

export type AppFilters = ResourceFilters & InSpaceFilters & { names?: string[] | undefined };

export function listApps(db: Db, user: User, filters: AppFilters, paging: Paging) {
  return listPage(db, paging, {
    table: apps,
    columns: withMetadata(apps),
    conditions: [
      canReadSpace(user, apps.spaceGuid),
      ...spaceConditions(apps.spaceGuid, filters),
      filters.names && inList(apps.name, filters.names),
    ],
    filters,
    orderColumns: { name: apps.name },
  });
}

/**
 * Creates the app, STOPPED, with its labels and annotations in one batch; undefined when its space has an
 * app of that name. Names are stored stripped, as in CC.
 */
export function insertApp(
  db: Db,
  values: { name: string; spaceGuid: string; lifecycleType: AppRow["lifecycleType"] },
  metadata: Metadata,
): Promise<AppView | undefined> {
  return createWithMetadata(db, apps, metadata, (guid, now) =>
    db.insert(apps).values({
      guid,
      name: values.name.trim(),
      spaceGuid: values.spaceGuid,
      lifecycleType: values.lifecycleType,
      createdAt: now,
      updatedAt: now,
    }),
  );
}
