// /v3/apps: create (space developers and admins), show and list by visibility, delete as a job.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "./support/callers";
import { notFoundBody, unprocessableBody } from "./support/errors";
import { addApp, createWorld, newUser, type World } from "./support/fixtures";
import { BASE, call } from "./support/http";
import {
  adminReadOnlyToken,
  adminToken,
  anyGuid,
  anyTimestamp,
  expectDeleteCompletes,
  expectTakenTheSecondTime,
  itForbids,
  itRefusesDeletes,
  itShowsToSpaceReaders,
  itStopsSuspendedWriters,
  listBody,
} from "./support/resources";
import { token } from "./support/tokens";

const BUILDPACK = { type: "buildpack", data: { buildpacks: [], stack: null } };
const DOCKER = { type: "docker", data: {} };

const appBody = (guid: string, name: string, spaceGuid: string, lifecycle: object = BUILDPACK) => ({
  guid,
  created_at: anyTimestamp(),
  updated_at: anyTimestamp(),
  name,
  state: "STOPPED",
  lifecycle,
  relationships: { space: { data: { guid: spaceGuid } } },
  metadata: { labels: {}, annotations: {} },
  links: {
    self: { href: `${BASE}/v3/apps/${guid}` },
    space: { href: `${BASE}/v3/spaces/${spaceGuid}` },
    packages: { href: `${BASE}/v3/apps/${guid}/packages` },
  },
});

const worldApp = (world: World, lifecycle: object = BUILDPACK) =>
  appBody(world.appGuid, `app-${world.appGuid}`, world.spaceGuid, lifecycle);
const inSpace = (guid: string) => ({ space: { data: { guid } } });
const INVALID_SPACE = unprocessableBody(
  "Invalid space. Ensure that the space exists and you have access to it.",
);

const createApp = (bearer: string, body: unknown) => call("POST", "/v3/apps", { token: bearer, body });

