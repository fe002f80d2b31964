// Role × endpoint matrix of CC's request spec (C.8) for create, copy, show, update and delete, and the
// suspended organization.
import { describe, expect, it } from "vitest";
import { type Caller, tokenFor } from "../support/callers";
import { INVALID_APP, NOT_AUTHORIZED, notFoundBody, ORG_SUSPENDED } from "../support/errors";
import { addApp, addPackage, createWorld, grant, newUser, type World } from "../support/fixtures";
import { call, type Reply } from "../support/http";
import { token } from "../support/tokens";

// CC's spec leaves organization_user out: it sees no space, as organization_auditor.
type Role = Exclude<Caller, "organization_user">;

type Endpoint = "create" | "copy" | "show" | "update" | "delete";

const ERRORS = {
  403: NOT_AUTHORIZED,
  404: notFoundBody("Package"),
  suspended: ORG_SUSPENDED,
  invalidApp: INVALID_APP,
} as const;

/** Calls `endpoint` as `bearer` on a fresh package (docker, so copies need no bits) of the world's app. */
async function request(endpoint: Endpoint, world: World, bearer: string): Promise<Reply> {
  const target = await addApp(world.spaceGuid);
  const guid = await addPackage(world.appGuid, { type: "docker" });
  const toTarget = { relationships: { app: { data: { guid: target } } } };
  switch (endpoint) {
    case "create":
      return call("POST", "/v3/packages", { token: bearer, body: { type: "bits", ...toTarget } });
    case "copy":
      return call("POST", `/v3/packages?source_guid=${guid}`, { token: bearer, body: toTarget });
    case "show":
      return call("GET", `/v3/packages/${guid}`, { token: bearer });
    case "update":
      return call("PATCH", `/v3/packages/${guid}`, {
        token: bearer,
        body: { metadata: { labels: { a: "b" } } },
      });
    case "delete":
      return call("DELETE", `/v3/packages/${guid}`, { token: bearer });
  }
}

const SUCCESS: Record<Endpoint, number> = { create: 201, copy: 201, show: 200, update: 200, delete: 202 };

// Expected status per role, in the order create, copy, show, update, delete.
const MATRIX: Record<Role, [number, number, number, number, number]> = {
  admin: [201, 201, 200, 200, 202],
  admin_read_only: [403, 403, 200, 403, 403],
  global_auditor: [403, 403, 200, 403, 403],
  space_developer: [201, 201, 200, 200, 202],
  space_manager: [403, 403, 200, 403, 403],
  space_auditor: [403, 403, 200, 403, 403],
  space_supporter: [403, 403, 200, 403, 403],
  organization_manager: [403, 403, 200, 403, 403],
  organization_auditor: [422, 422, 404, 404, 404],
  organization_billing_manager: [422, 422, 404, 404, 404],
  no_role: [422, 422, 404, 404, 404],
};

const ENDPOINTS: Endpoint[] = ["create", "copy", "show", "update", "delete"];
const CASES = Object.entries(MATRIX).flatMap(([role, statuses]) =>
  ENDPOINTS.map((endpoint, i) => ({ role: role as Role, endpoint, status: statuses[i]! })),
);

/** A 422 is always the app: a copy checks its target before its source. */
const expectedError = (status: number) =>
  ({ 403: ERRORS[403], 404: ERRORS[404], 422: ERRORS.invalidApp })[status];

describe("role × endpoint", () => {
  it.each(CASES)("$role → $endpoint: $status", async ({ role, endpoint, status }) => {
    const world = await createWorld();
    const reply = await request(endpoint, world, await tokenFor(world, role));
    expect(reply.status).toBe(status);
    const error = expectedError(status);
    if (error) expect(reply.json).toEqual(error);
    else if (endpoint !== "delete") expect(reply.json.guid).toBeTypeOf("string");
  });
});

describe("a suspended organization", () => {
  it.each(ENDPOINTS)(
    "stops a space developer's %s with 403 CF-OrgSuspended, except a read",
    async (endpoint) => {
      const world = await createWorld({ orgStatus: "suspended" });
      const reply = await request(endpoint, world, await tokenFor(world, "space_developer"));
      if (endpoint === "show") {
        expect(reply.status).toBe(200);
      } else {
        expect(reply.status).toBe(403);
        expect(reply.json).toEqual(ERRORS.suspended);
      }
    },
  );

  it("stops a copy whose source is in a suspended organization", async () => {
    const active = await createWorld();
    const suspended = await createWorld({ orgStatus: "suspended" });
    const user = newUser();
    await grant(user, "space_developer", active);
    await grant(user, "space_developer", suspended);
    const source = await addPackage(suspended.appGuid, { type: "docker" });
    const reply = await call("POST", `/v3/packages?source_guid=${source}`, {
      token: await token(user),
      body: { relationships: { app: { data: { guid: active.appGuid } } } },
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(ERRORS.suspended);
  });

  it.each(ENDPOINTS)("does not stop an admin's %s", async (endpoint) => {
    const world = await createWorld({ orgStatus: "suspended" });
    const reply = await request(endpoint, world, await tokenFor(world, "admin"));
    expect(reply.status).toBe(SUCCESS[endpoint]);
  });
});
