// GET (B.6), PATCH (B.8) and DELETE (B.9) /v3/packages/:guid.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { packageBitsKey } from "../../src/packages/bits-keys";
import { developerWorld, tokenFor } from "./support/callers";
import {
  annotationLimitBody,
  labelLimitBody,
  NOT_AUTHORIZED,
  notFoundBody,
  PARSE_ERROR,
  unprocessableBody,
} from "./support/errors";
import { addPackage, createWorld, newUser, type World } from "./support/fixtures";
import { BASE, call, callWithEnv, TIMESTAMP, UUID } from "./support/http";
import { packageJson, roundTrips } from "./support/packages";
import { token } from "./support/tokens";

const BITS_CREDENTIALS = unprocessableBody("Cannot update Docker credentials for a buildpack app.");

/** Creates a package through the API, with its created_at and updated_at a minute in the past. */
async function createdPackage(world: World, bearer: string, extra: Record<string, unknown> = {}) {
  const reply = await call("POST", "/v3/packages", {
    token: bearer,
    body: { type: "bits", relationships: { app: { data: { guid: world.appGuid } } }, ...extra },
  });
  expect(reply.status).toBe(201);
  await env.DB.prepare(
    "UPDATE packages SET created_at = created_at - 60, updated_at = updated_at - 60 WHERE guid = ?",
  )
    .bind(reply.json.guid)
    .run();
  return (await call("GET", `/v3/packages/${reply.json.guid}`, { token: bearer })).json;
}

const patch = (bearer: string, guid: string, body: unknown) =>
  call("PATCH", `/v3/packages/${guid}`, { token: bearer, body });

async function storedRow(guid: string) {
  return env.DB.prepare("SELECT docker_username, docker_password FROM packages WHERE guid = ?")
    .bind(guid)
    .first();
}

