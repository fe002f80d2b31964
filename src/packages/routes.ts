// Today's package endpoints: create and copy (POST /v3/packages), show, update and delete
// (/v3/packages/:guid), each with Cloud Controller's checks in CC's order.
import { type Context, Hono } from "hono";
import { type AppAccess, appAccessQuery } from "../apps/access";
import { assertWritable } from "../authz/access";
import type { LifecycleType, PackageType } from "../db/schema";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite, type User } from "../http/auth";
import { notFound, unprocessable } from "../http/errors";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, readJsonObject } from "../http/validation";
import { acceptDelete } from "../jobs/accept";
import {
  assertMetadataLimits,
  hasMetadataChanges,
  metadataLimitError,
  NO_METADATA,
} from "../metadata/messages";
import { copyPackage } from "./copy";
import {
  appGuidOf,
  assertDockerPassword,
  type PackageCreateMessage,
  packageCreateMessage,
  packageUpdateMessage,
} from "./messages";
import { presentPackage } from "./presenter";
import { createPackageWhereAllowed, findPackageAccess, updatePackage } from "./store";

const invalidApp = () => unprocessable("App is invalid. Ensure it exists and you have access to it.");
const invalidSource = () =>
  unprocessable("Source package is invalid. Ensure it exists and you have access to it.");
const packageNotFound = () => notFound("Package");

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

/** The error `check` throws, or undefined. */
function caught(check: () => void): unknown {
  try {
    check();
    return undefined;
  } catch (err) {
    return err;
  }
}

/** POST /v3/packages?source_guid=: only relationships.app.data.guid of the body is read. */
async function copyIntoApp(c: Context<AppEnv>, sourceGuid: string): Promise<Response> {
  const appGuid = appGuidOf(await readJsonObject(c));
  if (appGuid === undefined) throw invalidApp();
  const copy = await copyPackage(c, appGuid, sourceGuid, { app: invalidApp, source: invalidSource });
  return jsonResponse(c, 201, presentPackage(copy, externalUrl(c)));
}

export const packagesRouter = new Hono<AppEnv>()
  .post(
    "/v3/packages",
    requireWrite,
    async (c, next) => {
      const sourceGuid = c.req.query("source_guid");
      if (sourceGuid !== undefined) return copyIntoApp(c, sourceGuid);
      await next();
    },
    jsonBody(packageCreateMessage),
    async (c) => {
      const user = currentUser(c);
      const db = c.get("db");
      const message = c.req.valid("json");
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
      );
      if (!result.created) {
        refuseCreate(user, result.app, message);
        throw new Error("package create refused, yet its app passes every check");
      }
      return jsonResponse(c, 201, presentPackage(result.created, externalUrl(c)));
    },
  )
  .get("/v3/packages/:guid", requireRead, async (c) => {
    const access = await findPackageAccess(c.get("db"), currentUser(c), c.req.param("guid"));
    if (!access?.readable) throw packageNotFound();
    return jsonResponse(c, 200, presentPackage(access.package, externalUrl(c)));
  })
  .patch("/v3/packages/:guid", requireWrite, jsonBody(packageUpdateMessage), async (c) => {
    const user = currentUser(c);
    const db = c.get("db");
    const { metadata, username, password } = c.req.valid("json");
    const access = await findPackageAccess(db, user, c.req.param("guid"));
    if (!access?.readable) throw packageNotFound();
    const credentials = username !== null || password !== null;
    if (credentials && access.package.type !== "docker") {
      throw unprocessable("Cannot update Docker credentials for a buildpack app.");
    }
    assertWritable(user, access, packageNotFound);
    assertDockerPassword(password);
    assertMetadataLimits(access.package, metadata);
    if (!credentials && !hasMetadataChanges(metadata)) {
      return jsonResponse(c, 200, presentPackage(access.package, externalUrl(c)));
    }
    const result = await updatePackage(
      db,
      access.package.guid,
      {
        ...(username !== null ? { dockerUsername: username } : {}),
        ...(password !== null ? { dockerPassword: password } : {}),
      },
      metadata,
    );
    if ("exceeded" in result) throw metadataLimitError(result.exceeded, metadata);
    if (!result.updated) throw packageNotFound();
    return jsonResponse(c, 200, presentPackage(result.updated, externalUrl(c)));
  })
  .delete("/v3/packages/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const access = await findPackageAccess(c.get("db"), user, c.req.param("guid"));
    assertWritable(user, access, packageNotFound);
    return acceptDelete(c, "package", access.package.guid);
  });
