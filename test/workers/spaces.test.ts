// /v3/spaces: create (admins and organization managers), show and list by visibility, delete as a job.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "./support/callers";
import { badQueryBody, notFoundBody, unprocessableBody } from "./support/errors";
import { createWorld, newUser, type World } from "./support/fixtures";
import { BASE, call } from "./support/http";
import {
  adminReadOnlyToken,
  adminToken,
  anyGuid,
  anyTimestamp,
  expectDeleteCompletes,
  expectTakenTheSecondTime,
  globalAuditorToken,
  itForbids,
  itRefusesDeletes,
  itShowsToSpaceReaders,
  itStopsSuspendedWriters,
  listBody,
} from "./support/resources";
import { token } from "./support/tokens";

const spaceBody = (guid: string, name: string, organizationGuid: string) => ({
  guid,
  created_at: anyTimestamp(),
  updated_at: anyTimestamp(),
  name,
  relationships: { organization: { data: { guid: organizationGuid } }, quota: { data: null } },
  metadata: { labels: {}, annotations: {} },
  links: {
    self: { href: `${BASE}/v3/spaces/${guid}` },
    organization: { href: `${BASE}/v3/organizations/${organizationGuid}` },
  },
});

const worldSpace = (world: World) => spaceBody(world.spaceGuid, `space-${world.spaceGuid}`, world.orgGuid);
const inOrganization = (guid: string) => ({ organization: { data: { guid } } });
const INVALID_ORGANIZATION = unprocessableBody(
  "Invalid organization. Ensure the organization exists and you have access to it.",
);

async function createSpace(bearer: string, body: unknown) {
  return call("POST", "/v3/spaces", { token: bearer, body });
}

