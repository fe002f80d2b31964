// Today's package endpoints: create and copy (POST /v3/packages), show, update and delete
// (/v3/packages/:guid). Each reads: method, path, message, permission, action, presenter.
import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite } from "../http/auth";
import { depsOf } from "../http/deps";
import { notFound } from "../http/errors";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, readJsonObject } from "../http/validation";
import { acceptedJob } from "../jobs/accept";
import {
  invalidApp,
  invalidSource,
  packageCopy,
  packageCreate,
  packageDelete,
  packageUpdate,
} from "./actions";
import { appGuidOf, packageCreateMessage, packageUpdateMessage } from "./messages";
import { presentPackage } from "./presenter";
import { findPackageAccess } from "./store";

/** POST /v3/packages?source_guid=: only relationships.app.data.guid of the body is read. */
async function copyIntoApp(c: Context<AppEnv>, sourceGuid: string): Promise<Response> {
  const appGuid = appGuidOf(await readJsonObject(c));
  if (appGuid === undefined) throw invalidApp();
  const copy = await packageCopy(
    depsOf(c),
    currentUser(c),
    { appGuid, sourceGuid },
    { app: invalidApp, source: invalidSource },
  );
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
      const created = await packageCreate(depsOf(c), currentUser(c), c.req.valid("json"));
      return jsonResponse(c, 201, presentPackage(created, externalUrl(c)));
    },
  )
  .get("/v3/packages/:guid", requireRead, async (c) => {
    const access = await findPackageAccess(c.get("db"), currentUser(c), c.req.param("guid"));
    if (!access?.readable) throw notFound("Package");
    return jsonResponse(c, 200, presentPackage(access.package, externalUrl(c)));
  })
  .patch("/v3/packages/:guid", requireWrite, jsonBody(packageUpdateMessage), async (c) => {
    const message = { guid: c.req.param("guid"), ...c.req.valid("json") };
    const updated = await packageUpdate(depsOf(c), currentUser(c), message);
    return jsonResponse(c, 200, presentPackage(updated, externalUrl(c)));
  })
  .delete("/v3/packages/:guid", requireWrite, async (c) => {
    const job = await packageDelete(depsOf(c), currentUser(c), { guid: c.req.param("guid") });
    return acceptedJob(c, job);
  });