describe("POST /v3/apps", () => {
  let world: World;
  let developer: string;
  beforeAll(async () => {
    world = await createWorld();
    developer = await tokenFor(world, "space_developer");
  });

  it("creates a stopped buildpack app for a space developer", async () => {
    const reply = await createApp(developer, { name: "web", relationships: inSpace(world.spaceGuid) });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual(appBody(reply.json.guid, "web", world.spaceGuid));
    expect(reply.json.guid).toEqual(anyGuid());
    expect(Object.keys(reply.json)).toEqual([
      "guid",
      "created_at",
      "updated_at",
      "name",
      "state",
      "lifecycle",
      "relationships",
      "metadata",
      "links",
    ]);
  });

  it("creates a docker app, and a buildpack app with the default data given explicitly", async () => {
    const docker = await createApp(developer, {
      name: "image",
      relationships: inSpace(world.spaceGuid),
      lifecycle: DOCKER,
    });
    expect(docker.status).toBe(201);
    expect(docker.json).toEqual(appBody(docker.json.guid, "image", world.spaceGuid, DOCKER));
    const buildpack = await createApp(developer, {
      name: "explicit",
      relationships: inSpace(world.spaceGuid),
      lifecycle: BUILDPACK,
    });
    expect(buildpack.status).toBe(201);
    expect(buildpack.json.lifecycle).toEqual(BUILDPACK);
  });

  it("creates an app for an admin, with metadata and a stripped name", async () => {
    const metadata = { labels: { tier: "web" }, annotations: { owner: "team-a" } };
    const reply = await createApp(await adminToken(), {
      name: "  admin-made ",
      relationships: inSpace(world.spaceGuid),
      metadata,
    });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({ ...appBody(reply.json.guid, "admin-made", world.spaceGuid), metadata });
  });

  it("refuses a name already used in the space", async () => {
    const body = { name: "twice", relationships: inSpace(world.spaceGuid) };
    await expectTakenTheSecondTime("/v3/apps", developer, body, "App with the name 'twice' already exists.");
  });

  it.each<[string, (space: string) => unknown, string]>([
    ["an empty body", () => ({}), "Relationships 'relationships' is not an object, Name must be a string"],
    [
      "no space",
      () => ({ name: "a", relationships: {} }),
      "Relationships 'relationships' must include one or more valid relationships",
    ],
    [
      "an unknown lifecycle type",
      (space) => ({ name: "a", relationships: inSpace(space), lifecycle: { type: "java", data: {} } }),
      "Lifecycle type is not included in the list: buildpack, docker",
    ],
    [
      "a lifecycle without data",
      (space) => ({ name: "a", relationships: inSpace(space), lifecycle: { type: "buildpack" } }),
      "Lifecycle data must be a hash",
    ],
    [
      "docker data",
      (space) => ({
        name: "a",
        relationships: inSpace(space),
        lifecycle: { type: "docker", data: { image: "x" } },
      }),
      "Lifecycle Unknown field(s): 'image'",
    ],
    [
      "buildpacks that are not a list",
      (space) => ({
        name: "a",
        relationships: inSpace(space),
        lifecycle: { type: "buildpack", data: { buildpacks: "ruby" } },
      }),
      "Lifecycle Buildpacks must be an array",
    ],
    [
      "a stack and buildpacks that are not strings",
      (space) => ({
        name: "a",
        relationships: inSpace(space),
        lifecycle: { type: "buildpack", data: { buildpacks: [1], stack: 5 } },
      }),
      "Lifecycle Stack must be a string, Lifecycle Buildpacks can only contain strings",
    ],
    [
      "environment variables (not kept by this API)",
      (space) => ({ name: "a", relationships: inSpace(space), environment_variables: { A: "1" } }),
      "Unknown field(s): 'environment_variables'",
    ],
    [
      "bad metadata, reported first",
      (space) => ({ name: 5, relationships: inSpace(space), metadata: { labels: "x" } }),
      "Metadata 'labels' is not an object, Name must be a string",
    ],
  ])("refuses %s with 422", async (_case, body, detail) => {
    const reply = await createApp(developer, body(world.spaceGuid));
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it.each<[string, unknown, string]>([
    [
      "a named buildpack",
      { type: "buildpack", data: { buildpacks: ["ruby_buildpack"] } },
      'Buildpack "ruby_buildpack" must be an existing admin buildpack or a valid git URI',
    ],
    [
      "a named stack",
      { type: "buildpack", data: { stack: "cflinuxfs4" } },
      "Stack must be an existing stack",
    ],
  ])("refuses %s: none are registered here", async (_case, lifecycle, detail) => {
    const reply = await createApp(developer, {
      name: "a",
      relationships: inSpace(world.spaceGuid),
      lifecycle,
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it.each(["", "   ", "a\u0000b"])("refuses the name %j with the model's messages", async (name) => {
    const reply = await createApp(developer, { name, relationships: inSpace(world.spaceGuid) });
    expect(reply.status).toBe(422);
    const detail = name.trim() ? "name is invalid" : "name is not present, name is invalid";
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("refuses a space that does not exist, or one the user cannot see, with 422", async () => {
    const missing = await createApp(developer, { name: "a", relationships: inSpace(crypto.randomUUID()) });
    expect(missing.status).toBe(422);
    expect(missing.json).toEqual(INVALID_SPACE);
    const unseen = await createApp(await tokenFor(world, "organization_auditor"), {
      name: "a",
      relationships: inSpace(world.spaceGuid),
    });
    expect(unseen.status).toBe(422);
    expect(unseen.json).toEqual(INVALID_SPACE);
  });

  itForbids(
    ["space_manager", "space_auditor", "space_supporter", "organization_manager"],
    () => world,
    (bearer) => createApp(bearer, { name: "a", relationships: inSpace(world.spaceGuid) }),
  );

  itStopsSuspendedWriters("space_developer", "/v3/apps", (suspended) => ({
    name: "a",
    relationships: inSpace(suspended.spaceGuid),
  }));
});

describe("GET /v3/apps/:guid", () => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld();
  });
  const path = () => `/v3/apps/${world.appGuid}`;

  itShowsToSpaceReaders("App", () => ({ world, path: path(), body: worldApp(world) }));

  it("is 404 to a user without roles and for an unknown guid", async () => {
    expect((await call("GET", path(), { token: await token(newUser()) })).json).toEqual(notFoundBody("App"));
    const unknown = await call("GET", `/v3/apps/${crypto.randomUUID()}`, { token: await adminToken() });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual(notFoundBody("App"));
  });

  it("shows a docker app's empty lifecycle data", async () => {
    const docker = await createWorld({ lifecycle: "docker" });
    const reply = await call("GET", `/v3/apps/${docker.appGuid}`, { token: await adminToken() });
    expect(reply.json).toEqual(worldApp(docker, DOCKER));
  });
});

describe("GET /v3/apps", () => {
  let first: World;
  let second: World;
  let secondOther: string;
  let guids: string;
  beforeAll(async () => {
    first = await createWorld();
    second = await createWorld();
    secondOther = await addApp(second.spaceGuid, "docker");
    guids = `${first.appGuid},${second.appGuid},${secondOther}`;
  });
  const list = (bearer: string, query: string) => call("GET", `/v3/apps?${query}`, { token: bearer });
  const otherApp = () => appBody(secondOther, `app-${secondOther}`, second.spaceGuid, DOCKER);

  it("lists every app to a global reader, in creation order", async () => {
    const reply = await list(await adminReadOnlyToken(), `guids=${guids}`);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(
      listBody("/v3/apps", { guids }, [worldApp(first), worldApp(second), otherApp()]),
    );
  });

  it("lists the apps of the spaces a user can read", async () => {
    const auditor = await tokenFor(second, "space_auditor");
    expect((await list(auditor, `guids=${guids}`)).json).toEqual(
      listBody("/v3/apps", { guids }, [worldApp(second), otherApp()]),
    );
    const orgUser = await tokenFor(first, "organization_user");
    expect((await list(orgUser, `guids=${guids}`)).json).toEqual(listBody("/v3/apps", { guids }, []));
  });

  it.each<
    [string, (w: { first: World; second: World; other: string }) => Record<string, string>, () => string[]]
  >([
    ["space_guids", ({ first }) => ({ space_guids: first.spaceGuid }), () => [first.appGuid]],
    [
      "organization_guids",
      ({ second }) => ({ organization_guids: second.orgGuid }),
      () => [second.appGuid, secondOther],
    ],
    ["names", ({ other }) => ({ names: `app-${other},nothing` }), () => [secondOther]],
  ])("filters by %s", async (_case, query, expected) => {
    const params = query({ first, second, other: secondOther });
    const reply = await list(await adminToken(), new URLSearchParams(params).toString());
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual(expected());
    expect(reply.json.pagination.first).toEqual(listBody("/v3/apps", params, []).pagination.first);
  });

  it("orders by -created_at: newest first, ties in reverse creation order", async () => {
    const reply = await list(await adminToken(), `guids=${guids}&order_by=-created_at`);
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual([
      secondOther,
      second.appGuid,
      first.appGuid,
    ]);
  });
});

describe("DELETE /v3/apps/:guid", () => {
  it("accepts a space developer's delete as a job that removes the app", async () => {
    const world = await createWorld();
    const developer = await tokenFor(world, "space_developer");
    await expectDeleteCompletes(`/v3/apps/${world.appGuid}`, developer, "app.delete");
    const row = await env.DB.prepare("SELECT guid FROM apps WHERE guid = ?").bind(world.appGuid).first();
    expect(row).toBeNull();
    expect((await call("GET", `/v3/apps/${world.appGuid}`, { token: developer })).status).toBe(404);
  });

  itRefusesDeletes("App", (world) => `/v3/apps/${world.appGuid}`, {
    forbidden: ["space_manager", "space_auditor", "organization_manager"],
    unseeing: "organization_user",
    writer: "space_developer",
  });
});
