// Shared expectations for the organization, space, app and role tests: who sees a space's resources,
// who may not change them, the list envelope CC returns, tokens of global readers without the write
// scope, names taken on a second create, and delete jobs run to their end.
import { expect, it } from "vitest";
import { GLOBAL_READERS, ORGANIZATION_ONLY, SPACE_READERS, tokenFor } from "./callers";
import { NOT_AUTHORIZED, notFoundBody, ORG_SUSPENDED, unprocessableBody } from "./errors";
import { createWorld, type RoleType, type World } from "./fixtures";
import { BASE, call, callWithEnv, type Reply, TIMESTAMP, UUID } from "./http";
import { adminToken, token } from "./tokens";

export const anyGuid = () => expect.stringMatching(UUID);
export const anyTimestamp = () => expect.stringMatching(TIMESTAMP);

/** Tokens of the global read roles alone (no cloud_controller.write). */
export const globalAuditorToken = (user = "global-auditor") =>
  token(user, { scopes: ["cloud_controller.global_auditor"] });
export const adminReadOnlyToken = (user = "admin-read-only") =>
  token(user, { scopes: ["cloud_controller.admin_read_only"] });
export { adminToken };

/** CC's organization JSON for an organization without labels or annotations. */
export const organizationBody = (guid: string, name: string, suspended = false) => ({
  guid,
  created_at: anyTimestamp(),
  updated_at: anyTimestamp(),
  name,
  suspended,
  metadata: { labels: {}, annotations: {} },
  links: { self: { href: `${BASE}/v3/organizations/${guid}` } },
});

/**
 * The visibility CC gives a space and what it holds, on `shown().path`: global readers and the space's
 * readers get 200 with `shown().body`; roles only in its organization get 404 `<resource> not found`.
 */
export function itShowsToSpaceReaders(
  resource: string,
  shown: () => { world: World; path: string; body: unknown },
) {
  it.each([...GLOBAL_READERS, ...SPACE_READERS])(
    `shows the ${resource.toLowerCase()} to %s`,
    async (role) => {
      const { world, path, body } = shown();
      const reply = await call("GET", path, { token: await tokenFor(world, role) });
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual(body);
    },
  );

  it.each(ORGANIZATION_ONLY)(`is 404 ${resource} not found to a user with only the %s role`, async (role) => {
    const { world, path } = shown();
    const reply = await call("GET", path, { token: await tokenFor(world, role) });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody(resource));
  });
}

/**
 * 403 CF-NotAuthorized for each of `roles`: `send` makes the request as a user with the role in the world
 * `world()` gives (the describe's own, or a fresh one for each case).
 */
export function itForbids(
  roles: RoleType[],
  world: () => World | Promise<World>,
  send: (bearer: string, world: World) => Promise<Reply>,
) {
  it.each(roles)("forbids a user with the %s role", async (role) => {
    const target = await world();
    const reply = await send(await tokenFor(target, role), target);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });
}

/** POST `body(world)` to `path` in a suspended organization: 403 CF-OrgSuspended to `writer`, 201 to an admin. */
export function itStopsSuspendedWriters(writer: RoleType, path: string, body: (world: World) => unknown) {
  it(`stops a ${writer} of a suspended organization, not an admin`, async () => {
    const world = await createWorld({ orgStatus: "suspended" });
    const create = async (bearer: string) => call("POST", path, { token: bearer, body: body(world) });
    const reply = await create(await tokenFor(world, writer));
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(ORG_SUSPENDED);
    expect((await create(await adminToken())).status).toBe(201);
  });
}

/**
 * CC's refusals of DELETE `path(world)`, each in a fresh world: 403 for the `forbidden` roles, 404
 * `<resource> not found` to `unseeing`, and 403 CF-OrgSuspended to `writer` in a suspended organization.
 */
export function itRefusesDeletes(
  resource: string,
  path: (world: World) => string,
  roles: { forbidden: RoleType[]; unseeing: RoleType; writer: RoleType },
) {
  const remove = (bearer: string, world: World) => call("DELETE", path(world), { token: bearer });
  itForbids(roles.forbidden, () => createWorld(), remove);

  it(`is 404 ${resource} not found to a user who cannot see it`, async () => {
    const world = await createWorld();
    const reply = await remove(await tokenFor(world, roles.unseeing), world);
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody(resource));
  });

  it(`stops a ${roles.writer} of a suspended organization`, async () => {
    const world = await createWorld({ orgStatus: "suspended" });
    const reply = await remove(await tokenFor(world, roles.writer), world);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(ORG_SUSPENDED);
  });
}

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

/** POSTs `body` to `path` twice as `bearer`: 201, then 422 with `detail` (the name or role is taken). */
export async function expectTakenTheSecondTime(path: string, bearer: string, body: unknown, detail: string) {
  expect((await call("POST", path, { token: bearer, body })).status).toBe(201);
  const again = await call("POST", path, { token: bearer, body });
  expect(again.status).toBe(422);
  expect(again.json).toEqual(unprocessableBody(detail));
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

/** DELETE `path` as `bearer`: 202 without a body, and the job it points at COMPLETE as `operation`. */
export async function expectDeleteCompletes(path: string, bearer: string, operation: string) {
  const reply = await deleteAndWait(path, bearer);
  expect(reply.status).toBe(202);
  expect(reply.text).toBe("");
  const job = await jobOf(reply.headers.get("Location"), bearer);
  expect(job).toEqual({
    guid: anyGuid(),
    created_at: anyTimestamp(),
    updated_at: anyTimestamp(),
    operation,
    state: "COMPLETE",
    errors: [],
    warnings: [],
    links: { self: { href: `${BASE}/v3/jobs/${job.guid}` } },
  });
}