describe("GET /v3/packages/:guid", () => {
  it.each([
    {
      name: "a READY bits package shows its sha256",
      seed: { state: "READY", sha1: "b".repeat(40), sha256: "a".repeat(64) } as const,
      data: { error: null, checksum: { type: "sha256", value: "a".repeat(64) } },
    },
    {
      name: "a legacy package with only a sha1 shows the sha1",
      seed: { state: "READY", sha1: "b".repeat(40) } as const,
      data: { error: null, checksum: { type: "sha1", value: "b".repeat(40) } },
    },
    {
      name: "a FAILED package shows its error",
      seed: { state: "FAILED", error: "failed to copy - gone" } as const,
      data: { error: "failed to copy - gone", checksum: { type: "sha256", value: null } },
    },
  ])("$name, in one D1 round trip", async ({ seed, data }) => {
    const { world, bearer } = await developerWorld();
    const guid = await addPackage(world.appGuid, seed);
    const reply = await call("GET", `/v3/packages/${guid}`, { token: bearer });
    expect(reply.status).toBe(200);
    expect(reply.text).toBe(
      JSON.stringify(
        packageJson({
          guid,
          appGuid: world.appGuid,
          createdAt: reply.json.created_at,
          state: seed.state,
          data,
        }),
      ),
    );
    expect(reply.json.created_at).toMatch(TIMESTAMP);
    expect(roundTrips(reply)).toBe(1);
  });

  it("shows a docker package with its image and no links to bits", async () => {
    const { world, bearer } = await developerWorld();
    const guid = await addPackage(world.appGuid, { type: "docker", dockerImage: "registry/image:2" });
    const reply = await call("GET", `/v3/packages/${guid}`, { token: bearer });
    expect(reply.json).toEqual(
      packageJson({
        guid,
        appGuid: world.appGuid,
        createdAt: reply.json.created_at,
        type: "docker",
        data: { image: "registry/image:2", username: null, password: null },
      }),
    );
  });

  it.each([
    ["does not exist", async () => crypto.randomUUID()],
    ["is in a space the user has no role in", async () => addPackage((await createWorld()).appGuid)],
  ])("404 Package not found when the package %s", async (_name, guidOf) => {
    const { bearer } = await developerWorld();
    const reply = await call("GET", `/v3/packages/${await guidOf()}`, { token: bearer });
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Package"));
  });

  it("403 for a token with the write scope only", async () => {
    const reply = await call("GET", `/v3/packages/${crypto.randomUUID()}`, {
      token: await token(newUser(), { scopes: ["cloud_controller.write"] }),
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });
});

describe("PATCH /v3/packages/:guid: metadata", () => {
  it("sets, replaces and deletes (null) keys, leaves the others, and moves updated_at", async () => {
    const { world, bearer } = await developerWorld();
    const pkg = await createdPackage(world, bearer, {
      metadata: { labels: { a: "1", b: "2" }, annotations: { x: "1", y: "2" } },
    });

    const reply = await patch(bearer, pkg.guid, {
      metadata: { labels: { a: "10", b: null, "example.com/c": "3" }, annotations: { y: null, z: "new" } },
    });

    expect(reply.status).toBe(200);
    expect(reply.json.updated_at).toMatch(TIMESTAMP);
    expect(reply.json.updated_at > pkg.updated_at).toBe(true);
    expect(reply.text).toBe(
      JSON.stringify(
        packageJson({
          guid: pkg.guid,
          appGuid: world.appGuid,
          createdAt: pkg.created_at,
          updatedAt: reply.json.updated_at,
          labels: { a: "10", "example.com/c": "3" },
          annotations: { x: "1", z: "new" },
        }),
      ),
    );
    expect(roundTrips(reply)).toBe(2);
    expect((await call("GET", `/v3/packages/${pkg.guid}`, { token: bearer })).json).toEqual(reply.json);
  });

  it.each([
    ["{}", {}],
    ["empty metadata", { metadata: {} }],
    ["empty labels and annotations", { metadata: { labels: {}, annotations: {} } }],
    ["null credentials", { username: null, password: null }],
  ])("%s changes nothing: 200 with the package as it was, in one round trip", async (_name, body) => {
    const { world, bearer } = await developerWorld();
    const pkg = await createdPackage(world, bearer, { metadata: { labels: { keep: "me" } } });
    const reply = await patch(bearer, pkg.guid, body);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual(pkg);
    expect(roundTrips(reply)).toBe(1);
  });

  it("deleting a key that is not there is no error", async () => {
    const { world, bearer } = await developerWorld();
    const pkg = await createdPackage(world, bearer);
    const reply = await patch(bearer, pkg.guid, { metadata: { labels: { missing: null } } });
    expect(reply.status).toBe(200);
    expect(reply.json.metadata).toEqual({ labels: {}, annotations: {} });
  });

  describe("limits, counted after the merge", () => {
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v"]));

    it("refuses a new label past 50, naming the labels asked for, and changes nothing", async () => {
      const { world, bearer } = await developerWorld();
      const pkg = await createdPackage(world, bearer, { metadata: { labels: fifty } });
      const reply = await patch(bearer, pkg.guid, { metadata: { labels: { k0: "changed", extra: "v" } } });
      expect(reply.status).toBe(422);
      expect(reply.json).toEqual(labelLimitBody(2));
      expect((await call("GET", `/v3/packages/${pkg.guid}`, { token: bearer })).json).toEqual(pkg);
    });

    it.each([
      ["replacing values at the limit", { k0: "changed", k1: "changed" }],
      ["deleting one and adding one at the limit", { k0: null, extra: "v" }],
    ])("allows %s", async (_name, labels) => {
      const { world, bearer } = await developerWorld();
      const pkg = await createdPackage(world, bearer, { metadata: { labels: fifty } });
      const reply = await patch(bearer, pkg.guid, { metadata: { labels } });
      expect(reply.status).toBe(200);
      expect(Object.keys(reply.json.metadata.labels)).toHaveLength(50);
    });

    it("refuses a new annotation past 200", async () => {
      const { world, bearer } = await developerWorld();
      const annotations = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`a${i}`, "v"]));
      const pkg = await createdPackage(world, bearer, { metadata: { annotations } });
      const reply = await patch(bearer, pkg.guid, { metadata: { annotations: { more: "v" } } });
      expect(reply.status).toBe(422);
      expect(reply.json).toEqual(annotationLimitBody(1));
    });
  });
});

