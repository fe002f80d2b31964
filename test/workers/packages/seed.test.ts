// The original document: POST /v3/apps/:guid/packages (2015), request and response byte for byte.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import {
  NOT_AUTHORIZED,
  notFoundBody,
  ORG_SUSPENDED,
  PARSE_ERROR,
  unprocessableBody,
} from "../support/errors";
import { addApp, createWorld, grant, newUser, type RoleType, type World } from "../support/fixtures";
import { BASE, call, callWithEnv, cfError, TIMESTAMP, UUID } from "../support/http";
import { adminToken, token } from "../support/tokens";

const SEED_APP = "guid-be7aaa08-ee37-43e2-bd01-0233d74eb8cd";
const SEED_BODY = '{\n  "type": "docker",\n  "url": "docker://cloudfoundry/runtime-ci"\n}';

function seedResponse(guid: string, createdAt: string): string {
  return `{
  "guid": "${guid}",
  "type": "docker",
  "hash": {
    "type": "sha1",
    "value": null
  },
  "url": "docker://cloudfoundry/runtime-ci",
  "state": "READY",
  "error": null,
  "created_at": "${createdAt}",
  "updated_at": null,
  "_links": {
    "self": {
      "href": "/v3/packages/${guid}"
    },
    "app": {
      "href": "/v3/apps/${SEED_APP}"
    }
  }
}`;
}

beforeAll(async () => {
  const world = await createWorld({ appGuid: SEED_APP });
  await grant("uaa-id-370", "space_developer", world);
});

describe("the seed request", () => {
  it("answers exactly as the 2015 document shows", async () => {
    const seedToken = await token("uaa-id-370", {
      claims: { email: "email-267@somedomain.com" },
      scopes: ["cloud_controller.read", "cloud_controller.write"],
    });
    const reply = await call("POST", `/v3/apps/${SEED_APP}/packages`, {
      rawBody: SEED_BODY,
      contentType: "application/x-www-form-urlencoded",
      headers: { Authorization: `bearer ${seedToken}`, Host: "example.org", Cookie: "" },
    });

    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(guid).toMatch(UUID);
    expect(createdAt).toMatch(TIMESTAMP);
    expect(reply.text).toBe(seedResponse(guid, createdAt));
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.headers.get("Content-Length")).toBe("463");
    expect(reply.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(reply.headers.get("X-VCAP-Request-ID")).toMatch(UUID);
  });

  it("stores the package so it can be read back", async () => {
    const seedToken = await token("uaa-id-370");
    const created = await call("POST", `/v3/apps/${SEED_APP}/packages`, {
      rawBody: SEED_BODY,
      contentType: "application/x-www-form-urlencoded",
      token: seedToken,
    });
    const row = await env.DB.prepare(
      "SELECT type, state, docker_image, app_guid FROM packages WHERE guid = ?",
    )
      .bind(created.json.guid)
      .first();
    expect(row).toEqual({
      type: "docker",
      state: "READY",
      docker_image: "docker://cloudfoundry/runtime-ci",
      app_guid: SEED_APP,
    });
  });
});

// The 2015 create route's checks in Cloud Controller's order, its messages, roles, copy and headers.
const DOCKER = { type: "docker", url: "docker://cloudfoundry/runtime-ci" };

let world: World;
let developer: string;
const path = (appGuid = world.appGuid) => `/v3/apps/${appGuid}/packages`;

beforeAll(async () => {
  world = await createWorld();
  developer = newUser("developer");
  await grant(developer, "space_developer", world);
});

