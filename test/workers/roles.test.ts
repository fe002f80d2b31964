// /v3/roles: show and list by visibility, delete as a job (with CC's organization_user rule).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "./support/callers";
import { NOT_AUTHORIZED, notFoundBody, unprocessableBody } from "./support/errors";
import { createWorld, grant, newUser, type World } from "./support/fixtures";
import { call } from "./support/http";
import {
  adminToken,
  deleteAndWait,
  expectDeleteCompletes,
  globalAuditorToken,
  listBody,
} from "./support/resources";
import { createRole, orgRole, roleBody, spaceRole } from "./support/roles";
import { token } from "./support/tokens";

describe("GET /v3/roles and /v3/roles/:guid", () => {
  let world: World;
  let other: World;
  let alice: string;
  let bob: string;
  let aliceOrg: string;
  let aliceSpace: string;
  let bobManager: string;
  let otherRole: string;

  beforeAll(async () => {
    world = await createWorld();
    other = await createWorld();
    alice = newUser("alice");
    bob = newUser("bob");
    const admin = await adminToken();
    aliceOrg = (await createRole(admin, orgRole("organization_user", alice, world.orgGuid))).json.guid;
    aliceSpace = (await createRole(admin, spaceRole("space_developer", alice, world.spaceGuid))).json.guid;
    bobManager = (await createRole(admin, orgRole("organization_manager", bob, world.orgGuid))).json.guid;
    otherRole = (await createRole(admin, orgRole("organization_auditor", bob, other.orgGuid))).json.guid;
  });

  const bodies = () => ({
    aliceOrg: roleBody(aliceOrg, "organization_user", alice, { organization: world.orgGuid }),
    aliceSpace: roleBody(aliceSpace, "space_developer", alice, { space: world.spaceGuid }),
    bobManager: roleBody(bobManager, "organization_manager", bob, { organization: world.orgGuid }),
    otherRole: roleBody(otherRole, "organization_auditor", bob, { organization: other.orgGuid }),
  });
  const list = (bearer: string, query: string) => call("GET", `/v3/roles?${query}`, { token: bearer });

  it("lists the roles in the organizations and spaces a user sees, ordered by +created_at", async () => {
    const users = `${alice},${bob}`;
    const reply = await list(await token(alice), `user_guids=${users}`);
    expect(reply.status).toBe(200);
    const { aliceOrg: a, aliceSpace: s, bobManager: m } = bodies();
    expect(reply.json).toEqual(
      listBody("/v3/roles", { user_guids: users, order_by: "+created_at" }, [a, s, m]),
    );
  });

  it("lists every role to a global reader, filtered as asked", async () => {
    const bearer = await globalAuditorToken();
    const all = bodies();
    const cases: [string, unknown[]][] = [
      [`user_guids=${bob}`, [all.bobManager, all.otherRole]],
      [`organization_guids=${world.orgGuid}`, [all.aliceOrg, all.bobManager]],
      [`space_guids=${world.spaceGuid}`, [all.aliceSpace]],
      [`types=organization_manager,organization_auditor&user_guids=${bob}`, [all.bobManager, all.otherRole]],
      [`guids=${otherRole}`, [all.otherRole]],
    ];
    for (const [query, expected] of cases) {
      const reply = await list(bearer, query);
      expect(reply.json.resources).toEqual(expected);
    }
  });

  it("shows a visible role, and 404s one the user cannot see", async () => {
    const aliceToken = await token(alice);
    const shown = await call("GET", `/v3/roles/${bobManager}`, { token: aliceToken });
    expect(shown.status).toBe(200);
    expect(shown.json).toEqual(bodies().bobManager);
    const hidden = await call("GET", `/v3/roles/${otherRole}`, { token: aliceToken });
    expect(hidden.status).toBe(404);
    expect(hidden.json).toEqual(notFoundBody("Role"));
  });
});

describe("DELETE /v3/roles/:guid", () => {
  it("accepts an organization manager's delete of a space role as a job", async () => {
    const world = await createWorld();
    const user = newUser();
    await grant(user, "organization_user", world);
    const admin = await adminToken();
    const role = (await createRole(admin, spaceRole("space_auditor", user, world.spaceGuid))).json.guid;
    const manager = await tokenFor(world, "organization_manager");
    await expectDeleteCompletes(`/v3/roles/${role}`, manager, "role.delete");
    expect((await call("GET", `/v3/roles/${role}`, { token: admin })).status).toBe(404);
  });

  it("lets a space manager delete roles in the space but not in the organization", async () => {
    const world = await createWorld();
    const user = newUser();
    const admin = await adminToken();
    const orgUser = (await createRole(admin, orgRole("organization_auditor", user, world.orgGuid))).json.guid;
    await grant(user, "organization_user", world);
    const inSpace = (await createRole(admin, spaceRole("space_developer", user, world.spaceGuid))).json.guid;
    const spaceManager = await tokenFor(world, "space_manager");
    expect((await deleteAndWait(`/v3/roles/${inSpace}`, spaceManager)).status).toBe(202);
    const forbidden = await call("DELETE", `/v3/roles/${orgUser}`, { token: spaceManager });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json).toEqual(NOT_AUTHORIZED);
  });

  it("keeps an organization_user role while its user has roles in the organization's spaces", async () => {
    const world = await createWorld();
    const user = newUser();
    const admin = await adminToken();
    const membership = (await createRole(admin, orgRole("organization_user", user, world.orgGuid))).json.guid;
    await createRole(admin, spaceRole("space_developer", user, world.spaceGuid));
    const reply = await call("DELETE", `/v3/roles/${membership}`, { token: admin });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(
      unprocessableBody(
        "Cannot delete organization_user role while user has roles in spaces in that organization.",
      ),
    );
  });

  it("is 404 Role not found to a user who cannot see the role", async () => {
    const world = await createWorld();
    const role = (
      await createRole(await adminToken(), orgRole("organization_auditor", newUser(), world.orgGuid))
    ).json.guid;
    const reply = await call("DELETE", `/v3/roles/${role}`, { token: await token(newUser()) });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Role"));
  });

  it("forbids a space developer, who can see the role", async () => {
    const world = await createWorld();
    const developer = newUser();
    await grant(developer, "space_developer", world);
    const [{ guid }] = (
      await env.DB.prepare("SELECT guid FROM roles WHERE user_guid = ?")
        .bind(developer)
        .all<{ guid: string }>()
    ).results as [{ guid: string }];
    const reply = await call("DELETE", `/v3/roles/${guid}`, { token: await token(developer) });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });
});
