// /v3/roles: show and list by visibility, delete as a job (with CC's organization_user rule).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "./support/callers";
import { NOT_AUTHORIZED, notFoundBody, unprocessableBody } from "./support/errors";
import { createWorld, grant, newUser, type World } from "./support/fixtures";
import { call, cfError } from "./support/http";
import {
  adminToken,
  anyGuid,
  deleteAndWait,
  expectDeleteCompletes,
  expectTakenTheSecondTime,
  globalAuditorToken,
  itForbids,
  itStopsSuspendedWriters,
  listBody,
} from "./support/resources";
import { createRole, orgRole, roleBody, spaceRole, userData } from "./support/roles";
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

// POST /v3/roles: CC's validation, access and membership rules for organization and space roles.
const ALLOWED_TYPES =
  'Type must be one of the allowed types ["organization_auditor", "organization_manager", "organization_billing_manager", "organization_user", "space_auditor", "space_manager", "space_developer", "space_supporter"]';
const NOT_IN_ORGANIZATION = unprocessableBody(
  "Users cannot be assigned roles in a space if they do not have a role in that space's organization.",
);

describe("POST /v3/roles: organization roles", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it("gives an admin's role to a user seen for the first time, recording the user", async () => {
    const user = newUser("first-sight");
    const reply = await createRole(await adminToken(), orgRole("organization_auditor", user, world.orgGuid));
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual(
      roleBody(reply.json.guid, "organization_auditor", user, { organization: world.orgGuid }),
    );
    expect(reply.json.guid).toEqual(anyGuid());
    expect(Object.keys(reply.json.relationships)).toEqual(["user", "organization", "space"]);
    const row = await env.DB.prepare("SELECT guid FROM users WHERE guid = ?").bind(user).first();
    expect(row).toEqual({ guid: user });
  });

  it("lets a manager of the organization give roles in it", async () => {
    const user = newUser();
    const reply = await createRole(
      await tokenFor(world, "organization_manager"),
      orgRole("organization_billing_manager", user, world.orgGuid),
    );
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual(
      roleBody(reply.json.guid, "organization_billing_manager", user, { organization: world.orgGuid }),
    );
  });

  it("refuses a role the user already holds, naming user, role and organization", async () => {
    const user = newUser();
    await expectTakenTheSecondTime(
      "/v3/roles",
      await adminToken(),
      orgRole("organization_user", user, world.orgGuid),
      `User '${user}' already has 'organization_user' role in organization 'org-${world.orgGuid}'.`,
    );
  });

  itForbids(
    ["organization_user", "organization_auditor", "space_manager", "space_developer"],
    () => world,
    (bearer) => createRole(bearer, orgRole("organization_user", newUser(), world.orgGuid)),
  );

  it("forbids a user without roles: CC only asks that the organization exists", async () => {
    const reply = await createRole(
      await token(newUser()),
      orgRole("organization_user", newUser(), world.orgGuid),
    );
    expect(reply.status).toBe(403);
  });

  it("refuses an organization that does not exist with 422", async () => {
    const reply = await createRole(
      await adminToken(),
      orgRole("organization_user", newUser(), crypto.randomUUID()),
    );
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(
      unprocessableBody(
        "Invalid organization. Ensure that the organization exists and you have access to it.",
      ),
    );
  });

  const suspendedMember = newUser();
  itStopsSuspendedWriters("organization_manager", "/v3/roles", (suspended) =>
    orgRole("organization_user", suspendedMember, suspended.orgGuid),
  );

  it("answers users named by username as CC does with set_roles_by_username off", async () => {
    const reply = await createRole(await adminToken(), {
      type: "organization_user",
      relationships: {
        user: { data: { username: "alice" } },
        organization: { data: { guid: world.orgGuid } },
      },
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(
      cfError(330002, "CF-FeatureDisabled", "Feature Disabled: set_roles_by_username"),
    );
  });
});

describe("POST /v3/roles: space roles", () => {
  let world: World;
  let member: string;
  beforeAll(async () => {
    world = await createWorld();
    member = newUser("member");
    await grant(member, "organization_user", world);
  });

  it.each<[string, () => Promise<string>]>([
    ["an admin", () => adminToken()],
    ["a manager of the organization", () => tokenFor(world, "organization_manager")],
    ["a manager of the space", () => tokenFor(world, "space_manager")],
  ])("lets %s give a space role to a member of the organization", async (_case, bearer) => {
    const type = "space_auditor";
    const user = newUser();
    await grant(user, "organization_user", world);
    const reply = await createRole(await bearer(), spaceRole(type, user, world.spaceGuid));
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual(roleBody(reply.json.guid, type, user, { space: world.spaceGuid }));
    expect(Object.keys(reply.json.relationships)).toEqual(["user", "space", "organization"]);
  });

  it("refuses a user without the organization_user role in the space's organization", async () => {
    const bearer = await adminToken();
    const stranger = await createRole(bearer, spaceRole("space_developer", newUser(), world.spaceGuid));
    expect(stranger.status).toBe(422);
    expect(stranger.json).toEqual(NOT_IN_ORGANIZATION);
    // CC's Space#in_organization? asks for organization_user, not any organization role.
    const manager = newUser("manager-only");
    await grant(manager, "organization_manager", world);
    const managerOnly = await createRole(bearer, spaceRole("space_developer", manager, world.spaceGuid));
    expect(managerOnly.json).toEqual(NOT_IN_ORGANIZATION);
  });

  it("refuses a role the user already holds, naming user, role and space", async () => {
    await expectTakenTheSecondTime(
      "/v3/roles",
      await adminToken(),
      spaceRole("space_developer", member, world.spaceGuid),
      `User '${member}' already has 'space_developer' role in space 'space-${world.spaceGuid}'.`,
    );
  });

  itForbids(
    ["space_developer", "space_auditor", "organization_user", "organization_auditor"],
    () => world,
    (bearer) => createRole(bearer, spaceRole("space_supporter", member, world.spaceGuid)),
  );

  it("refuses a space that does not exist with 422", async () => {
    const reply = await createRole(
      await adminToken(),
      spaceRole("space_developer", member, crypto.randomUUID()),
    );
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(
      unprocessableBody("Invalid space. Ensure that the space exists and you have access to it."),
    );
  });
});

describe("POST /v3/roles: validation", () => {
  const org = crypto.randomUUID();
  const space = crypto.randomUUID();
  const user = "some-user";
  it.each<[string, unknown, string]>([
    ["an empty body", {}, `Relationships 'relationships' is not an object, ${ALLOWED_TYPES}`],
    [
      "no space or organization",
      { type: "space_developer", relationships: { user: userData(user) } },
      "Relationships must specify either a space or an organization.",
    ],
    [
      "a space for an organization role",
      {
        type: "organization_user",
        relationships: { user: userData(user), space: { data: { guid: space } } },
      },
      "Relationships Space cannot be provided with the organization role type: 'organization_user'.",
    ],
    [
      "an organization for a space role",
      {
        type: "space_developer",
        relationships: { user: userData(user), organization: { data: { guid: org } } },
      },
      "Relationships Organization cannot be provided with the space role type: 'space_developer'.",
    ],
    [
      "both, with an unknown type",
      {
        type: "boss",
        relationships: {
          user: userData(user),
          organization: { data: { guid: org } },
          space: { data: { guid: space } },
        },
      },
      `Relationships cannot specify both an organization and a space., ${ALLOWED_TYPES}`,
    ],
    [
      "no user",
      { type: "organization_user", relationships: { organization: { data: { guid: org } } } },
      "Relationships User can't be blank, Relationships User must have a username or guid specified",
    ],
    [
      "a user by guid and username",
      {
        type: "organization_user",
        relationships: {
          user: { data: { guid: user, username: "u" } },
          organization: { data: { guid: org } },
        },
      },
      "Relationships Username cannot be specified when identifying user by guid",
    ],
    [
      "an origin without a username",
      {
        type: "organization_user",
        relationships: { user: { data: { origin: "uaa" } }, organization: { data: { guid: org } } },
      },
      "Relationships User origin cannot be specified without specifying the username, Relationships User must have a username or guid specified",
    ],
    [
      "a user guid that is not a string",
      {
        type: "organization_user",
        relationships: { user: { data: { guid: 5 } }, organization: { data: { guid: org } } },
      },
      "Relationships User guid must be a string, Relationships User guid must be between 1 and 200 characters",
    ],
    [
      "a badly shaped organization",
      {
        type: "organization_user",
        relationships: { user: userData(user), organization: { data: { guid: org }, x: 1 } },
      },
      'Relationships Organization must be structured like this: "organization: {"data": {"guid": "valid-guid"}}"',
    ],
    [
      "an unknown relationship",
      {
        type: "organization_user",
        relationships: { user: userData(user), organization: { data: { guid: org } }, app: {} },
      },
      "Relationships Unknown field(s): 'app'",
    ],
    [
      "unknown fields",
      { ...orgRole("organization_user", user, org), metadata: {} },
      "Unknown field(s): 'metadata'",
    ],
  ])("refuses %s with 422", async (_case, body, detail) => {
    const reply = await createRole(await adminToken(), body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });
});
