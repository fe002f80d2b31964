// /v3/organizations: show and list by visibility, delete as a job, and create (admins only, CC's
// messages, metadata limits, taken names).
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { GLOBAL_READERS, ORGANIZATION_ONLY, SPACE_READERS, tokenFor } from "./support/callers";
import {
  badQueryBody,
  labelLimitBody,
  NOT_AUTHENTICATED,
  NOT_AUTHORIZED,
  notFoundBody,
  PARSE_ERROR,
  unprocessableBody,
} from "./support/errors";
import { createWorld, newUser, type World } from "./support/fixtures";
import { call } from "./support/http";
import { addMetadata } from "./support/list-seeds";
import {
  adminReadOnlyToken,
  adminToken,
  anyGuid,
  expectDeleteCompletes,
  expectTakenTheSecondTime,
  globalAuditorToken,
  listBody,
  organizationBody,
} from "./support/resources";
import { token } from "./support/tokens";

describe("GET /v3/organizations/:guid", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });

  const show = async (bearer: string) => call("GET", `/v3/organizations/${world.orgGuid}`, { token: bearer });

  it.each(GLOBAL_READERS)("shows any organization to %s", async (role) => {
    const reply = await show(await tokenFor(world, role));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(organizationBody(world.orgGuid, `org-${world.orgGuid}`));
  });

  it.each([...ORGANIZATION_ONLY, ...SPACE_READERS])("shows it to a user with the %s role", async (role) => {
    const reply = await show(await tokenFor(world, role));
    expect(reply.status).toBe(200);
    expect(reply.json.guid).toBe(world.orgGuid);
  });

  it("is 404 to a user without a role in it", async () => {
    const reply = await show(await token(newUser()));
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Organization"));
  });

  it("is 404 for an unknown guid", async () => {
    const reply = await call("GET", `/v3/organizations/${crypto.randomUUID()}`, {
      token: await adminToken(),
    });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Organization"));
  });

  it("shows the organization's labels and annotations", async () => {
    await addMetadata(world.orgGuid, { env: "prod" }, { contact: "ops" });
    const reply = await show(await adminToken());
    expect(reply.json.metadata).toEqual({ labels: { env: "prod" }, annotations: { contact: "ops" } });
  });
});

