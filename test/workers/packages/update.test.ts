// PATCH /v3/packages/:guid (B.8): metadata, docker credentials, and the checks in CC's order.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { developerWorld, tokenFor } from "../support/callers";
import {
  annotationLimitBody,
  labelLimitBody,
  NOT_AUTHORIZED,
  notFoundBody,
  PARSE_ERROR,
  unprocessableBody,
} from "../support/errors";
import { addPackage, createWorld } from "../support/fixtures";
import { call, TIMESTAMP } from "../support/http";
import { createdPackage, packageJson, roundTrips } from "../support/packages";

const BITS_CREDENTIALS = unprocessableBody("Cannot update Docker credentials for a buildpack app.");

const patch = (bearer: string, guid: string, body: unknown) =>
  call("PATCH", `/v3/packages/${guid}`, { token: bearer, body });

async function storedRow(guid: string) {
  return env.DB.prepare("SELECT docker_username, docker_password FROM packages WHERE guid = ?")
    .bind(guid)
    .first();
}

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
