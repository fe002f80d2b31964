// /v3/apps as CC serves it: create (space developers and admins), show and list (by visibility),
// delete (a job that deletes the app with its packages, their bits, and its droplets). The nested
// /v3/apps/:guid/packages routes belong to the packages routers.
import { Hono } from "hono";
import { assertWritable } from "../authz/access";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite } from "../http/auth";
import { notFound, unprocessable } from "../http/errors";
import { listResponse, showResource } from "../http/resources";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptDelete } from "../jobs/accept";
import { assertMetadataLimits, NO_METADATA } from "../metadata/messages";
import { findSpaceAccess } from "../spaces/store";
import { appAccessQuery } from "./access";
import { appNameErrors, appsListQuery, appsListRequest, createAppMessage, lifecycleErrors } from "./messages";
import { presentApp } from "./presenter";
import { findApp, insertApp, listApps } from "./store";

const invalidSpace = () =>
  unprocessable("Invalid space. Ensure that the space exists and you have access to it.");

export const appsRouter = new Hono<AppEnv>()
  .post("/v3/apps", requireWrite, jsonBody(createAppMessage), async (c) => {
    const user = currentUser(c);
    const db = c.get("db");
    const message = c.req.valid("json");
    const { spaceGuid } = message;
    if (!spaceGuid) throw invalidSpace();
    assertWritable(user, await findSpaceAccess(db, user, spaceGuid, "developers"), invalidSpace);
    const lifecycleProblems = lifecycleErrors(message.lifecycle);
    if (lifecycleProblems.length) throw unprocessable(lifecycleProblems);
    const nameProblems = appNameErrors(message.name);
    if (nameProblems.length) throw unprocessable(nameProblems);
    assertMetadataLimits(NO_METADATA, message.metadata);
    const app = await insertApp(
      db,
      { name: message.name, spaceGuid, lifecycleType: message.lifecycle.type },
      message.metadata,
    );
    if (!app) throw unprocessable(`App with the name '${message.name.trim()}' already exists.`);
    return jsonResponse(c, 201, presentApp(app, externalUrl(c)));
  })
  .get("/v3/apps", requireRead, queryParams(appsListQuery), async (c) => {
    const request = appsListRequest(c.req.valid("query"));
    const page = await listApps(c.get("db"), currentUser(c), request.filters, request.paging);
    return listResponse(c, "/v3/apps", request, page, presentApp);
  })
  .get("/v3/apps/:guid", requireRead, showResource("App", findApp, presentApp))
  .delete("/v3/apps/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const access = await appAccessQuery(c.get("db"), user, c.req.param("guid")).get();
    assertWritable(user, access, () => notFound("App"));
    return acceptDelete(c, "app", access.app.guid);
  });
