// D1 schema. Resources are addressed by `guid`; the integer `id` keeps creation order, which is Cloud
// Controller's default list order. Timestamps are epoch seconds (CC's precision); presenters format them.
// Foreign keys point at guids so a row carries the guid its JSON shows, with no join to present it.
// No ON DELETE CASCADE: drizzle-kit table rebuilds on D1 would cascade deletes (see platform notes);
// stores delete children explicitly in one batch.
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

const timestamps = {
  createdAt: integer().notNull(),
  updatedAt: integer().notNull(),
};

export const ORGANIZATION_STATUSES = ["active", "suspended"] as const;

export const organizations = sqliteTable("organizations", {
  id: integer().primaryKey({ autoIncrement: true }),
  guid: text().notNull().unique(),
  name: text().notNull().unique(),
  status: text({ enum: ORGANIZATION_STATUSES }).notNull().default("active"),
  ...timestamps,
});

export const spaces = sqliteTable(
  "spaces",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    name: text().notNull(),
    organizationGuid: text()
      .notNull()
      .references(() => organizations.guid),
    ...timestamps,
  },
  (t) => [uniqueIndex("spaces_organization_name").on(t.organizationGuid, t.name)],
);

export const LIFECYCLE_TYPES = ["buildpack", "docker", "cnb"] as const;
export type LifecycleType = (typeof LIFECYCLE_TYPES)[number];

export const apps = sqliteTable(
  "apps",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    name: text().notNull(),
    spaceGuid: text()
      .notNull()
      .references(() => spaces.guid),
    lifecycleType: text({ enum: LIFECYCLE_TYPES }).notNull().default("buildpack"),
    ...timestamps,
  },
  (t) => [uniqueIndex("apps_space_name").on(t.spaceGuid, t.name)],
);

export const users = sqliteTable("users", {
  id: integer().primaryKey({ autoIncrement: true }),
  guid: text().notNull().unique(),
  createdAt: integer().notNull(),
});

export const SPACE_ROLE_TYPES = [
  "space_developer",
  "space_manager",
  "space_auditor",
  "space_supporter",
] as const;
export const ORGANIZATION_ROLE_TYPES = [
  "organization_user",
  "organization_manager",
  "organization_auditor",
  "organization_billing_manager",
] as const;
export const ROLE_TYPES = [...ORGANIZATION_ROLE_TYPES, ...SPACE_ROLE_TYPES] as const;
export type RoleType = (typeof ROLE_TYPES)[number];

// A role is either an organization role (organization_guid set) or a space role (space_guid set).
// Visibility checks look roles up by (user, space) and (user, organization), so both are indexed.
export const roles = sqliteTable(
  "roles",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    type: text({ enum: ROLE_TYPES }).notNull(),
    userGuid: text()
      .notNull()
      .references(() => users.guid),
    organizationGuid: text().references(() => organizations.guid),
    spaceGuid: text().references(() => spaces.guid),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("roles_user_space_type")
      .on(t.userGuid, t.spaceGuid, t.type)
      .where(sql`${t.spaceGuid} IS NOT NULL`),
    uniqueIndex("roles_user_organization_type")
      .on(t.userGuid, t.organizationGuid, t.type)
      .where(sql`${t.organizationGuid} IS NOT NULL`),
    index("roles_space").on(t.spaceGuid),
    index("roles_organization").on(t.organizationGuid),
  ],
);

export const PACKAGE_TYPES = ["bits", "docker"] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];
export const PACKAGE_STATES = [
  "AWAITING_UPLOAD",
  "PROCESSING_UPLOAD",
  "READY",
  "FAILED",
  "COPYING",
  "EXPIRED",
] as const;
export type PackageState = (typeof PACKAGE_STATES)[number];

export const packages = sqliteTable(
  "packages",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    type: text({ enum: PACKAGE_TYPES }).notNull(),
    state: text({ enum: PACKAGE_STATES }).notNull(),
    appGuid: text()
      .notNull()
      .references(() => apps.guid),
    dockerImage: text(),
    dockerUsername: text(),
    dockerPassword: text(),
    sha1: text(),
    sha256: text(),
    error: text(),
    // Bytes of the stored zip in R2 (bits packages once READY).
    bitsSize: integer(),
    // The R2 multipart upload of a PROCESSING_UPLOAD package's bits, while one is open: the watchdog
    // aborts it when the upload dies with its isolate, so no parts are left behind.
    multipartUploadId: text(),
    ...timestamps,
  },
  (t) => [
    index("packages_app_id").on(t.appGuid, t.id),
    index("packages_app_created_at").on(t.appGuid, t.createdAt),
    index("packages_state_updated_at").on(t.state, t.updatedAt),
    index("packages_created_at").on(t.createdAt),
    index("packages_updated_at").on(t.updatedAt),
  ],
);