describe("GET /v3/organizations", () => {
  let first: World;
  let second: World;
  let guids: string;
  beforeAll(async () => {
    first = await createWorld();
    second = await createWorld();
    guids = `${first.orgGuid},${second.orgGuid}`;
  });

  const list = async (bearer: string, query: string) =>
    call("GET", `/v3/organizations?${query}`, { token: bearer });

  it("lists every organization to a global reader, in creation order", async () => {
    const reply = await list(await globalAuditorToken(), `guids=${guids}`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(
      listBody("/v3/organizations", { guids }, [
        organizationBody(first.orgGuid, `org-${first.orgGuid}`),
        organizationBody(second.orgGuid, `org-${second.orgGuid}`),
      ]),
    );
  });

  it("lists only the organizations a user belongs to, through an org or a space role", async () => {
    const member = await tokenFor(first, "organization_auditor");
    const spaceOnly = await tokenFor(second, "space_auditor");
    expect((await list(member, `guids=${guids}`)).json).toEqual(
      listBody("/v3/organizations", { guids }, [organizationBody(first.orgGuid, `org-${first.orgGuid}`)]),
    );
    expect(
      (await list(spaceOnly, `guids=${guids}`)).json.resources.map((r: { guid: string }) => r.guid),
    ).toEqual([second.orgGuid]);
    expect((await list(await token(newUser()), `guids=${guids}`)).json).toEqual(
      listBody("/v3/organizations", { guids }, []),
    );
  });

  it("filters by names", async () => {
    const names = `org-${second.orgGuid},no-such-org`;
    const reply = await list(await adminToken(), `names=${names}`);
    expect(reply.json).toEqual(
      listBody("/v3/organizations", { names }, [organizationBody(second.orgGuid, `org-${second.orgGuid}`)]),
    );
  });

  it("orders and pages, with links that keep the filters and the order", async () => {
    const bearer = await adminToken();
    const reply = await list(bearer, `guids=${guids}&order_by=-created_at&per_page=1`);
    expect(reply.json).toEqual(
      listBody(
        "/v3/organizations",
        { guids, order_by: "-created_at" },
        [organizationBody(second.orgGuid, `org-${second.orgGuid}`)],
        { total: 2, pages: 2, next: 2, perPage: 1 },
      ),
    );
    const next = await call(
      "GET",
      new URL(reply.json.pagination.next.href).pathname + new URL(reply.json.pagination.next.href).search,
      {
        token: bearer,
      },
    );
    expect(next.json).toEqual(
      listBody(
        "/v3/organizations",
        { guids, order_by: "-created_at" },
        [organizationBody(first.orgGuid, `org-${first.orgGuid}`)],
        { total: 2, pages: 2, previous: 1, perPage: 1 },
      ),
    );
  });

  it("orders by name, and signs the order in its links as CC does", async () => {
    const reply = await list(await adminToken(), `guids=${guids}&order_by=name`);
    const expected = [first.orgGuid, second.orgGuid].sort((a, b) => (`org-${a}` < `org-${b}` ? -1 : 1));
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual(expected);
    expect(reply.json.pagination.first).toEqual(
      listBody("/v3/organizations", { guids, order_by: "+name" }, []).pagination.first,
    );
  });

  it("filters by label selector and creation time", async () => {
    await addMetadata(second.orgGuid, { tier: "gold" });
    const bearer = await adminToken();
    const labelled = await list(bearer, `guids=${guids}&label_selector=tier=gold`);
    expect(labelled.json.resources.map((r: { guid: string }) => r.guid)).toEqual([second.orgGuid]);
    const later = await list(bearer, `guids=${guids}&created_ats[gt]=2000-01-01T00:00:00Z`);
    expect(later.json.pagination.total_results).toBe(2);
    const earlier = await list(bearer, `guids=${guids}&created_ats[lt]=2000-01-01T00:00:00Z`);
    expect(earlier.json.pagination.total_results).toBe(0);
  });

  it("keeps a filter of more guids than D1 binds in one statement", async () => {
    const many = [...Array.from({ length: 150 }, () => crypto.randomUUID()), first.orgGuid].join(",");
    const reply = await list(await adminToken(), `guids=${many}`);
    expect(reply.status).toBe(200);
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual([first.orgGuid]);
  });

  it.each([
    [
      "foo=bar",
      "Unknown query parameter(s): 'foo'. Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'names', 'label_selector'",
    ],
    ["order_by=status", "Order by can only be: 'created_at', 'updated_at', 'name'"],
    ["page=0", "Page must be a positive integer"],
    ["per_page=5001", "Per page must be between 1 and 5000"],
  ])("refuses %s with 400", async (query, detail) => {
    const reply = await list(await adminToken(), query);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQueryBody(detail));
  });
});

describe("DELETE /v3/organizations/:guid", () => {
  it("accepts an admin's delete as a job that removes the organization", async () => {
    const world = await createWorld();
    const bearer = await adminToken();
    await expectDeleteCompletes(`/v3/organizations/${world.orgGuid}`, bearer, "organization.delete");
    const show = await call("GET", `/v3/organizations/${world.orgGuid}`, { token: bearer });
    expect(show.status).toBe(404);
  });

  it("is forbidden to an organization manager, and to global readers", async () => {
    const world = await createWorld();
    const manager = await tokenFor(world, "organization_manager");
    for (const bearer of [manager, await adminReadOnlyToken(), await globalAuditorToken()]) {
      const reply = await call("DELETE", `/v3/organizations/${world.orgGuid}`, { token: bearer });
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual(NOT_AUTHORIZED);
    }
  });

  it("is 404 to a user who cannot see the organization, and for an unknown guid", async () => {
    const world = await createWorld();
    const stranger = await call("DELETE", `/v3/organizations/${world.orgGuid}`, {
      token: await token(newUser()),
    });
    expect(stranger.status).toBe(404);
    expect(stranger.json).toEqual(notFoundBody("Organization"));
    const unknown = await call("DELETE", `/v3/organizations/${crypto.randomUUID()}`, {
      token: await adminToken(),
    });
    expect(unknown.status).toBe(404);
  });
});

const uniqueName = (label: string) => `${label}-${crypto.randomUUID()}`;

