// /v3/spaces as CC serves it: create (admins and managers of the organization), show and list (by
// visibility), delete (a job that deletes the space's apps and its roles).
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
import { spaceCreate, spaceDelete } from "./actions";
import { createSpaceMessage, spacesListQuery, spacesListRequest } from "./messages";
import { presentSpace } from "./presenter";
import { findSpace, listSpaces } from "./store";

export const spacesRouter = new Hono<AppEnv>()
  .post("/v3/spaces", requireWrite, jsonBody(createSpaceMessage), async (c) => {
    const space = await spaceCreate(depsOf(c), currentUser(c), c.req.valid("json"));
    return jsonResponse(c, 201, presentSpace(space, externalUrl(c)));
  })
  .get(
    "/v3/spaces",
    requireRead,
    queryParams(spacesListQuery),
    listResources("/v3/spaces", spacesListRequest, listSpaces, presentSpace),
  )
  .get("/v3/spaces/:guid", requireRead, showResource("Space", findSpace, presentSpace))
  .delete("/v3/spaces/:guid", requireWrite, async (c) => {
    const job = await spaceDelete(depsOf(c), currentUser(c), { guid: c.req.param("guid") });
    return acceptedJob(c, job);
  });
