// POST /v3/packages (B.4): today's package JSON, app checks, lifecycles, limits, and the message's validation.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { developerWorld, tokenFor } from "../support/callers";
import {
  annotationLimitBody,
  INVALID_APP,
  labelLimitBody,
  NOT_AUTHENTICATED,
  NOT_AUTHORIZED,
  PARSE_ERROR,
  unprocessableBody,
} from "../support/errors";
import { addApp, createWorld, type World } from "../support/fixtures";
import { call, TIMESTAMP, UUID } from "../support/http";
import { createPackage, packageCount, packageJson, relationships, roundTrips } from "../support/packages";
import { adminToken, token } from "../support/tokens";

describe("creating a bits package", () => {
  it("answers 201 with today's JSON in CC's key order, updated_at equal to created_at", async () => {
    const { world, bearer } = await developerWorld();
    const reply = await createPackage(bearer, { type: "bits", relationships: relationships(world.appGuid) });

    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(guid).toMatch(UUID);
    expect(createdAt).toMatch(TIMESTAMP);
    expect(reply.text).toBe(JSON.stringify(packageJson({ guid, appGuid: world.appGuid, createdAt })));
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.headers.get("Content-Length")).toBe(String(new TextEncoder().encode(reply.text).length));
  });

  it("costs one D1 round trip: access, guarded insert, metadata and read back in one batch", async () => {
    const { world, bearer } = await developerWorld();
    const reply = await createPackage(bearer, {
      type: "bits",
      relationships: relationships(world.appGuid),
      metadata: { labels: { a: "1" }, annotations: { b: "2" } },
    });
    expect(reply.status).toBe(201);
    expect(roundTrips(reply)).toBe(1);
  });

  it.each([
    ["data null", null],
    ["data {}", {}],
  ])("accepts %s", async (_name, data) => {
    const { world, bearer } = await developerWorld();
    const reply = await createPackage(bearer, {
      type: "bits",
      data,
      relationships: relationships(world.appGuid),
    });
    expect(reply.status).toBe(201);
    expect(reply.json.data).toEqual({ error: null, checksum: { type: "sha256", value: null } });
  });

  it("reads a JSON body sent with a form content type", async () => {
    const { world, bearer } = await developerWorld();
    const reply = await call("POST", "/v3/packages", {
      token: bearer,
      rawBody: JSON.stringify({ type: "bits", relationships: relationships(world.appGuid) }),
      contentType: "application/x-www-form-urlencoded",
    });
    expect(reply.status).toBe(201);
    expect(reply.json.state).toBe("AWAITING_UPLOAD");
  });

  it("stores labels and annotations and shows them on GET", async () => {
    const { world, bearer } = await developerWorld();
    const metadata = {
      labels: { "example.com/tier": "backend", release: "stable", ignored: null },
      annotations: { contact: "Bill tel(1111111) email(bill@fixme)", "example.com/x": "" },
    };
    const created = await createPackage(bearer, {
      type: "bits",
      relationships: relationships(world.appGuid),
      metadata,
    });
    expect(created.status).toBe(201);
    const expected = {
      labels: { "example.com/tier": "backend", release: "stable" },
      annotations: { contact: "Bill tel(1111111) email(bill@fixme)", "example.com/x": "" },
    };
    expect(created.json.metadata).toEqual(expected);
    const shown = await call("GET", `/v3/packages/${created.json.guid}`, { token: bearer });
    expect(shown.json).toEqual(created.json);
  });

  it("stores 50 labels and 200 annotations, more than one statement's parameters hold", async () => {
    const { world, bearer } = await developerWorld();
    const labels = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`label${i}`, `v${i}`]));
    const annotations = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`note${i}`, `text ${i}`]));
    const created = await createPackage(bearer, {
      type: "bits",
      relationships: relationships(world.appGuid),
      metadata: { labels, annotations },
    });
    expect(created.status).toBe(201);
    expect(created.json.metadata).toEqual({ labels, annotations });
  });
});