async function createOrganization(body: unknown) {
  return call("POST", "/v3/organizations", { token: await adminToken(), body });
}

describe("POST /v3/organizations", () => {
  it("creates an active organization for an admin", async () => {
    const name = uniqueName("org");
    const reply = await createOrganization({ name });
    expect(reply.status).toBe(201);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.json).toEqual(organizationBody(reply.json.guid, name));
    expect(reply.json.guid).toEqual(anyGuid());
    expect(reply.json.created_at).toBe(reply.json.updated_at);
    expect(Object.keys(reply.json)).toEqual([
      "guid",
      "created_at",
      "updated_at",
      "name",
      "suspended",
      "metadata",
      "links",
    ]);
  });

  it("creates a suspended organization and stores its status", async () => {
    const name = uniqueName("suspended");
    const reply = await createOrganization({ name, suspended: true });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual(organizationBody(reply.json.guid, name, true));
    const row = await env.DB.prepare("SELECT status FROM organizations WHERE guid = ?")
      .bind(reply.json.guid)
      .first();
    expect(row).toEqual({ status: "suspended" });
  });

  it("stores the name stripped of surrounding whitespace, as CC does", async () => {
    const name = uniqueName("padded");
    const reply = await createOrganization({ name: `  ${name} ` });
    expect(reply.status).toBe(201);
    expect(reply.json.name).toBe(name);
  });

  it("creates the organization with its labels and annotations", async () => {
    const name = uniqueName("labelled");
    const metadata = { labels: { env: "prod", "example.com/team": "core" }, annotations: { contact: "ops" } };
    const reply = await createOrganization({ name, metadata });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ ...organizationBody(reply.json.guid, name), metadata });
    const show = await call("GET", `/v3/organizations/${reply.json.guid}`, { token: await adminToken() });
    expect(show.json.metadata).toEqual(metadata);
  });

  it("refuses more labels than CC allows", async () => {
    const labels = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`key${i}`, "v"]));
    const reply = await createOrganization({ name: uniqueName("crowded"), metadata: { labels } });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(labelLimitBody(51));
  });

  it("refuses a taken name with CC's message", async () => {
    const name = uniqueName("taken");
    await expectTakenTheSecondTime(
      "/v3/organizations",
      await adminToken(),
      { name },
      `Organization '${name}' already exists.`,
    );
  });

  it.each<[string, unknown, string]>([
    ["no name", {}, "Name can't be blank"],
    [
      "an empty name",
      { name: "" },
      "Name is too short (minimum is 1 character), Name must not contain escaped characters, Name can't be blank",
    ],
    ["a name that is not a string", { name: 5 }, "Name must be a string"],
    ["a name over 255 characters", { name: "x".repeat(256) }, "Name is too long (maximum is 255 characters)"],
    ["a name with a control character", { name: "a\u0007b" }, "Name must not contain escaped characters"],
    ["a non-boolean suspended", { name: "ok", suspended: "yes" }, "Suspended must be a boolean"],
    ["unknown fields", { name: "ok", quota: 1, owner: "x" }, "Unknown field(s): 'quota', 'owner'"],
    [
      "bad metadata, reported first",
      { name: 5, metadata: { labels: { "bad key!": "v" } } },
      "Metadata label key error: 'bad key!' contains invalid characters, Name must be a string",
    ],
    [
      "everything wrong",
      { name: null, suspended: 1, x: 1 },
      "Unknown field(s): 'x', Suspended must be a boolean, Name can't be blank",
    ],
  ])("refuses %s with 422", async (_case, body, detail) => {
    const reply = await createOrganization(body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("refuses a body that is not a JSON object with 400", async () => {
    const reply = await call("POST", "/v3/organizations", { token: await adminToken(), rawBody: "[1]" });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(PARSE_ERROR);
  });

  it.each<[string, () => Promise<string>]>([
    ["a user with read and write scopes", () => token(newUser())],
    ["admin_read_only", () => adminReadOnlyToken()],
    ["global_auditor", () => globalAuditorToken()],
  ])("forbids %s, before looking at the body", async (_case, bearer) => {
    const reply = await call("POST", "/v3/organizations", { token: await bearer(), body: { bad: true } });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("needs a token", async () => {
    const reply = await call("POST", "/v3/organizations", { body: { name: "x" } });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
  });
});
