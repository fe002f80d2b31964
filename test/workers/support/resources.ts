// Shared expectations for the organization, space, app and role tests: the list envelope CC returns,
// CC's error bodies for validation and access, and tokens for each kind of caller.
import { expect } from "vitest";
import { BASE, callWithEnv, cfError, TIMESTAMP, UUID } from "./http";
import { adminToken, token } from "./tokens";

export const anyGuid = () => expect.stringMatching(UUID);
export const anyTimestamp = () => expect.stringMatching(TIMESTAMP);

export const unprocessableBody = (detail: string) => cfError(10008, "CF-UnprocessableEntity", detail);
export const badQueryBody = (detail: string) =>
  cfError(10005, "CF-BadQueryParameter", `The query parameter is invalid: ${detail}`);
export const notFoundBody = (resource: string) =>
  cfError(10010, "CF-ResourceNotFound", `${resource} not found`);
export const NOT_AUTHORIZED = cfError(
  10003,
  "CF-NotAuthorized",
  "You are not authorized to perform the requested action",
);
export const ORG_SUSPENDED = cfError(10017, "CF-OrgSuspended", "The organization is suspended");
export const NOT_AUTHENTICATED = cfError(10002, "CF-NotAuthenticated", "Authentication error");

/** Tokens of the global roles; users of space and organization roles carry read and write scopes. */
export const globalAuditorToken = (user = "global-auditor") =>
  token(user, { scopes: ["cloud_controller.global_auditor"] });
export const adminReadOnlyToken = (user = "admin-read-only") =>
  token(user, { scopes: ["cloud_controller.admin_read_only"] });
export { adminToken };

/** CC's pagination envelope for `query` (sorted keys, as CC sorts them) on one page. */
export function listBody(
  path: string,
  query: Record<string, string>,
  resources: unknown[],
  page: {
    total: number;
    pages?: number;
    next?: number;
    previous?: number;
    perPage?: number;
    current?: number;
  } = {
    total: resources.length,
  },
) {
  const perPage = page.perPage ?? 50;
  const pages = page.pages ?? 1;
  const href = (n: number) => {
    const params = { ...query, page: String(n), per_page: String(perPage) };
    const sorted = Object.keys(params)
      .sort()
      .map((key): [string, string] => [key, params[key as keyof typeof params]!]);
    return { href: `${BASE}${path}?${new URLSearchParams(sorted).toString()}` };
  };
  return {
    pagination: {
      total_results: page.total,
      total_pages: pages,
      first: href(1),
      last: href(pages),
      next: page.next ? href(page.next) : null,
      previous: page.previous ? href(page.previous) : null,
    },
    resources,
  };
}

/** DELETE through the worker's own execution context, so the job it starts has finished on return. */
export const deleteAndWait = (path: string, bearer: string) =>
  callWithEnv({}, "DELETE", path, { token: bearer });

/** The job a 202 points at, read back by `bearer` (its creator). */
export async function jobOf(location: string | null, bearer: string) {
  expect(location).toMatch(new RegExp(`^${BASE}/v3/jobs/`));
  const reply = await callWithEnv({}, "GET", new URL(location!).pathname, { token: bearer });
  return reply.json;
}