describe("PATCH /v3/packages/:guid: docker credentials", () => {
  async function dockerPackage() {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const pkg = await createdPackage(world, bearer, {
      type: "docker",
      data: { image: "registry/image:1", username: "u1", password: "p1" },
    });
    return { world, bearer, pkg };
  }

  it("replaces the username and keeps the password when only the username is given", async () => {
    const { bearer, pkg } = await dockerPackage();
    const reply = await patch(bearer, pkg.guid, { username: "u2" });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({ image: "registry/image:1", username: "u2", password: "***" });
    expect(reply.json.updated_at > pkg.updated_at).toBe(true);
    expect(await storedRow(pkg.guid)).toEqual({ docker_username: "u2", docker_password: "p1" });
  });

  it("replaces the password and keeps the username when only the password is given", async () => {
    const { bearer, pkg } = await dockerPackage();
    const reply = await patch(bearer, pkg.guid, { password: "p2", username: null });
    expect(reply.status).toBe(200);
    expect(reply.json.data).toEqual({ image: "registry/image:1", username: "u1", password: "***" });
    expect(await storedRow(pkg.guid)).toEqual({ docker_username: "u1", docker_password: "p2" });
  });

  it("refuses a password over 5000 characters", async () => {
    const { bearer, pkg } = await dockerPackage();
    const reply = await patch(bearer, pkg.guid, { password: "p".repeat(5001) });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("docker_password can be up to 5,000 characters"));
    expect(await storedRow(pkg.guid)).toEqual({ docker_username: "u1", docker_password: "p1" });
  });

  it.each([{ username: "u" }, { password: "" }])("refuses credentials %o on a bits package", async (body) => {
    const { world, bearer } = await developerWorld();
    const pkg = await createdPackage(world, bearer);
    const reply = await patch(bearer, pkg.guid, body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(BITS_CREDENTIALS);
  });
});

