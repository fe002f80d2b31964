// What each package write does, free of HTTP (CC's PackageCreate, PackageCopy, PackageUpdate,
// PackageDelete and PackageUpload actions): the checks in CC's order, the D1 batch, and through `defer`
// the work that runs after the response. Routes give the dependencies, the caller and the message.

import type { SQL } from "drizzle-orm";
import { type AppAccess, appAccessQuery } from "../apps/store";
import { auditEventQuery, changedJustBefore } from "../audit-events/store";
import { assertWritable } from "../authz/assert-writable";
import type { Db } from "../db/client";
import { createDb } from "../db/client";
import type { LifecycleType, PackageType } from "../db/schema";
import type { Deps } from "../env";
import { type CfError, notFound, unprocessable } from "../http/errors";
import { startDeleteJob } from "../jobs/runner";
import type { JobRow } from "../jobs/store";
import {
  assertMetadataLimits,
  hasMetadataChanges,
  metadataLimitError,
  NO_METADATA,
} from "../metadata/messages";
import type { User } from "../user";
import { packageBitsKey } from "./bits-keys";
import { copyBits } from "./copy";
import { assertDockerPassword, type PackageCreateMessage, type PackageUpdateMessage } from "./messages";
import {
  copyOf,
  createPackageWhereAllowed,
  findCopyAccess,
  findPackageAccess,
  type PackageView,
  updatePackage,
} from "./store";
import { fillResourceCache } from "./upload/resource-cache";
import { uploadPackage } from "./upload/upload";

/** What a missing or invisible app or package is, in each API generation's words. */
export interface Refusals {
  app: () => CfError;
  source: () => CfError;
}

const packageNotFound = () => notFound("Package");

// Today's API's words for an app or source package that is missing or not the caller's to write to.
export const invalidApp = () => unprocessable("App is invalid. Ensure it exists and you have access to it.");
export const invalidSource = () =>
  unprocessable("Source package is invalid. Ensure it exists and you have access to it.");

/** Docker apps take docker packages, buildpack apps bits packages; cloud native buildpack apps either. */
const ACCEPTING_LIFECYCLES = {
  bits: ["buildpack", "cnb"],
  docker: ["docker", "cnb"],
} as const satisfies Record<PackageType, readonly LifecycleType[]>;

/** Throws CC's error for why a package cannot be created in `app`, in CC's order. */
function refuseCreate(user: User, app: AppAccess | undefined, message: PackageCreateMessage): void {
  assertWritable(user, app, invalidApp);
  if (!(ACCEPTING_LIFECYCLES[message.type] as readonly LifecycleType[]).includes(app.app.lifecycleType)) {
    throw unprocessable(
      message.type === "bits"
        ? "Cannot create bits package for a Docker app."
        : "Cannot create Docker package for a buildpack app.",
    );
  }
}

/**
 * CC's `audit.app.package.<action>` event of the package `guid` (about its app), for the action's batch;
 * it lands only when the package is there.
 */
export function packageEvent(
  db: Db,
  user: User,
  action: "create" | "upload" | "download" | "delete",
  guid: string,
  data: Record<string, unknown> = {},
  when?: SQL,
) {
  return auditEventQuery(db, {
    type: `audit.app.package.${action}`,
    actor: user,
    target: { type: "app", packageGuid: guid },
    data: { package_guid: guid, ...data },
    ...(when ? { when } : {}),
  });
}

/** The create request as CC's audit hash records it: the fields given, a docker password redacted. */
function createRequestOf(message: PackageCreateMessage): Record<string, unknown> {
  const docker = message.type === "docker" ? message.docker : undefined;
  return {
    type: message.type,
    relationships: { app: { data: { guid: message.appGuid } } },
    ...(docker
      ? {
          data: {
            image: docker.image,
            ...(docker.username != null ? { username: docker.username } : {}),
            ...(docker.password != null ? { password: "***" } : {}),
          },
        }
      : {}),
  };
}