describe("POST /v3/spaces", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  it("creates a space in an organization for an admin", async () => {
    const reply = await createSpace(await adminToken(), {
      name: "dev",
      relationships: inOrganization(world.orgGuid),
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual(spaceBody(reply.json.guid, "dev", world.orgGuid));
    expect(reply.json.guid).toEqual(anyGuid());
    expect(Object.keys(reply.json)).toEqual([
      "guid",
      "created_at",
      "updated_at",
      "name",
      "relationships",
      "metadata",
      "links",
    ]);
  });

  it("creates one for a manager of the organization, with its metadata and a stripped name", async () => {
    const metadata = { labels: { team: "core" }, annotations: { note: "made by the manager" } };
    const reply = await createSpace(await tokenFor(world, "organization_manager"), {
      name: " staging ",
      relationships: inOrganization(world.orgGuid),
      metadata,
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ ...spaceBody(reply.json.guid, "staging", world.orgGuid), metadata });
  });

  it("refuses a name already used in the organization, but not in another", async () => {
    const bearer = await adminToken();
    const body = { name: "twice", relationships: inOrganization(world.orgGuid) };
    await expectTakenTheSecondTime("/v3/spaces", bearer, body, "Name must be unique per organization");
    const other = await createWorld();
    expect(
      (await createSpace(bearer, { ...body, relationships: inOrganization(other.orgGuid) })).status,
    ).toBe(201);
  });

  it.each<[string, (org: string) => unknown, string]>([
    ["an empty body", () => ({}), "Relationships 'relationships' is not an object, Name can't be blank"],
    [
      "no organization",
      () => ({ name: "s", relationships: {} }),
      "Relationships 'relationships' must include one or more valid relationships",
    ],
    [
      "a guid that is not a string",
      () => ({ name: "s", relationships: { organization: { data: { guid: 5 } } } }),
      "Relationships Organization guid must be a string, Relationships Organization guid must be between 1 and 200 characters",
    ],
    [
      "an unknown relationship",
      (org) => ({ name: "s", relationships: { ...inOrganization(org), space: {} } }),
      "Relationships Unknown field(s): 'space'",
    ],
    [
      "an empty name",
      (org) => ({ name: "", relationships: inOrganization(org) }),
      "Name can't be blank, Name must not contain escaped characters",
    ],
    [
      "a name that is not a string",
      (org) => ({ name: 5, relationships: inOrganization(org) }),
      "Name must be a string",
    ],
    [
      "a name over 255 characters",
      (org) => ({ name: "s".repeat(256), relationships: inOrganization(org) }),
      "Name is too long (maximum is 255 characters)",
    ],
    [
      "unknown fields",
      (org) => ({ name: "s", relationships: inOrganization(org), isolation_segment: "x" }),
      "Unknown field(s): 'isolation_segment'",
    ],
  ])("refuses %s with 422", async (_case, body, detail) => {
    const reply = await createSpace(await adminToken(), body(world.orgGuid));
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("refuses an organization that does not exist, or none, with 422", async () => {
    const bearer = await adminToken();
    for (const relationships of [inOrganization(crypto.randomUUID()), { organization: { data: null } }]) {
      const reply = await createSpace(bearer, { name: "s", relationships });
      expect(reply.status).toBe(422);
      expect(reply.json).toEqual(INVALID_ORGANIZATION);
    }
  });

  it("refuses an organization the user cannot see with 422", async () => {
    const reply = await createSpace(await token(newUser()), {
      name: "s",
      relationships: inOrganization(world.orgGuid),
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(INVALID_ORGANIZATION);
  });

  itForbids(
    [
      "organization_user",
      "organization_auditor",
      "organization_billing_manager",
      "space_developer",
      "space_manager",
    ],
    () => world,
    (bearer) => createSpace(bearer, { name: "s", relationships: inOrganization(world.orgGuid) }),
  );

  it("forbids global readers (no write scope)", async () => {
    for (const bearer of [await adminReadOnlyToken(), await globalAuditorToken()]) {
      const reply = await createSpace(bearer, { name: "s", relationships: inOrganization(world.orgGuid) });
      expect(reply.status).toBe(403);
    }
  });

  itStopsSuspendedWriters("organization_manager", "/v3/spaces", (suspended) => ({
    name: "s",
    relationships: inOrganization(suspended.orgGuid),
  }));
});

describe("GET /v3/spaces/:guid", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  itShowsToSpaceReaders("Space", () => ({
    world,
    path: `/v3/spaces/${world.spaceGuid}`,
    body: worldSpace(world),
  }));

  it("is 404 for an unknown guid", async () => {
    const reply = await call("GET", `/v3/spaces/${crypto.randomUUID()}`, { token: await adminToken() });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Space"));
  });
});

describe("GET /v3/spaces", () => {
  let first: World;
  let second: World;
  let guids: string;
  beforeAll(async () => {
    first = await createWorld();
    second = await createWorld();
    guids = `${first.spaceGuid},${second.spaceGuid}`;
  });
  const list = (bearer: string, query: string) => call("GET", `/v3/spaces?${query}`, { token: bearer });

  it("lists every space to a global reader", async () => {
    const reply = await list(await globalAuditorToken(), `guids=${guids}`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(listBody("/v3/spaces", { guids }, [worldSpace(first), worldSpace(second)]));
  });

  it("lists the spaces a user has a space role in or manages the organization of", async () => {
    const developer = await tokenFor(first, "space_developer");
    expect((await list(developer, `guids=${guids}`)).json).toEqual(
      listBody("/v3/spaces", { guids }, [worldSpace(first)]),
    );
    const manager = await tokenFor(second, "organization_manager");
    expect((await list(manager, `guids=${guids}`)).json).toEqual(
      listBody("/v3/spaces", { guids }, [worldSpace(second)]),
    );
    const orgUser = await tokenFor(second, "organization_user");
    expect((await list(orgUser, `guids=${guids}`)).json).toEqual(listBody("/v3/spaces", { guids }, []));
  });

  it("filters by organization and by name", async () => {
    const bearer = await adminToken();
    const byOrg = await list(bearer, `organization_guids=${second.orgGuid}`);
    expect(byOrg.json).toEqual(
      listBody("/v3/spaces", { organization_guids: second.orgGuid }, [worldSpace(second)]),
    );
    const names = `space-${first.spaceGuid}`;
    const byName = await list(bearer, `names=${names}`);
    expect(byName.json).toEqual(listBody("/v3/spaces", { names }, [worldSpace(first)]));
  });

  it("orders by -name and pages", async () => {
    const reply = await list(await adminToken(), `guids=${guids}&order_by=-name&per_page=1&page=2`);
    const [, last] = [first, second].sort((a, b) =>
      `space-${a.spaceGuid}` > `space-${b.spaceGuid}` ? -1 : 1,
    );
    expect(reply.json).toEqual(
      listBody("/v3/spaces", { guids, order_by: "-name" }, [worldSpace(last!)], {
        total: 2,
        pages: 2,
        previous: 1,
        perPage: 1,
      }),
    );
  });

  it("refuses unknown parameters with CC's message", async () => {
    const reply = await list(await adminToken(), "include=organization");
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(
      badQueryBody(
        "Unknown query parameter(s): 'include'. Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'names', 'organization_guids', 'label_selector'",
      ),
    );
  });
});

describe("DELETE /v3/spaces/:guid", () => {
  it("accepts an organization manager's delete as a job that removes the space", async () => {
    const world = await createWorld();
    const manager = await tokenFor(world, "organization_manager");
    await expectDeleteCompletes(`/v3/spaces/${world.spaceGuid}`, manager, "space.delete");
    const row = await env.DB.prepare("SELECT guid FROM spaces WHERE guid = ?").bind(world.spaceGuid).first();
    expect(row).toBeNull();
  });

  itRefusesDeletes("Space", (world) => `/v3/spaces/${world.spaceGuid}`, {
    forbidden: ["space_developer", "space_manager", "space_auditor"],
    unseeing: "organization_auditor",
    writer: "organization_manager",
  });
});
