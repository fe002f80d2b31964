// POST /v3/organizations: admins only, CC's messages, metadata limits, taken names.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  labelLimitBody,
  NOT_AUTHENTICATED,
  NOT_AUTHORIZED,
  PARSE_ERROR,
  unprocessableBody,
} from "./support/errors";
import { newUser } from "./support/fixtures";
import { call } from "./support/http";
import {
  adminReadOnlyToken,
  adminToken,
  anyGuid,
  expectTakenTheSecondTime,
  globalAuditorToken,
  organizationBody,
} from "./support/resources";
import { token } from "./support/tokens";

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