/** The error `check` throws, or undefined. */
function caught(check: () => void): unknown {
  try {
    check();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** POST /v3/packages: a package in the message's app, with its metadata, in one batch. */
export async function packageCreate(
  deps: Deps,
  user: User,
  message: PackageCreateMessage,
): Promise<PackageView> {
  const { db } = deps;
  const docker = message.type === "docker" ? message.docker : undefined;
  // CC checks the app before the docker password and the label limits, so when those fail the
  // app is read first to give its error if it has one.
  const contentError = caught(() => {
    assertDockerPassword(docker?.password ?? null);
    assertMetadataLimits(NO_METADATA, message.metadata);
  });
  if (message.appGuid === undefined || contentError) {
    const app =
      message.appGuid === undefined ? undefined : await appAccessQuery(db, user, message.appGuid).get();
    refuseCreate(user, app, message);
    throw contentError;
  }
  const result = await createPackageWhereAllowed(
    db,
    user,
    {
      type: message.type,
      appGuid: message.appGuid,
      dockerImage: docker?.image ?? null,
      dockerUsername: docker?.username ?? null,
      dockerPassword: docker?.password ?? null,
    },
    message.metadata,
    ACCEPTING_LIFECYCLES[message.type],
    (guid) => [packageEvent(db, user, "create", guid, { request: createRequestOf(message) })],
  );
  if (!result.created) {
    refuseCreate(user, result.app, message);
    throw new Error("package create refused, yet its app passes every check");
  }
  return result.created;
}

/**
 * The 2015 API's create (POST /v3/apps/:guid/packages): no metadata, no lifecycle check, 404 for the app.
 * Its event is audit.app.package.create as CC recorded it for this message (since 2016): the request is
 * the message's audit hash, the fields given (a `url` only when given), less the app guid it merged in.
 */
export async function experimentalPackageCreate(
  deps: Deps,
  user: User,
  message: { appGuid: string; type: PackageType; url: string | undefined },
): Promise<PackageView> {
  const { db } = deps;
  const request = { type: message.type, url: message.url };
  const result = await createPackageWhereAllowed(
    db,
    user,
    {
      type: message.type,
      appGuid: message.appGuid,
      dockerImage: message.type === "docker" ? (message.url ?? null) : null,
    },
    NO_METADATA,
    undefined,
    (guid) => [packageEvent(db, user, "create", guid, { request })],
  );
  if (!result.created) {
    assertWritable(user, result.app, () => notFound("App"));
    throw new Error("package create refused, yet its app passes every check");
  }
  return result.created;
}

/**
 * Copies the package `sourceGuid` into the app `appGuid`: both must be writable by the caller (checked
 * in one round trip, destination first, as CC does), and not the same app. A bits copy is COPYING until
 * its bits are copied after the response; a docker copy is READY at once.
 */
export async function packageCopy(
  deps: Deps,
  user: User,
  message: { appGuid: string; sourceGuid: string },
  refusals: Refusals,
): Promise<PackageView> {
  const { appGuid, sourceGuid } = message;
  const { app, source } = await findCopyAccess(deps.db, user, appGuid, sourceGuid);
  assertWritable(user, app, refusals.app);
  assertWritable(user, source, refusals.source);
  if (source.package.appGuid === appGuid)
    throw unprocessable("Source and destination app cannot be the same");
  // Guarded as a create is: an app deleted (or a role lost) since the read above refuses the copy.
  const result = await createPackageWhereAllowed(
    deps.db,
    user,
    copyOf(source.package, appGuid),
    NO_METADATA,
    undefined,
    (guid) => [packageEvent(deps.db, user, "create", guid, { request: { source_package_guid: sourceGuid } })],
  );
  if (!result.created) {
    assertWritable(user, result.app, refusals.app);
    throw new Error("package copy refused, yet its app passes every check");
  }
  const copy = result.created;
  if (copy.state === "COPYING") deps.defer(copyBits(deps.env, source.package, copy));
  return copy;
}

/** PATCH /v3/packages/:guid: docker credentials and metadata, checked in CC's order. */
export async function packageUpdate(
  deps: Deps,
  user: User,
  message: PackageUpdateMessage & { guid: string },
): Promise<PackageView> {
  const { metadata, username, password } = message;
  const access = await findPackageAccess(deps.db, user, message.guid);
  if (!access?.readable) throw packageNotFound();
  const credentials = username !== null || password !== null;
  if (credentials && access.package.type !== "docker") {
    throw unprocessable("Cannot update Docker credentials for a buildpack app.");
  }
  assertWritable(user, access, packageNotFound);
  assertDockerPassword(password);
  assertMetadataLimits(access.package, metadata);
  if (!credentials && !hasMetadataChanges(metadata)) return access.package;
  const result = await updatePackage(
    deps.db,
    access.package.guid,
    {
      ...(username !== null ? { dockerUsername: username } : {}),
      ...(password !== null ? { dockerPassword: password } : {}),
    },
    metadata,
  );
  if ("exceeded" in result) throw metadataLimitError(result.exceeded, metadata);
  if (!result.updated) throw packageNotFound();
  return result.updated;
}

/** DELETE /v3/packages/:guid: the package.delete job, started. */
export async function packageDelete(deps: Deps, user: User, message: { guid: string }): Promise<JobRow> {
  const access = await findPackageAccess(deps.db, user, message.guid);
  assertWritable(user, access, packageNotFound);
  return startDeleteJob(deps, user, "package", access.package.guid, [
    packageEvent(deps.db, user, "delete", access.package.guid),
  ]);
}

/**
 * POST /v3/packages/:guid/upload: the streamed upload (upload/upload.ts), READY when it returns; the
 * package's large files go to the resource cache after the response, on their own db so the request's
 * D1 figures stay the request's.
 */
export async function packageUpload(
  deps: Deps,
  user: User,
  message: { guid: string; body: Request },
): Promise<PackageView> {
  const { env, config } = deps;
  const { guid } = message;
  // Recorded with the READY transition, so only bits that were stored have their event.
  const recorded = packageEvent(deps.db, user, "upload", guid, {}, changedJustBefore());
  const { pkg, cacheable } = await uploadPackage({ ...deps, user, guid, recorded }, message.body);
  if (cacheable.length) {
    deps.defer(
      fillResourceCache(
        env.BITS,
        createDb(env.DB),
        packageBitsKey(guid),
        cacheable,
        config.resourceCacheFillSubrequests,
        deps.requestId,
      ),
    );
  }
  return pkg;
}