describe("PATCH /v3/packages/:guid: checks in CC's order", () => {
  it.each([
    {
      name: "unknown keys",
      body: { animals: "cats", plants: 1 },
      detail: "Unknown field(s): 'animals', 'plants'",
    },
    {
      name: "metadata errors before unknown keys",
      body: { animals: "cats", metadata: { labels: { "-bad": "v" } } },
      detail:
        "Metadata label key error: '-bad' starts or ends with invalid characters, Unknown field(s): 'animals'",
    },
    {
      name: "credentials that are not strings",
      body: { username: 1, password: ["p"] },
      detail: "Username must be a string, Password must be a string",
    },
    { name: "metadata not an object", body: { metadata: null }, detail: "Metadata must be an object" },
  ])("422 for $name, even for a package that does not exist", async ({ body, detail }) => {
    const { bearer } = await developerWorld();
    const reply = await patch(bearer, crypto.randomUUID(), body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("400 for a body that is not JSON", async () => {
    const { bearer } = await developerWorld();
    const reply = await call("PATCH", `/v3/packages/${crypto.randomUUID()}`, { token: bearer, rawBody: "{" });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(PARSE_ERROR);
  });

  it("404 for a valid body and a package that does not exist or cannot be seen", async () => {
    const { bearer } = await developerWorld();
    const hidden = await addPackage((await createWorld()).appGuid);
    for (const guid of [crypto.randomUUID(), hidden]) {
      const reply = await patch(bearer, guid, { metadata: { labels: { a: "b" } } });
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(notFoundBody("Package"));
    }
  });

  it("credentials on a bits package are a 422 before the write check (a space auditor gets 422)", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const reply = await patch(await tokenFor(world, "space_auditor"), guid, { username: "u" });
    expect(reply.json).toEqual(BITS_CREDENTIALS);
  });

  it("403 for a space auditor changing metadata, and nothing changes", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const reply = await patch(await tokenFor(world, "space_auditor"), guid, {
      metadata: { labels: { a: "b" } },
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
    const labels = await env.DB.prepare("SELECT COUNT(*) AS n FROM labels WHERE resource_guid = ?")
      .bind(guid)
      .first();
    expect(labels?.n).toBe(0);
  });
});

describe("DELETE /v3/packages/:guid", () => {
  async function metadataRows(guid: string): Promise<number> {
    const row = await env.DB.prepare(
      "SELECT (SELECT COUNT(*) FROM labels WHERE resource_guid = ?1) + (SELECT COUNT(*) FROM annotations WHERE resource_guid = ?1) AS n",
    )
      .bind(guid)
      .first();
    return Number(row?.n);
  }

  it("answers 202 with an empty body and the job's Location; the job deletes the package, its metadata and bits", async () => {
    const { world, bearer } = await developerWorld();
    const metadata = { labels: { a: "1" }, annotations: { b: "2" } };
    const doomed = await createdPackage(world, bearer, { metadata });
    const kept = await createdPackage(world, bearer, { metadata });
    await env.BITS.put(packageBitsKey(doomed.guid), "doomed zip");
    await env.BITS.put(packageBitsKey(kept.guid), "kept zip");

    const reply = await callWithEnv({}, "DELETE", `/v3/packages/${doomed.guid}`, { token: bearer });

    expect(reply.status).toBe(202);
    expect(reply.text).toBe("");
    const location = reply.headers.get("Location") ?? "";
    const jobGuid = location.slice(`${BASE}/v3/jobs/`.length);
    expect(location).toBe(`${BASE}/v3/jobs/${jobGuid}`);
    expect(jobGuid).toMatch(UUID);

    const job = await call("GET", `/v3/jobs/${jobGuid}`, { token: bearer });
    expect(job.status).toBe(200);
    expect(job.json).toEqual({
      guid: jobGuid,
      created_at: job.json.created_at,
      updated_at: job.json.updated_at,
      operation: "package.delete",
      state: "COMPLETE",
      errors: [],
      warnings: [],
      links: { self: { href: location } },
    });
    expect(job.json.created_at).toMatch(TIMESTAMP);

    expect((await call("GET", `/v3/packages/${doomed.guid}`, { token: bearer })).json).toEqual(
      notFoundBody("Package"),
    );
    expect(await metadataRows(doomed.guid)).toBe(0);
    expect(await env.BITS.get(packageBitsKey(doomed.guid))).toBeNull();
    const queued = await env.DB.prepare("SELECT COUNT(*) AS n FROM blob_deletions WHERE key = ?")
      .bind(packageBitsKey(doomed.guid))
      .first();
    expect(queued?.n).toBe(0);

    expect((await call("GET", `/v3/packages/${kept.guid}`, { token: bearer })).json).toEqual(kept);
    expect(await metadataRows(kept.guid)).toBe(2);
    expect(await (await env.BITS.get(packageBitsKey(kept.guid)))?.text()).toBe("kept zip");
    const app = await env.DB.prepare("SELECT COUNT(*) AS n FROM apps WHERE guid = ?")
      .bind(world.appGuid)
      .first();
    expect(app?.n).toBe(1);
  });

  it("deletes a docker package the same way", async () => {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const guid = await addPackage(world.appGuid, { type: "docker" });
    const reply = await callWithEnv({}, "DELETE", `/v3/packages/${guid}`, { token: bearer });
    expect(reply.status).toBe(202);
    expect((await call("GET", `/v3/packages/${guid}`, { token: bearer })).status).toBe(404);
  });

  it.each([
    {
      name: "missing: 404",
      role: "space_developer",
      hidden: false,
      missing: true,
      status: 404,
      error: notFoundBody("Package"),
    },
    {
      name: "invisible: 404",
      role: "space_developer",
      hidden: true,
      missing: false,
      status: 404,
      error: notFoundBody("Package"),
    },
    {
      name: "visible to a space manager: 403",
      role: "space_manager",
      hidden: false,
      missing: false,
      status: 403,
      error: NOT_AUTHORIZED,
    },
  ] as const)("$name, and no job is created", async ({ role, hidden, missing, status, error }) => {
    const world = await createWorld();
    const bearer = await tokenFor(world, role);
    const guid = missing
      ? crypto.randomUUID()
      : await addPackage((hidden ? await createWorld() : world).appGuid);
    const reply = await call("DELETE", `/v3/packages/${guid}`, { token: bearer });
    expect(reply.status).toBe(status);
    expect(reply.json).toEqual(error);
    expect(roundTrips(reply)).toBe(1);
    const jobs = await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE resource_guid = ?")
      .bind(guid)
      .first();
    expect(jobs?.n).toBe(0);
  });
});
