// SQL for packages. Reads carry the caller's access flags and the package's metadata, so a show,
// or the checks before a write, is one D1 round trip.
import { and, eq, inArray, type SQL } from "drizzle-orm";
import { type AppAccess, appAccessQuery } from "../apps/access";
import { canReadSecretsInSpace, canReadSpace, canWriteSpace } from "../authz/spaces";
import { type Db, nowSeconds } from "../db/client";
import { apps, organizations, type PackageState, type PackageType, packages, spaces } from "../db/schema";
import type { User } from "../http/auth";
import { metadataColumns } from "../metadata/store";

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
      readable: canReadSpace(user, apps.spaceGuid),
      writable: canWriteSpace(user, apps.spaceGuid),
      secretsReadable: canReadSecretsInSpace(user, apps.spaceGuid),
      organizationStatus: organizations.status,
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

function toAccess(row: PackageAccessRow | undefined): PackageAccess | undefined {
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
  dockerImage?: string | null;
  dockerUsername?: string | null;
  dockerPassword?: string | null;
}

/** The state a package starts in: docker packages need no bits, so they are READY at once. */
export const initialState = (type: PackageType): PackageState =>
  type === "docker" ? "READY" : "AWAITING_UPLOAD";

export function insertPackageQuery(
  db: Db,
  values: NewPackage & { state?: PackageState; sha1?: string | null; sha256?: string | null },
) {
  const now = nowSeconds();
  return db
    .insert(packages)
    .values({
      guid: crypto.randomUUID(),
      state: values.state ?? initialState(values.type),
      createdAt: now,
      updatedAt: now,
      ...values,
    })
    .returning();
}

/** Creates a package without metadata; the 2015 route's create. */
export async function insertPackage(db: Db, values: NewPackage): Promise<PackageView> {
  const [row] = await insertPackageQuery(db, values);
  return { ...row!, labels: {}, annotations: {} };
}

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

export type TransitionFields = Partial<Pick<PackageRow, "sha1" | "sha256" | "error" | "bitsSize">>;

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
