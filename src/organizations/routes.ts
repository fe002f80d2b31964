// /v3/organizations as CC serves it: create (admins), show and list (by visibility), delete (admins, as
// a job that deletes the organization's spaces, their apps, and its roles).
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireAdmin, requireRead, requireWrite } from "../http/auth";
import { depsOf } from "../http/deps";
import { showResource } from "../http/resources";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptedJob } from "../jobs/accept";
import { listResources } from "../lists/response";
import { organizationCreate, organizationDelete } from "./actions";
import { createOrganizationMessage, organizationsListQuery, organizationsListRequest } from "./messages";
import { presentOrganization } from "./presenter";
import { findOrganization, listOrganizations } from "./store";

export const organizationsRouter = new Hono<AppEnv>()
  .post("/v3/organizations", requireAdmin, jsonBody(createOrganizationMessage), async (c) => {
    const organization = await organizationCreate(depsOf(c), currentUser(c), c.req.valid("json"));
    return jsonResponse(c, 201, presentOrganization(organization, externalUrl(c)));
  })
  .get(
    "/v3/organizations",
    requireRead,
    queryParams(organizationsListQuery),
    listResources("/v3/organizations", organizationsListRequest, listOrganizations, presentOrganization),
  )
  .get(
    "/v3/organizations/:guid",
    requireRead,
    showResource("Organization", findOrganization, presentOrganization),
  )
  .delete("/v3/organizations/:guid", requireWrite, async (c) => {
    const job = await organizationDelete(depsOf(c), currentUser(c), { guid: c.req.param("guid") });
    return acceptedJob(c, job);
  });
