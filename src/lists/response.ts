// CC's list envelope: a page of presented resources, with absolute pagination links that carry the
// request's filters.
import type { Context } from "hono";
import type { Db } from "../db/client";
import type { Page, Paging } from "../db/list-page";
import type { AppEnv } from "../env";
import { currentUser } from "../http/auth";
import type { Presenter } from "../http/resources";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import type { User } from "../user";
import type { ListLinks, ListRequest } from "./messages";

/**
 * CC's list envelope. Links are absolute and carry every filter given (`filters`: the request's query
 * without page and per_page), plus per_page and page, with keys sorted as CC sorts them.
 */
function paginatedList<T>(
  c: Context<AppEnv>,
  path: string,
  filters: ListLinks,
  paging: Paging,
  totalResults: number,
  resources: T[],
) {
  const totalPages = Math.max(1, Math.ceil(totalResults / paging.perPage));
  const base = `${externalUrl(c)}${path}`;
  const link = (page: number | bigint) => {
    const params: ListLinks = { page: String(page), per_page: String(paging.perPage) };
    for (const [key, value] of Object.entries(filters)) if (value !== undefined) params[key] = value;
    const sorted = Object.keys(params)
      .sort()
      .flatMap((key) => [params[key]!].flat().map((value): [string, string] => [key, value]));
    return { href: `${base}?${new URLSearchParams(sorted).toString()}` };
  };
  return {
    pagination: {
      total_results: totalResults,
      total_pages: totalPages,
      first: link(1),
      last: link(totalPages),
      next: paging.page < totalPages ? link(paging.page + 1) : null,
      previous: paging.exactPage > 1n ? link(paging.exactPage - 1n) : null,
    },
    resources,
  };
}

/** 200 with a page of presented resources in CC's envelope; `request` is the list query as read. */
export function listResponse<T>(
  c: Context<AppEnv>,
  path: string,
  request: { paging: Paging; links: ListLinks },
  page: Page<T>,
  present: Presenter<T>,
): Response {
  const baseUrl = externalUrl(c);
  const resources = page.resources.map((resource) => present(resource, baseUrl));
  return jsonResponse(c, 200, paginatedList(c, path, request.links, request.paging, page.total, resources));
}

/**
 * GET <path> of a top-level list (after `queryParams` of its query): the valid query as `read` reads
 * it, the page `list` gives the caller, in CC's envelope. What the resource routers answer alike.
 */
export function listResources<Q, F, T>(
  path: string,
  read: (query: Q) => ListRequest<F>,
  list: (db: Db, user: User, filters: F, paging: Paging) => Promise<Page<T>>,
  present: Presenter<T>,
) {
  return async (c: Context<AppEnv, string, { out: { query: Q } }>) => {
    const request = read(c.req.valid("query"));
    const page = await list(c.get("db"), currentUser(c), request.filters, request.paging);
    return listResponse(c, path, request, page, present);
  };
}
