// GET /v3/packages and GET /v3/apps/:guid/packages: read scope (401/403) → query (400) → one batch for
// the page and its total (and the app on an app's list: missing or unreadable → 404) → CC's envelope.

import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { notFound } from "../http/errors";
import { queryParams } from "../http/validation";
import { listResponse } from "../lists/response";
import { type PackageListRequest, packageListRequest, packagesListMessage } from "./list-messages";
import { listAppPackages, listPackages } from "./list-store";
import { presentPackage } from "./presenter";

async function respond(c: Context<AppEnv>, request: PackageListRequest) {
  const user = currentUser(c);
  const db = c.get("db");
  const { appGuid, filters, paging } = request;
  let page: Awaited<ReturnType<typeof listPackages>>;
  if (appGuid === undefined) {
    page = await listPackages(db, user, filters, paging);
  } else {
    const found = await listAppPackages(db, user, appGuid, filters, paging);
    if (!found.app?.readable) throw notFound("App");
    page = found.page;
  }
  const path = appGuid === undefined ? "/v3/packages" : `/v3/apps/${appGuid}/packages`;
  return listResponse(c, path, request, page, presentPackage);
}

export const packageListRouter = new Hono<AppEnv>()
  .get("/v3/packages", requireRead, queryParams(packagesListMessage(false)), (c) =>
    respond(c, packageListRequest(c.req.valid("query"))),
  )
  .get("/v3/apps/:guid/packages", requireRead, queryParams(packagesListMessage(true)), (c) =>
    respond(c, packageListRequest(c.req.valid("query"), c.req.param("guid"))),
  );
