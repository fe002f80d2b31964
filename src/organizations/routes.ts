// /v3/organizations as CC serves it: create (admins), show and list (by visibility), delete (admins, as
// a job that deletes the organization's spaces, their apps, and its roles).
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { currentUser, requireAdmin, requireRead, requireWrite } from "../http/auth";
import { CfError, notFound, unprocessable } from "../http/errors";
import { listResponse, showResource } from "../http/resources";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptDelete } from "../jobs/accept";
import { assertMetadataLimits, NO_METADATA } from "../metadata/messages";
import { createOrganizationMessage, organizationsListQuery, organizationsListRequest } from "./messages";
import { presentOrganization } from "./presenter";
import { findOrganization, insertOrganization, listOrganizations } from "./store";

export const organizationsRouter = new Hono<AppEnv>()
  .post("/v3/organizations", requireAdmin, jsonBody(createOrganizationMessage), async (c) => {
    const message = c.req.valid("json");
    assertMetadataLimits(NO_METADATA, message.metadata);
    const organization = await insertOrganization(c.get("db"), message, message.metadata);
    if (!organization) throw unprocessable(`Organization '${message.name}' already exists.`);
    return jsonResponse(c, 201, presentOrganization(organization, externalUrl(c)));
  })
  .get("/v3/organizations", requireRead, queryParams(organizationsListQuery), async (c) => {
    const request = organizationsListRequest(c.req.valid("query"));
    const page = await listOrganizations(c.get("db"), currentUser(c), request.filters, request.paging);
    return listResponse(c, "/v3/organizations", request, page, presentOrganization);
  })
  .get(
    "/v3/organizations/:guid",
    requireRead,
    showResource("Organization", findOrganization, presentOrganization),
  )
  .delete("/v3/organizations/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const organization = await findOrganization(c.get("db"), user, c.req.param("guid"));
    if (!organization) throw notFound("Organization");
    if (!user.admin) throw new CfError("NotAuthorized");
    return acceptDelete(c, "organization", organization.guid);
  });
