// GET /v3/packages/:guid/droplets: read scope (401/403) → query (400) → one batch for the package and a
// page of its droplets (package missing or unreadable → 404) → CC's envelope.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { notFound } from "../http/errors";
import { queryParams } from "../http/validation";
import { listResponse } from "../lists/response";
import { packageDropletsListMessage, packageDropletsListRequest } from "./messages";
import { presentListedDroplet } from "./presenter";
import { listPackageDroplets } from "./store";

export const packageDropletsRouter = new Hono<AppEnv>().get(
  "/v3/packages/:guid/droplets",
  requireRead,
  queryParams(packageDropletsListMessage),
  async (c) => {
    const packageGuid = c.req.param("guid");
    const request = packageDropletsListRequest(c.req.valid("query"));
    const found = await listPackageDroplets(
      c.get("db"),
      currentUser(c),
      packageGuid,
      request.filters,
      request.paging,
    );
    if (!found.package?.readable) throw notFound("Package");
    return listResponse(c, `/v3/packages/${packageGuid}/droplets`, request, found.page, presentListedDroplet);
  },
);
