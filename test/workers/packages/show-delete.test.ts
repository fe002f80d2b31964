// GET (B.6) and DELETE (B.9) /v3/packages/:guid (PATCH: update.test.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { packageBitsKey } from "../../../src/packages/bits-keys";
import { developerWorld, tokenFor } from "../support/callers";
import { NOT_AUTHORIZED, notFoundBody } from "../support/errors";
import { addPackage, createWorld, newUser } from "../support/fixtures";
import { BASE, call, callWithEnv, TIMESTAMP, UUID } from "../support/http";
import { createdPackage, packageJson, roundTrips } from "../support/packages";
import { token } from "../support/tokens";

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
