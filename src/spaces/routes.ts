// /v3/spaces as CC serves it: create (admins and managers of the organization), show and list (by
// visibility), delete (a job that deletes the space's apps and its roles).
import { Hono } from "hono";
import { assertWritable } from "../authz/access";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite } from "../http/auth";
import { notFound, unprocessable } from "../http/errors";
import { paginatedList } from "../http/pagination";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptJob } from "../jobs/accept";
import { assertMetadataLimits, NO_METADATA } from "../metadata/messages";
import { createSpaceMessage, spacesListQuery, spacesListRequest } from "./messages";
import { presentSpace } from "./presenter";
import { findOrganizationAccess, findSpace, findSpaceAccess, insertSpace, listSpaces } from "./store";

const invalidOrganization = () =>
  unprocessable("Invalid organization. Ensure the organization exists and you have access to it.");

export const spacesRouter = new Hono<AppEnv>()
  .post("/v3/spaces", requireWrite, jsonBody(createSpaceMessage), async (c) => {
    const user = currentUser(c);
    const db = c.get("db");
    const message = c.req.valid("json");
    const organizationGuid = message.organizationGuid;
    const organization = organizationGuid && (await findOrganizationAccess(db, user, organizationGuid));
    if (!organizationGuid || !organization) throw invalidOrganization();
    assertWritable(user, organization, invalidOrganization);
    assertMetadataLimits(NO_METADATA, message.metadata);
    const space = await insertSpace(db, { name: message.name, organizationGuid }, message.metadata);
    if (!space) throw unprocessable("Name must be unique per organization");
    return jsonResponse(c, 201, presentSpace(space, externalUrl(c)));
  })
  .get("/v3/spaces", requireRead, queryParams(spacesListQuery), async (c) => {
    const { filters, paging, links } = spacesListRequest(c.req.valid("query"));
    const { spaces, total } = await listSpaces(c.get("db"), currentUser(c), filters, paging);
    const baseUrl = externalUrl(c);
    const resources = spaces.map((space) => presentSpace(space, baseUrl));
    return jsonResponse(c, 200, paginatedList(c, "/v3/spaces", links, paging, total, resources));
  })
  .get("/v3/spaces/:guid", requireRead, async (c) => {
    const space = await findSpace(c.get("db"), currentUser(c), c.req.param("guid"));
    if (!space) throw notFound("Space");
    return jsonResponse(c, 200, presentSpace(space, externalUrl(c)));
  })
  .delete("/v3/spaces/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const access = await findSpaceAccess(c.get("db"), user, c.req.param("guid"));
    if (!access) throw notFound("Space");
    assertWritable(user, access, () => notFound("Space"));
    return acceptJob(c, {
      operation: "space.delete",
      resourceType: "space",
      resourceGuid: access.space.guid,
      userGuid: user.guid,
    });
  });