describe("creating a docker package", () => {
  it.each([
    {
      name: "with credentials: the password is never shown",
      data: { image: "registry/image:latest", username: "admin", password: "secret" },
      shown: { image: "registry/image:latest", username: "admin", password: "***" },
    },
    {
      name: "with a username only: the password still shows as ***",
      data: { image: "registry/image:latest", username: "admin" },
      shown: { image: "registry/image:latest", username: "admin", password: "***" },
    },
    {
      name: "without credentials",
      data: { image: "registry/image:latest" },
      shown: { image: "registry/image:latest", username: null, password: null },
    },
  ])("$name", async ({ data, shown }) => {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const reply = await createPackage(bearer, {
      type: "docker",
      data,
      relationships: relationships(world.appGuid),
    });

    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(reply.text).toBe(
      JSON.stringify(packageJson({ guid, appGuid: world.appGuid, createdAt, type: "docker", data: shown })),
    );
    const row = await env.DB.prepare("SELECT docker_password FROM packages WHERE guid = ?")
      .bind(guid)
      .first();
    expect(row?.docker_password).toBe("password" in data ? data.password : null);
  });

  it("accepts a password of 5000 characters and refuses one of 5001", async () => {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const body = (password: string) => ({
      type: "docker",
      data: { image: "i", username: "u", password },
      relationships: relationships(world.appGuid),
    });
    expect((await createPackage(bearer, body("p".repeat(5000)))).status).toBe(201);
    const refused = await createPackage(bearer, body("p".repeat(5001)));
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual(unprocessableBody("docker_password can be up to 5,000 characters"));
    expect(await packageCount(world.appGuid)).toBe(1);
  });

  it("checks the app before the password, as CC does", async () => {
    const { bearer } = await developerWorld({ lifecycle: "docker" });
    const invisible = await createWorld({ lifecycle: "docker" });
    const reply = await createPackage(bearer, {
      type: "docker",
      data: { image: "i", username: "u", password: "p".repeat(5001) },
      relationships: relationships(invisible.appGuid),
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(
      unprocessableBody("App is invalid. Ensure it exists and you have access to it."),
    );
  });
});

describe("the app", () => {
  it.each([
    ["does not exist", () => relationships(crypto.randomUUID())],
    ["is given as null data", () => ({ app: { data: null } })],
  ])("422 when the app %s", async (_name, rel) => {
    const { bearer } = await developerWorld();
    const reply = await createPackage(bearer, { type: "bits", relationships: rel() });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(INVALID_APP);
  });

  it("422 when the app is in a space the user cannot see", async () => {
    const { bearer } = await developerWorld();
    const other = await createWorld();
    const reply = await createPackage(bearer, { type: "bits", relationships: relationships(other.appGuid) });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(INVALID_APP);
    expect(await packageCount(other.appGuid)).toBe(0);
  });

  const BITS_FOR_DOCKER = "Cannot create bits package for a Docker app.";
  const DOCKER_FOR_BUILDPACK = "Cannot create Docker package for a buildpack app.";
  it.each([
    { lifecycle: "buildpack", type: "bits", status: 201, detail: undefined },
    { lifecycle: "buildpack", type: "docker", status: 422, detail: DOCKER_FOR_BUILDPACK },
    { lifecycle: "docker", type: "docker", status: 201, detail: undefined },
    { lifecycle: "docker", type: "bits", status: 422, detail: BITS_FOR_DOCKER },
    { lifecycle: "cnb", type: "bits", status: 201, detail: undefined },
    { lifecycle: "cnb", type: "docker", status: 201, detail: undefined },
  ] as const)(
    "a $lifecycle app and a $type package: $status",
    async ({ lifecycle, type, status, detail }) => {
      const world = await createWorld({ lifecycle });
      const appGuid = await addApp(world.spaceGuid, lifecycle);
      const bearer = await tokenFor(world, "space_developer");
      const data = type === "docker" ? { image: "registry/image:latest" } : undefined;
      const reply = await createPackage(bearer, { type, data, relationships: relationships(appGuid) });
      expect(reply.status).toBe(status);
      if (detail) expect(reply.json).toEqual(unprocessableBody(detail));
      else expect(reply.json.type).toBe(type);
      expect(await packageCount(appGuid)).toBe(status === 201 ? 1 : 0);
    },
  );

  it("checks the app before the lifecycle: an invisible docker app is invalid, not a lifecycle error", async () => {
    const { bearer } = await developerWorld();
    const other = await createWorld({ lifecycle: "docker" });
    const reply = await createPackage(bearer, { type: "bits", relationships: relationships(other.appGuid) });
    expect(reply.json).toEqual(INVALID_APP);
  });
});

describe("metadata limits", () => {
  const keys = (count: number, value: string | null = "v") =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, value]));

  async function createWith(world: World, bearer: string, metadata: unknown) {
    return createPackage(bearer, { type: "bits", relationships: relationships(world.appGuid), metadata });
  }

  it("refuses 51 labels with CF-LabelLimitExceeded and stores nothing", async () => {
    const { world, bearer } = await developerWorld();
    const reply = await createWith(world, bearer, { labels: keys(51) });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(labelLimitBody(51));
    expect(await packageCount(world.appGuid)).toBe(0);
  });

  it("refuses 201 annotations with CF-AnnotationLimitExceeded", async () => {
    const { world, bearer } = await developerWorld();
    const reply = await createWith(world, bearer, { annotations: keys(201) });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(annotationLimitBody(201));
  });

  it("counts only keys that stay: 60 labels of which 10 are null make 50, which is allowed", async () => {
    const { world, bearer } = await developerWorld();
    const labels = {
      ...keys(50),
      ...Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`gone${i}`, null])),
    };
    const reply = await createWith(world, bearer, { labels });
    expect(reply.status).toBe(201);
    expect(Object.keys(reply.json.metadata.labels)).toHaveLength(50);
  });
});

