// /v3/apps as CC serves it: create (space developers and admins), show and list (by visibility),
// delete (a job that deletes the app with its packages, their bits, and its droplets). The nested
// /v3/apps/:guid/packages routes belong to the packages routers.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite } from "../http/auth";
import { depsOf } from "../http/deps";
import { showResource } from "../http/resources";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptedJob } from "../jobs/accept";
import { listResources } from "../lists/response";
import { appCreate, appDelete } from "./actions";
import { appsListQuery, appsListRequest, createAppMessage } from "./messages";
import { presentApp } from "./presenter";
import { findApp, listApps } from "./store";

export const appsRouter = new Hono<AppEnv>()
  .post("/v3/apps", requireWrite, jsonBody(createAppMessage), async (c) => {
    const app = await appCreate(depsOf(c), currentUser(c), c.req.valid("json"));
    return jsonResponse(c, 201, presentApp(app, externalUrl(c)));
  })
  .get(
    "/v3/apps",
    requireRead,
    queryParams(appsListQuery),
    listResources("/v3/apps", appsListRequest, listApps, presentApp),
  )
  .get("/v3/apps/:guid", requireRead, showResource("App", findApp, presentApp))
  .delete("/v3/apps/:guid", requireWrite, async (c) => {
    const job = await appDelete(depsOf(c), currentUser(c), { guid: c.req.param("guid") });
    return acceptedJob(c, job);
  });
