// /v3/spaces as CC serves it: create (admins and managers of the organization), show and list (by
// visibility), delete (a job that deletes the space's apps and its roles).
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
import { findOrganizationAccess } from "../organizations/store";
import { createSpaceMessage, spacesListQuery, spacesListRequest } from "./messages";
import { presentSpace } from "./presenter";
import { findSpace, findSpaceAccess, insertSpace, listSpaces } from "./store";

const invalidOrganization = () =>
  unprocessable("Invalid organization. Ensure the organization exists and you have access to it.");

export const spacesRouter = new Hono<AppEnv>()
  .post("/v3/spaces", requireWrite, jsonBody(createSpaceMessage), async (c) => {
    const user = currentUser(c);
    const db = c.get("db");
    const message = c.req.valid("json");
    const { organizationGuid } = message;
    if (!organizationGuid) throw invalidOrganization();
    assertWritable(user, await findOrganizationAccess(db, user, organizationGuid), invalidOrganization);
    assertMetadataLimits(NO_METADATA, message.metadata);
    const space = await insertSpace(db, { name: message.name, organizationGuid }, message.metadata);
    if (!space) throw unprocessable("Name must be unique per organization");
    return jsonResponse(c, 201, presentSpace(space, externalUrl(c)));
  })
  .get("/v3/spaces", requireRead, queryParams(spacesListQuery), async (c) => {
    const request = spacesListRequest(c.req.valid("query"));
    const page = await listSpaces(c.get("db"), currentUser(c), request.filters, request.paging);
    return listResponse(c, "/v3/spaces", request, page, presentSpace);
  })
  .get("/v3/spaces/:guid", requireRead, showResource("Space", findSpace, presentSpace))
  .delete("/v3/spaces/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const access = await findSpaceAccess(c.get("db"), user, c.req.param("guid"), "organizationManagers");
    assertWritable(user, access, () => notFound("Space"));
    return acceptDelete(c, "space", access.space.guid);
  });
