// GET /v3/packages/:guid/droplets: read scope (401/403) → query (400) → one batch for the package and a
// page of its droplets (package missing or unreadable → 404) → CC's envelope.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { notFound } from "../http/errors";
import { paginatedList } from "../http/pagination";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { queryParams } from "../http/validation";
import { packageDropletsListMessage, packageDropletsListRequest } from "./messages";
import { presentListedDroplet } from "./presenter";
import { listPackageDroplets } from "./store";

export const packageDropletsRouter = new Hono<AppEnv>().get(
  "/v3/packages/:guid/droplets",
  requireRead,
  queryParams(packageDropletsListMessage),
  async (c) => {
    const packageGuid = c.req.param("guid");
    const { filters, paging, links } = packageDropletsListRequest(c.req.valid("query"));
    const found = await listPackageDroplets(c.get("db"), currentUser(c), packageGuid, filters, paging);
    if (!found.package?.readable) throw notFound("Package");
    const baseUrl = externalUrl(c);
    const resources = found.page.resources.map((droplet) => presentListedDroplet(droplet, baseUrl));
    const path = `/v3/packages/${packageGuid}/droplets`;
    return jsonResponse(c, 200, paginatedList(c, path, links, paging, found.page.total, resources));
  },
);