describe("checks in Cloud Controller's order", () => {
  it("401 comes before everything, even a malformed body", async () => {
    const reply = await call("POST", path("no-such-app"), { rawBody: "{not json" });
    expect(reply.status).toBe(401);
  });

  it("403 without the write scope comes before parsing the body", async () => {
    const readOnly = await token(developer, { scopes: ["cloud_controller.read"] });
    const reply = await call("POST", path("no-such-app"), { rawBody: "{not json", token: readOnly });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("400 for a body that is not JSON comes before the app lookup", async () => {
    const reply = await call("POST", path("no-such-app"), {
      rawBody: "{not json",
      token: await token(developer),
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(PARSE_ERROR);
  });

  it("422 for an invalid message comes before the app lookup", async () => {
    const reply = await call("POST", path("no-such-app"), {
      body: { type: "rocket" },
      token: await token(developer),
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("Type must be one of 'bits, docker'"));
  });

  it("404 App not found for a missing app", async () => {
    const reply = await call("POST", path("no-such-app"), { body: DOCKER, token: await token(developer) });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("App"));
  });
});

describe("bodies that are not a JSON object: 400 CF-MessageParseError", () => {
  it.each([
    ["empty", ""],
    ["malformed", '{"type": "docker",'],
    ["an array", "[]"],
    ["a string", '"docker"'],
    ["a number", "42"],
    ["null", "null"],
    ["form encoded", "type=docker&url=docker%3A%2F%2Fx"],
  ])("%s", async (_case, rawBody) => {
    for (const contentType of ["application/json", "application/x-www-form-urlencoded", "text/plain"]) {
      const reply = await call("POST", path(), { rawBody, contentType, token: await token(developer) });
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(PARSE_ERROR);
    }
  });
});

describe("message validation: 422 CF-UnprocessableEntity", () => {
  it.each<[string, unknown, string]>([
    ["missing type", {}, "Type must be one of 'bits, docker'"],
    ["unknown type", { type: "oci" }, "Type must be one of 'bits, docker'"],
    ["type not a string", { type: 1 }, "Type must be one of 'bits, docker'"],
    ["url on a bits package", { type: "bits", url: "docker://x" }, "Url must be blank when type is bits"],
    ["docker without url", { type: "docker" }, "Url can not be blank when type is docker"],
    ["docker with a blank url", { type: "docker", url: "  " }, "Url can not be blank when type is docker"],
    ["docker with a url that is not a string", { type: "docker", url: 7 }, "Url must be a string"],
    ["unknown fields", { type: "bits", color: "red", size: 1 }, "Unknown field(s): 'color', 'size'"],
    [
      "several problems at once",
      { type: "rocket", extra: true },
      "Unknown field(s): 'extra', Type must be one of 'bits, docker'",
    ],
  ])("%s", async (_case, body, detail) => {
    const reply = await call("POST", path(), { body, token: await token(developer) });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("accepts and ignores app_guid in the body: the path decides", async () => {
    const reply = await call("POST", path(), {
      body: { ...DOCKER, app_guid: "other" },
      token: await token(developer),
    });
    expect(reply.status).toBe(201);
    expect(reply.json._links.app).toEqual({ href: `/v3/apps/${world.appGuid}` });
  });
});

describe("bits packages", () => {
  it("are created AWAITING_UPLOAD with upload, download and stage links", async () => {
    const reply = await call("POST", path(), { body: { type: "bits" }, token: await token(developer) });
    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(guid).toMatch(UUID);
    expect(createdAt).toMatch(TIMESTAMP);
    expect(reply.json).toEqual({
      guid,
      type: "bits",
      hash: { type: "sha1", value: null },
      url: null,
      state: "AWAITING_UPLOAD",
      error: null,
      created_at: createdAt,
      updated_at: null,
      _links: {
        self: { href: `/v3/packages/${guid}` },
        upload: { href: `/v3/packages/${guid}/upload`, method: "POST" },
        download: { href: `/v3/packages/${guid}/download`, method: "GET" },
        stage: { href: `/v3/packages/${guid}/droplets`, method: "POST" },
        app: { href: `/v3/apps/${world.appGuid}` },
      },
    });
    expect(Object.keys(reply.json)).toEqual([
      "guid",
      "type",
      "hash",
      "url",
      "state",
      "error",
      "created_at",
      "updated_at",
      "_links",
    ]);
  });
});

describe("roles", () => {
  it.each<[string, RoleType | undefined, number]>([
    ["space developer", "space_developer", 201],
    ["space manager", "space_manager", 403],
    ["space auditor", "space_auditor", 403],
    ["space supporter", "space_supporter", 403],
    ["organization manager", "organization_manager", 403],
    ["organization auditor", "organization_auditor", 404],
    ["organization billing manager", "organization_billing_manager", 404],
    ["organization user", "organization_user", 404],
    ["no role", undefined, 404],
  ])("%s → %i", async (_case, role, status) => {
    const user = newUser();
    if (role) await grant(user, role, world);
    const reply = await call("POST", path(), { body: DOCKER, token: await token(user) });
    expect(reply.status).toBe(status);
    if (status === 403) expect(reply.json).toEqual(NOT_AUTHORIZED);
    if (status === 404) expect(reply.json).toEqual(notFoundBody("App"));
  });

  it("admin → 201 without any role", async () => {
    const reply = await call("POST", path(), { body: DOCKER, token: await adminToken(newUser("admin")) });
    expect(reply.status).toBe(201);
  });

  it.each(["cloud_controller.admin_read_only", "cloud_controller.global_auditor"])(
    "%s alone cannot write: 403",
    async (scope) => {
      const reply = await call("POST", path(), {
        body: DOCKER,
        token: await token(newUser(), { scopes: [scope] }),
      });
      expect(reply.status).toBe(403);
      expect(reply.json).toEqual(NOT_AUTHORIZED);
    },
  );

  it("a developer in a suspended organization gets 403 CF-OrgSuspended; an admin does not", async () => {
    const suspended = await createWorld({ orgStatus: "suspended" });
    const user = newUser();
    await grant(user, "space_developer", suspended);
    const denied = await call("POST", path(suspended.appGuid), { body: DOCKER, token: await token(user) });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual(ORG_SUSPENDED);
    const admin = await call("POST", path(suspended.appGuid), { body: DOCKER, token: await adminToken() });
    expect(admin.status).toBe(201);
  });
});

describe("copy with ?source_package_guid", () => {
  const create = async (appGuid: string, body: unknown) =>
    (await call("POST", path(appGuid), { body, token: await token(developer) })).json;

  it("copies a docker package READY into another app, ignoring the body", async () => {
    const target = await addApp(world.spaceGuid);
    const source = await create(world.appGuid, DOCKER);
    const reply = await call("POST", `${path(target)}?source_package_guid=${source.guid}`, {
      rawBody: "not even json",
      token: await token(developer),
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toMatchObject({
      type: "docker",
      url: DOCKER.url,
      state: "READY",
      _links: { app: { href: `/v3/apps/${target}` } },
    });
    expect(reply.json.guid).not.toBe(source.guid);
  });

  it("a bits copy starts COPYING and fails with the reason when the source has no bits", async () => {
    const target = await addApp(world.spaceGuid);
    const source = await create(world.appGuid, { type: "bits" });
    // callWithEnv waits for the work the response left running (the copy).
    const reply = await callWithEnv({}, "POST", `${path(target)}?source_package_guid=${source.guid}`, {
      token: await token(developer),
    });
    expect(reply.status).toBe(201);
    expect(reply.json.state).toBe("COPYING");
    const row = await env.DB.prepare("SELECT state, error FROM packages WHERE guid = ?")
      .bind(reply.json.guid)
      .first();
    expect(row).toEqual({ state: "FAILED", error: "failed to copy - source package has no bits" });
  });

  it("refuses the same app: 422", async () => {
    const source = await create(world.appGuid, DOCKER);
    const reply = await call("POST", `${path()}?source_package_guid=${source.guid}`, {
      token: await token(developer),
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("Source and destination app cannot be the same"));
  });

  it("404 Package not found for a missing source", async () => {
    const reply = await call("POST", `${path()}?source_package_guid=nope`, { token: await token(developer) });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Package"));
  });

  it("404 Package not found for a source the user cannot see", async () => {
    const elsewhere = await createWorld();
    const source = await call("POST", path(elsewhere.appGuid), { body: DOCKER, token: await adminToken() });
    const reply = await call("POST", `${path()}?source_package_guid=${source.json.guid}`, {
      token: await token(developer),
    });
    expect(reply.status).toBe(404);
  });

  it("403 when the user only reads the source's space", async () => {
    const elsewhere = await createWorld();
    await grant(developer, "space_auditor", elsewhere);
    const source = await call("POST", path(elsewhere.appGuid), { body: DOCKER, token: await adminToken() });
    const reply = await call("POST", `${path()}?source_package_guid=${source.json.guid}`, {
      token: await token(developer),
    });
    expect(reply.status).toBe(403);
  });

  it("404 App not found for a missing destination", async () => {
    const reply = await call("POST", `${path("nope")}?source_package_guid=x`, {
      token: await token(developer),
    });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("App"));
  });
});

describe("headers on every response", () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ["a fresh UUID when none comes in", {}, new RegExp(`^${UUID.source.slice(1, -1)}$`)],
    ["the incoming X-VCAP-Request-ID", { "X-VCAP-Request-ID": "abc-123_x" }, /^abc-123_x::[0-9a-f-]{36}$/],
    ["X-Request-Id when no X-VCAP-Request-ID", { "X-Request-Id": "from-lb" }, /^from-lb::[0-9a-f-]{36}$/],
    [
      "X-VCAP-Request-ID preferred over X-Request-Id",
      { "X-VCAP-Request-ID": "vcap", "X-Request-Id": "lb" },
      /^vcap::[0-9a-f-]{36}$/,
    ],
    [
      "sanitised to [A-Za-z0-9_-]",
      { "X-VCAP-Request-ID": "; X-Hacked-Header: Stuff" },
      /^X-Hacked-HeaderStuff::[0-9a-f-]{36}$/,
    ],
    ["blank incoming ids ignored", { "X-VCAP-Request-ID": "   " }, /^[0-9a-f-]{36}$/],
  ])("request id: %s", async (_case, headers, expected) => {
    const reply = await call("GET", "/v3/no-such-route", { headers });
    expect(reply.headers.get("X-VCAP-Request-ID")).toMatch(expected);
  });

  it("request id is cut to 255 characters before the uuid", async () => {
    const reply = await call("GET", "/v3/no-such-route", {
      headers: { "X-VCAP-Request-ID": "a".repeat(300) },
    });
    expect(reply.headers.get("X-VCAP-Request-ID")).toMatch(/^a{255}::[0-9a-f-]{36}$/);
  });

  it.each<[string, () => Promise<Response | { status: number; headers: Headers; text: string }>]>([
    ["unknown route (404)", () => call("GET", "/v3/no-such-route")],
    ["unauthenticated (401)", () => call("POST", path(), { body: DOCKER })],
    ["created (201)", async () => call("POST", path(), { body: DOCKER, token: await token(developer) })],
  ])("%s carries CF's headers and an exact Content-Length", async (_case, send) => {
    const reply = (await send()) as { status: number; headers: Headers; text: string };
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(reply.headers.get("X-VCAP-Request-ID")).toBeTruthy();
    expect(reply.headers.get("Content-Length")).toBe(String(new TextEncoder().encode(reply.text).byteLength));
  });

  it("unknown routes are 404 CF-NotFound without authentication", async () => {
    for (const [method, route] of [
      ["GET", "/v3/no-such-route"],
      ["DELETE", "/v3/apps/x/packages"],
      ["GET", "/v2/info/nothing"],
    ] as const) {
      const reply = await call(method, route);
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(cfError(10000, "CF-NotFound", "Unknown request"));
    }
  });

  it("links in the seed shape stay relative whatever the host", async () => {
    const reply = await call("POST", path(), { body: DOCKER, token: await token(developer) });
    // The request went to BASE (a host); the 2015 links name no host at all.
    expect(reply.json._links.self).toEqual({ href: `/v3/packages/${reply.json.guid}` });
    expect(reply.text).not.toContain(BASE);
  });
});