describe("authentication and scope", () => {
  it("401 without a token", async () => {
    const reply = await call("POST", "/v3/packages", { body: { type: "bits" } });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
  });

  it("403 with a read-only token, before the body is looked at", async () => {
    const bearer = await token("reader", { scopes: ["cloud_controller.read"] });
    const reply = await call("POST", "/v3/packages", { token: bearer, rawBody: "{" });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("lets an admin create in any space", async () => {
    const world = await createWorld();
    const reply = await createPackage(await adminToken(), {
      type: "bits",
      relationships: relationships(world.appGuid),
    });
    expect(reply.status).toBe(201);
  });
});

describe("message validation (422 CF-UnprocessableEntity, messages joined with ', ')", () => {
  const APP = "app-guid";
  const STRUCTURE = 'Relationships App must be structured like this: "app: {"data": {"guid": "valid-guid"}}"';
  const cases: { name: string; body: Record<string, unknown>; detail: string }[] = [
    {
      name: "empty body",
      body: {},
      detail: "Relationships 'relationships' is not an object, Type must be one of 'bits, docker'",
    },
    {
      name: "unknown top-level keys",
      body: { type: "bits", relationships: relationships(APP), foo: 1, bar: 2 },
      detail: "Unknown field(s): 'foo', 'bar'",
    },
    {
      name: "type outside bits/docker",
      body: { type: "potato", relationships: relationships(APP) },
      detail: "Type must be one of 'bits, docker'",
    },
    {
      name: "relationships not an object",
      body: { type: "bits", relationships: "app" },
      detail: "Relationships 'relationships' is not an object",
    },
    {
      name: "relationships empty",
      body: { type: "bits", relationships: {} },
      detail: "Relationships 'relationships' must include one or more valid relationships",
    },
    {
      name: "relationships without app",
      body: { type: "bits", relationships: { potato: {} } },
      detail: `Relationships Unknown field(s): 'potato', Relationships App can't be blank, ${STRUCTURE}`,
    },
    {
      name: "app empty",
      body: { type: "bits", relationships: { app: {} } },
      detail: `Relationships App can't be blank, ${STRUCTURE}`,
    },
    {
      name: "app without data",
      body: { type: "bits", relationships: { app: { guid: APP } } },
      detail: STRUCTURE,
    },
    {
      name: "app data with extra keys",
      body: { type: "bits", relationships: { app: { data: { guid: APP, name: "x" } } } },
      detail: STRUCTURE,
    },
    {
      name: "app guid not a string",
      body: { type: "bits", relationships: relationships(5) },
      detail:
        "Relationships App guid must be a string, Relationships App guid must be between 1 and 200 characters",
    },
    {
      name: "app guid empty",
      body: { type: "bits", relationships: relationships("") },
      detail: "Relationships App guid must be between 1 and 200 characters",
    },
    {
      name: "app guid over 200 characters",
      body: { type: "bits", relationships: relationships("g".repeat(201)) },
      detail: "Relationships App guid must be between 1 and 200 characters",
    },
    {
      name: "docker without data",
      body: { type: "docker", relationships: relationships(APP) },
      detail: "Data Image must be a string, Data Image required",
    },
    {
      name: "docker with a blank image",
      body: { type: "docker", data: { image: " " }, relationships: relationships(APP) },
      detail: "Data Image required",
    },
    {
      name: "docker image not a string",
      body: { type: "docker", data: { image: 5 }, relationships: relationships(APP) },
      detail: "Data Image must be a string",
    },
    {
      name: "docker data with unknown keys",
      body: { type: "docker", data: { image: "i", birthday: "today" }, relationships: relationships(APP) },
      detail: "Data Unknown field(s): 'birthday'",
    },
    {
      name: "docker credentials not strings",
      body: {
        type: "docker",
        data: { image: "i", username: 1, password: {} },
        relationships: relationships(APP),
      },
      detail: "Data Username must be a string, Data Password must be a string",
    },
    {
      name: "bits with data",
      body: { type: "bits", data: { foobar: "foobaz" }, relationships: relationships(APP) },
      detail: "Data Data must be empty if provided for bits packages",
    },
    {
      name: "bits with an array as data",
      body: { type: "bits", data: [], relationships: relationships(APP) },
      detail: "Data Data must be empty if provided for bits packages",
    },
    {
      name: "metadata, unknown fields, docker data, relationships: in that order",
      body: { relationships: {}, data: {}, type: "docker", extra: 1, metadata: "x" },
      detail:
        "Metadata must be an object, Unknown field(s): 'extra', Data Image must be a string, Data Image required, " +
        "Relationships 'relationships' must include one or more valid relationships",
    },
    {
      name: "metadata, unknown fields, bits data, relationships: in that order",
      body: { relationships: 1, data: { a: 1 }, type: "bits", extra: 1, metadata: { labels: "x" } },
      detail:
        "Metadata 'labels' is not an object, Unknown field(s): 'extra', " +
        "Data Data must be empty if provided for bits packages, Relationships 'relationships' is not an object",
    },
    {
      name: "unknown fields, relationships, type: in that order",
      body: { type: "zip", relationships: "x", junk: true },
      detail:
        "Unknown field(s): 'junk', Relationships 'relationships' is not an object, Type must be one of 'bits, docker'",
    },
  ];

  it.each(cases)("$name", async ({ body, detail }) => {
    const { world, bearer } = await developerWorld();
    const reply = await createPackage(bearer, body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
    expect(await packageCount(world.appGuid)).toBe(0);
  });

  it.each([
    ["not JSON", "{"],
    ["a JSON array", "[]"],
    ["a JSON string", '"bits"'],
  ])("answers 400 CF-MessageParseError for a body that is %s", async (_name, rawBody) => {
    const { bearer } = await developerWorld();
    const reply = await call("POST", "/v3/packages", { token: bearer, rawBody });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(PARSE_ERROR);
  });
});
