// SQL for packages. Reads carry the caller's access flags and the package's metadata, so a show,
// or the checks before a write, is one D1 round trip.
import { and, eq, getTableColumns, inArray, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import type { SQLiteInsertSelectQueryBuilder } from "drizzle-orm/sqlite-core";
import { type AppAccess, appAccessQuery, appTakesWrites } from "../apps/store";
import { canWriteSpace, spaceAccessColumns } from "../authz/spaces";
import { type Db, nowSeconds } from "../db/client";
import {
  apps,
  type LifecycleType,
  organizations,
  type PackageState,
  type PackageType,
  packages,
  spaces,
} from "../db/schema";
import { writeThenRead } from "../db/writes";
import {
  exceededMetadataLimit,
  type Metadata,
  type MetadataLimit,
  metadataColumns,
  metadataLimitGuards,
  writeMetadataQueries,
} from "../metadata/store";
import type { User } from "../user";

export type PackageRow = typeof packages.$inferSelect;
export type PackageView = PackageRow & {
  labels: Record<string, string | null>;
  annotations: Record<string, string | null>;
};

export function packageAccessQuery(db: Db, user: User, guid: string) {
  return db
    .select({
      package: packages,
      ...metadataColumns(packages.guid),
      spaceGuid: apps.spaceGuid,
      ...spaceAccessColumns(user, apps.spaceGuid),
    })
    .from(packages)
    .innerJoin(apps, eq(apps.guid, packages.appGuid))
    .innerJoin(spaces, eq(spaces.guid, apps.spaceGuid))
    .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
    .where(eq(packages.guid, guid));
}

type PackageAccessRow = NonNullable<Awaited<ReturnType<ReturnType<typeof packageAccessQuery>["get"]>>>;
export type PackageAccess = Omit<PackageAccessRow, "package" | "labels" | "annotations"> & {
  package: PackageView;
};

export function toAccess(row: PackageAccessRow | undefined): PackageAccess | undefined {
  if (!row) return undefined;
  const { package: pkg, labels, annotations, ...access } = row;
  return { ...access, package: { ...pkg, labels, annotations } };
}

/** A package with the caller's access to it, or undefined when it does not exist. */
export async function findPackageAccess(
  db: Db,
  user: User,
  guid: string,
): Promise<PackageAccess | undefined> {
  return toAccess(await packageAccessQuery(db, user, guid).get());
}

/**
 * The package with the caller's access, and `recorded` (the download's audit event) in the same round
 * trip, landing only when the package is bits, READY and the caller may take its bits: a developer of
 * its space or a global secret reader.
 */
export async function findPackageForDownload(
  db: Db,
  user: User,
  guid: string,
  recorded?: (when: SQL) => BatchItem<"sqlite">,
): Promise<PackageAccess | undefined> {
  if (!recorded) return findPackageAccess(db, user, guid);
  const takesBits = user.globalSecretReader ? sql`1` : canWriteSpace(user, sql`a.space_guid`);
  const downloadable = sql`EXISTS (SELECT 1 FROM packages p2 JOIN apps a ON a.guid = p2.app_guid
    WHERE p2.guid = ${guid} AND p2.type = 'bits' AND p2.state = 'READY' AND ${takesBits})`;
  const [, rows] = await db.batch([recorded(downloadable), packageAccessQuery(db, user, guid)]);
  return toAccess(rows[0]);
}

/** A copy's destination app and source package with the caller's access to both: one round trip. */
export async function findCopyAccess(
  db: Db,
  user: User,
  appGuid: string,
  sourceGuid: string,
): Promise<{ app: AppAccess | undefined; source: PackageAccess | undefined }> {
  const [appRows, sourceRows] = await db.batch([
    appAccessQuery(db, user, appGuid),
    packageAccessQuery(db, user, sourceGuid),
  ]);
  return { app: appRows[0], source: toAccess(sourceRows[0]) };
}

export interface NewPackage {
  type: PackageType;
  appGuid: string;
  /** Unless given, the type's initial state. */
  state?: PackageState;
  dockerImage?: string | null;
  dockerUsername?: string | null;
  dockerPassword?: string | null;
}

/** The state a package starts in: docker packages need no bits, so they are READY at once. */
export const initialState = (type: PackageType): PackageState =>
  type === "docker" ? "READY" : "AWAITING_UPLOAD";

/**
 * The copy of `source` into `appGuid`: docker copies carry the image only (not credentials) and are
 * READY; bits copies start COPYING until their bits are copied.
 */
export function copyOf(source: PackageRow, appGuid: string) {
  return source.type === "docker"
    ? { type: source.type, appGuid, dockerImage: source.dockerImage, state: "READY" as const }
    : { type: source.type, appGuid, state: "COPYING" as const };
}

/**
 * Moves a package from one state to another in one conditional UPDATE, so of racing writers exactly
 * one wins; returns the updated row, or undefined when the package was no longer in `from`.
 */
export async function transitionPackage(
  db: Db,
  guid: string,
  from: PackageState | readonly PackageState[],
  to: PackageState,
  fields: TransitionFields = {},
): Promise<PackageRow | undefined> {
  const [row] = await transitionPackageQuery(db, guid, from, to, fields);
  return row;
}

export type TransitionFields = Partial<
  Pick<PackageRow, "sha1" | "sha256" | "error" | "bitsSize" | "multipartUploadId">
>;

/** transitionPackage as a statement for a db.batch; `also` adds conditions (who may make the change). */
export function transitionPackageQuery(
  db: Db,
  guid: string,
  from: PackageState | readonly PackageState[],
  to: PackageState,
  fields: TransitionFields = {},
  also?: SQL,
) {
  const states = typeof from === "string" ? [from] : from;
  return db
    .update(packages)
    .set({ ...fields, state: to, updatedAt: nowSeconds() })
    .where(and(eq(packages.guid, guid), inArray(packages.state, [...states]), also))
    .returning();
}

/** A package with its labels and annotations, as the presenter shows it. */
function packageViewQuery(db: Db, guid: string) {
  return db
    .select({ ...getTableColumns(packages), ...metadataColumns(packages.guid) })
    .from(packages)
    .where(eq(packages.guid, guid));
}

/**
 * Creates a package in `values.appGuid` (a create, the 2015 create, a copy) with its labels and
 * annotations, in ONE round trip, but only where the caller may: the batch inserts the package through
 * an INSERT … SELECT guarded by the access rules (the caller writes to the app's space, its organization
 * is active unless the caller is an admin, and, when `lifecycles` is given, the app's lifecycle is one of
 * them), writes the metadata (which lands only with its package), reads the package back and, only when
 * nothing was inserted, the app's access row. The batch is one transaction, so a refusal and the access
 * row that says why see the same roles, even while a role of the caller is being created or deleted, or
 * the app deleted. `recorded` (the audit event) follows the insert, and lands only with it.
 */
export async function createPackageWhereAllowed(
  db: Db,
  user: User,
  values: NewPackage,
  metadata: Metadata,
  lifecycles?: readonly LifecycleType[],
  recorded: (guid: string) => BatchItem<"sqlite">[] = () => [],
): Promise<{ created: PackageView } | { created: undefined; app: AppAccess | undefined }> {
  const guid = crypto.randomUUID();
  const now = nowSeconds();
  const row: Omit<PackageRow, "appGuid"> = {
    id: null as unknown as number, // SQLite numbers the row
    guid,
    type: values.type,
    state: values.state ?? initialState(values.type),
    dockerImage: values.dockerImage ?? null,
    dockerUsername: values.dockerUsername ?? null,
    dockerPassword: values.dockerPassword ?? null,
    sha1: null,
    sha256: null,
    error: null,
    bitsSize: null,
    multipartUploadId: null,
    createdAt: now,
    updatedAt: now,
  };
  // INSERT … SELECT takes every column in the table's order: the app's guid from the guarded select,
  // the rest as bound values.
  const selected = Object.fromEntries(
    Object.keys(getTableColumns(packages)).map((key) => [
      key,
      key === "appGuid" ? apps.guid : sql`${row[key as keyof typeof row]}`.as(key),
    ]),
  );
  const guardedInsert = db.insert(packages).select(
    db
      .select(selected)
      .from(apps)
      .innerJoin(spaces, eq(spaces.guid, apps.spaceGuid))
      .innerJoin(organizations, eq(organizations.guid, spaces.organizationGuid))
      .where(
        and(
          eq(apps.guid, values.appGuid),
          appTakesWrites(user),
          lifecycles ? inArray(apps.lifecycleType, [...lifecycles]) : undefined,
        ),
      ) as unknown as SQLiteInsertSelectQueryBuilder<typeof packages>, // keys checked at run time by drizzle
  );
  const results: readonly unknown[] = await db.batch([
    guardedInsert,
    ...recorded(guid),
    ...writeMetadataQueries(db, packages, guid, metadata),
    packageViewQuery(db, guid),
    // Read only when the guarded insert did not happen (to say why): a created package costs nothing.
    appAccessQuery(
      db,
      user,
      values.appGuid,
      sql`NOT EXISTS (SELECT 1 FROM ${packages} WHERE ${packages.guid} = ${guid})`,
    ),
  ]);
  const [created] = results.at(-2) as PackageView[];
  if (created) return { created };
  const [app] = results.at(-1) as AppAccess[];
  return { created: undefined, app };
}

/**
 * Applies docker credentials and metadata changes and moves `updated_at`, in one batch that checks the
 * metadata limits against the keys stored when it runs, before writing them: the package as updated,
 * undefined when it was deleted meanwhile, or the limit the changes would pass (then nothing is written).
 */
export async function updatePackage(
  db: Db,
  guid: string,
  credentials: Partial<Pick<PackageRow, "dockerUsername" | "dockerPassword">>,
  metadata: Metadata,
): Promise<{ updated: PackageView | undefined } | { exceeded: MetadataLimit }> {
  const update = db
    .update(packages)
    .set({ ...credentials, updatedAt: nowSeconds() })
    .where(eq(packages.guid, guid));
  try {
    const [updated] = await writeThenRead(
      db,
      [
        update,
        ...metadataLimitGuards(db, guid, metadata),
        ...writeMetadataQueries(db, packages, guid, metadata),
      ],
      packageViewQuery(db, guid),
    );
    return { updated };
  } catch (err) {
    const exceeded = exceededMetadataLimit(err);
    if (exceeded) return { exceeded };
    throw err;
  }
}