// Labels and annotations of any resource, keyed by the resource's guid (guids are unique across
// resource types). `key` is "prefix/name" or "name", as presented.
// How many packages each app has, kept by triggers on packages (migrations/0002), so an unfiltered
// list's total sums a row per visible app instead of counting every package.
export const appPackageCounts = sqliteTable("app_package_counts", {
  appGuid: text().primaryKey(),
  total: integer().notNull(),
});

export const labels = sqliteTable(
  "labels",
  {
    resourceGuid: text().notNull(),
    key: text().notNull(),
    value: text(),
  },
  (t) => [primaryKey({ columns: [t.resourceGuid, t.key] }), index("labels_key_value").on(t.key, t.value)],
);

export const annotations = sqliteTable(
  "annotations",
  {
    resourceGuid: text().notNull(),
    key: text().notNull(),
    value: text(),
  },
  (t) => [primaryKey({ columns: [t.resourceGuid, t.key] })],
);

export const JOB_STATES = ["PROCESSING", "COMPLETE", "FAILED"] as const;
export type JobState = (typeof JOB_STATES)[number];

export const jobs = sqliteTable(
  "jobs",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    operation: text().notNull(),
    state: text({ enum: JOB_STATES }).notNull(),
    resourceType: text().notNull(),
    resourceGuid: text().notNull(),
    // The user who started the job: only they (or global readers) may see it, as in CC.
    userGuid: text().notNull(),
    errors: text({ mode: "json" }).$type<{ detail: string; title: string; code: number }[]>().notNull(),
    warnings: text({ mode: "json" }).$type<{ detail: string }[]>().notNull(),
    ...timestamps,
  },
  (t) => [index("jobs_state_updated_at").on(t.state, t.updatedAt)],
);

export const DROPLET_STATES = [
  "AWAITING_UPLOAD",
  "PROCESSING_UPLOAD",
  "STAGED",
  "COPYING",
  "FAILED",
  "EXPIRED",
] as const;

// Droplets are staged elsewhere; packages only list theirs, so this table holds what they need to.
export const droplets = sqliteTable(
  "droplets",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    state: text({ enum: DROPLET_STATES }).notNull(),
    packageGuid: text().references(() => packages.guid),
    appGuid: text()
      .notNull()
      .references(() => apps.guid),
    ...timestamps,
  },
  (t) => [index("droplets_package_id").on(t.packageGuid, t.id), index("droplets_app").on(t.appGuid)],
);

// Files of uploaded packages kept content-addressed in R2 (key resources/<sha1>) for resource matching.
// last_used_at (a match or an upload naming it) decides what the cron prunes first.
export const cachedResources = sqliteTable(
  "cached_resources",
  {
    sha1: text().primaryKey(),
    size: integer().notNull(),
    createdAt: integer().notNull(),
    lastUsedAt: integer().notNull().default(0),
  },
  (t) => [index("cached_resources_last_used_at").on(t.lastUsedAt, t.sha1)],
);

// The one row holding the bytes of all cached resources, kept by triggers on cached_resources
// (migrations/0004), so the cron knows whether the cache is over its size without summing every row.
export const resourceCacheSize = sqliteTable("resource_cache_size", {
  id: integer().primaryKey(),
  bytes: integer().notNull(),
});

// R2 objects that must go: deleted by the scheduled handler and retried until R2 confirms, so a failed
// delete is never silently dropped.
export const blobDeletions = sqliteTable("blob_deletions", {
  key: text().primaryKey(),
  attempts: integer().notNull().default(0),
  lastError: text(),
  createdAt: integer().notNull(),
});

// Cloud Controller's audit events: who did what to which resource, written in the batch of the change
// itself. Target name, space and organization are copied in, so an event outlives what it names.
export const auditEvents = sqliteTable(
  "audit_events",
  {
    id: integer().primaryKey({ autoIncrement: true }),
    guid: text().notNull().unique(),
    type: text().notNull(),
    actorGuid: text().notNull(),
    actorType: text().notNull(),
    actorName: text().notNull(),
    targetGuid: text().notNull(),
    targetType: text().notNull(),
    targetName: text().notNull(),
    spaceGuid: text(),
    organizationGuid: text(),
    data: text({ mode: "json" }).$type<Record<string, unknown>>().notNull(),
    ...timestamps,
  },
  (t) => [
    index("audit_events_created_at").on(t.createdAt),
    index("audit_events_target").on(t.targetGuid),
    index("audit_events_space").on(t.spaceGuid),
    index("audit_events_organization").on(t.organizationGuid),
  ],
);
