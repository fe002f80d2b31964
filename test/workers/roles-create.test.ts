// POST /v3/roles: CC's validation, access and membership rules for organization and space roles.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "./support/callers";
import { unprocessableBody } from "./support/errors";
import { createWorld, grant, newUser, type World } from "./support/fixtures";
import { cfError } from "./support/http";
import {
  adminToken,
  anyGuid,
  expectTakenTheSecondTime,
  itForbids,
  itStopsSuspendedWriters,
} from "./support/resources";
import { createRole, orgRole, roleBody, spaceRole, userData } from "./support/roles";
import { token } from "./support/tokens";

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
