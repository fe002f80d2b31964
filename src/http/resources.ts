// What the resource routers (organizations, spaces, apps, roles, package lists) answer alike: a shown
// resource or 404, and a list page in CC's envelope.
import type { Context } from "hono";
import type { Db } from "../db/client";
import type { Page } from "../db/list-page";
import type { AppEnv } from "../env";
import { currentUser, type User } from "./auth";
import { notFound } from "./errors";
import { type Paging, paginatedList } from "./pagination";
import { jsonResponse } from "./respond";
import { externalUrl } from "./urls";

/** How a resource's JSON is made from its row, given the external base URL for its links. */
export type Presenter<T> = (resource: T, baseUrl: string) => unknown;

/**
 * GET <path>/:guid: `find` reads the resource if the caller may see it; otherwise 404 with `resource`'s
 * name (a resource the caller cannot see is not found, as in CC).
 */
export function showResource<T>(
  resource: string,
  find: (db: Db, user: User, guid: string) => Promise<T | undefined>,
  present: Presenter<T>,
) {
  return async (c: Context<AppEnv, "/:guid">) => {
    const found = await find(c.get("db"), currentUser(c), c.req.param("guid"));
    if (!found) throw notFound(resource);
    return jsonResponse(c, 200, present(found, externalUrl(c)));
  };
}

/** 200 with a page of presented resources in CC's envelope; `request` is the list query as read. */
export function listResponse<T>(
  c: Context<AppEnv>,
  path: string,
  request: { paging: Paging; links: Record<string, string | undefined> },
  page: Page<T>,
  present: Presenter<T>,
): Response {
  const baseUrl = externalUrl(c);
  const resources = page.resources.map((resource) => present(resource, baseUrl));
  return jsonResponse(c, 200, paginatedList(c, path, request.links, request.paging, page.total, resources));
}
