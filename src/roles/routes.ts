// /v3/roles as CC serves it: create (admins; managers of the organization; for space roles also managers
// of the space), show and list (roles in spaces and organizations the caller sees), delete (as a job).
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
import { roleCreate, roleDelete } from "./actions";
import { createRoleMessage, rolesListQuery, rolesListRequest } from "./messages";
import { presentRole } from "./presenter";
import { findRole, listRoles } from "./store";

export const rolesRouter = new Hono<AppEnv>()
  .post("/v3/roles", requireWrite, jsonBody(createRoleMessage), async (c) => {
    const role = await roleCreate(depsOf(c), currentUser(c), c.req.valid("json"));
    return jsonResponse(c, 201, presentRole(role, externalUrl(c)));
  })
  .get(
    "/v3/roles",
    requireRead,
    queryParams(rolesListQuery),
    listResources("/v3/roles", rolesListRequest, listRoles, presentRole),
  )
  .get("/v3/roles/:guid", requireRead, showResource("Role", findRole, presentRole))
  .delete("/v3/roles/:guid", requireWrite, async (c) => {
    const job = await roleDelete(depsOf(c), currentUser(c), { guid: c.req.param("guid") });
    return acceptedJob(c, job);
  });
