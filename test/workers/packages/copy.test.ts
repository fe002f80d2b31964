// POST /v3/packages?source_guid= (B.5): docker and bits copies, the bits copy job, checks in CC's order.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { packageBitsKey } from "../../../src/packages/bits-keys";
import { bitsField, bitsWorld, HEAVY, packageRow, storedBits, upload } from "../support/bits";
import { tokenFor } from "../support/callers";
import {
  INVALID_APP,
  NOT_AUTHORIZED,
  ORG_SUSPENDED,
  PARSE_ERROR,
  unprocessableBody,
} from "../support/errors";
import {
  addApp,
  addPackage,
  createWorld,
  grant,
  newUser,
  type RoleType,
  type World,
} from "../support/fixtures";
import { call, callWithEnv, TIMESTAMP, UUID } from "../support/http";
import { packageCount, packageJson, roundTrips } from "../support/packages";
import { adminToken, token } from "../support/tokens";
import { buildZip, digest, randomBytes } from "../support/zip";

const body = (appGuid: string) => ({ relationships: { app: { data: { guid: appGuid } } } });
const copy = (bearer: string, sourceGuid: string, payload: unknown) =>
  call("POST", `/v3/packages?source_guid=${sourceGuid}`, { token: bearer, body: payload });
/** A copy to `appGuid`, answered once the bits copy the response leaves running (waitUntil) is done. */
const copyTo = (bearer: string, sourceGuid: string, appGuid: string) =>
  callWithEnv({}, "POST", `/v3/packages?source_guid=${sourceGuid}`, { token: bearer, body: body(appGuid) });

const INVALID_SOURCE = unprocessableBody(
  "Source package is invalid. Ensure it exists and you have access to it.",
);

describe("copying a docker package", () => {
  it("answers 201 READY with the image and without the source's credentials", async () => {
    const world = await createWorld({ lifecycle: "docker" });
    const target = await addApp(world.spaceGuid, "docker");
    const bearer = await tokenFor(world, "space_developer");
    const created = await call("POST", "/v3/packages", {
      token: bearer,
      body: {
        type: "docker",
        data: { image: "registry/image:1", username: "u", password: "p" },
        ...body(world.appGuid),
      },
    });
    expect(created.json.data).toEqual({ image: "registry/image:1", username: "u", password: "***" });

    const reply = await copy(bearer, created.json.guid, body(target));

    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(guid).toMatch(UUID);
    expect(guid).not.toBe(created.json.guid);
    expect(reply.text).toBe(
      JSON.stringify(
        packageJson({
          guid,
          appGuid: target,
          createdAt,
          type: "docker",
          data: { image: "registry/image:1", username: null, password: null },
        }),
      ),
    );
    expect(roundTrips(reply)).toBe(2);
  });

  it("reads only relationships.app.data.guid: other keys, metadata included, are ignored", async () => {
    const world = await createWorld();
    const target = await addApp(world.spaceGuid);
    const source = await addPackage(world.appGuid, { type: "docker", dockerImage: "img" });
    const reply = await copy(await tokenFor(world, "space_developer"), source, {
      ...body(target),
      type: "bits",
      potato: true,
      metadata: { labels: { a: "b" } },
    });
    expect(reply.status).toBe(201);
    expect(reply.json.type).toBe("docker");
    expect(reply.json.metadata).toEqual({ labels: {}, annotations: {} });
  });
});

describe("copying a bits package", () => {
  const SHA256 = "a".repeat(64);
  const SHA1 = "b".repeat(40);

  it("answers 201 COPYING, then the job copies the zip and the package becomes READY with the checksum", async () => {
    const world = await createWorld();
    const target = await addApp(world.spaceGuid);
    const source = await addPackage(world.appGuid, {
      state: "READY",
      sha1: SHA1,
      sha256: SHA256,
      bitsSize: 11,
    });
    await env.BITS.put(packageBitsKey(source), "zip content");
    const bearer = await tokenFor(world, "space_developer");

    const reply = await copyTo(bearer, source, target);

    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(reply.text).toBe(
      JSON.stringify(packageJson({ guid, appGuid: target, createdAt, state: "COPYING" })),
    );
    const shown = await call("GET", `/v3/packages/${guid}`, { token: bearer });
    expect(shown.json.updated_at).toMatch(TIMESTAMP);
    expect(shown.json).toEqual(
      packageJson({
        guid,
        appGuid: target,
        createdAt,
        updatedAt: shown.json.updated_at,
        state: "READY",
        data: { error: null, checksum: { type: "sha256", value: SHA256 } },
      }),
    );
    expect(await (await env.BITS.get(packageBitsKey(guid)))?.text()).toBe("zip content");
    expect(await (await env.BITS.get(packageBitsKey(source)))?.text()).toBe("zip content");
  });

  it("fails the copy with data.error when the source has no bits in the blobstore", async () => {
    const world = await createWorld();
    const target = await addApp(world.spaceGuid);
    const source = await addPackage(world.appGuid, { state: "READY", sha256: SHA256 });
    const bearer = await tokenFor(world, "space_developer");

    const reply = await copyTo(bearer, source, target);

    expect(reply.status).toBe(201);
    const shown = await call("GET", `/v3/packages/${reply.json.guid}`, { token: bearer });
    expect(shown.json.state).toBe("FAILED");
    expect(shown.json.data).toEqual({
      error: "failed to copy - source package has no bits",
      checksum: { type: "sha256", value: null },
    });
  });
});

describe("checks, in CC's order", () => {
  interface Setup {
    destination: World;
    source: World;
    sourceGuid: string;
    targetApp: string;
    bearer: string;
  }

  /** A user with `destinationRole` in the destination world and `sourceRole` in the source world. */
  async function setup(
    destinationRole: RoleType | undefined,
    sourceRole: RoleType | undefined,
    options: { destinationSuspended?: boolean; sourceSuspended?: boolean } = {},
  ): Promise<Setup> {
    const destination = await createWorld({
      orgStatus: options.destinationSuspended ? "suspended" : "active",
    });
    const source = await createWorld({ orgStatus: options.sourceSuspended ? "suspended" : "active" });
    const sourceGuid = await addPackage(source.appGuid, { type: "docker" });
    const user = newUser();
    if (destinationRole) await grant(user, destinationRole, destination);
    if (sourceRole) await grant(user, sourceRole, source);
    return { destination, source, sourceGuid, targetApp: destination.appGuid, bearer: await token(user) };
  }

  it.each([
    {
      name: "destination app missing: 422 before the source is looked at",
      roles: ["space_developer", undefined] as const,
      target: () => crypto.randomUUID(),
      sourceGuid: () => crypto.randomUUID(),
      status: 422,
      error: INVALID_APP,
    },
    {
      name: "destination app invisible: 422",
      roles: [undefined, "space_developer"] as const,
      status: 422,
      error: INVALID_APP,
    },
    {
      name: "destination visible but not writable: 403, even with a missing source",
      roles: ["space_auditor", "space_developer"] as const,
      sourceGuid: () => crypto.randomUUID(),
      status: 403,
      error: NOT_AUTHORIZED,
    },
    {
      name: "destination org suspended: 403 CF-OrgSuspended",
      roles: ["space_developer", "space_developer"] as const,
      destinationSuspended: true,
      status: 403,
      error: ORG_SUSPENDED,
    },
    {
      name: "source missing: 422",
      roles: ["space_developer", "space_developer"] as const,
      sourceGuid: () => crypto.randomUUID(),
      status: 422,
      error: INVALID_SOURCE,
    },
    {
      name: "source invisible: 422",
      roles: ["space_developer", undefined] as const,
      status: 422,
      error: INVALID_SOURCE,
    },
    {
      name: "source invisible to an org auditor: 422",
      roles: ["space_developer", "organization_auditor"] as const,
      status: 422,
      error: INVALID_SOURCE,
    },
    {
      name: "source visible but not writable: 403",
      roles: ["space_developer", "space_manager"] as const,
      status: 403,
      error: NOT_AUTHORIZED,
    },
    {
      name: "source org suspended: 403 CF-OrgSuspended",
      roles: ["space_developer", "space_developer"] as const,
      sourceSuspended: true,
      status: 403,
      error: ORG_SUSPENDED,
    },
  ])("$name", async (test) => {
    const world = await setup(test.roles[0], test.roles[1], test);
    const sourceGuid = test.sourceGuid?.() ?? world.sourceGuid;
    const reply = await copy(world.bearer, sourceGuid, body(test.target?.() ?? world.targetApp));
    expect(reply.status).toBe(test.status);
    expect(reply.json).toEqual(test.error);
    expect(await packageCount(world.destination.appGuid)).toBe(0);
  });

  it("422 when source and destination are the same app", async () => {
    const world = await createWorld();
    const source = await addPackage(world.appGuid, { type: "docker" });
    const reply = await copy(await tokenFor(world, "space_developer"), source, body(world.appGuid));
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("Source and destination app cannot be the same"));
    expect(await packageCount(world.appGuid)).toBe(1);
  });

  it.each([
    ["without relationships", {}],
    ["with a non-string guid", { relationships: { app: { data: { guid: 7 } } } }],
    ["with null app data", { relationships: { app: { data: null } } }],
  ])("422 App is invalid for a body %s", async (_name, payload) => {
    const world = await createWorld();
    const source = await addPackage(world.appGuid, { type: "docker" });
    const reply = await copy(await tokenFor(world, "space_developer"), source, payload);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(INVALID_APP);
  });

  it("400 CF-MessageParseError for a body that is not a JSON object", async () => {
    const world = await createWorld();
    const reply = await call("POST", `/v3/packages?source_guid=${crypto.randomUUID()}`, {
      token: await tokenFor(world, "space_developer"),
      rawBody: "[]",
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(PARSE_ERROR);
  });

  it("403 for a token without the write scope, before anything else", async () => {
    const reply = await call("POST", `/v3/packages?source_guid=${crypto.randomUUID()}`, {
      token: await token(newUser(), { scopes: ["cloud_controller.read"] }),
      rawBody: "not json",
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("lets an admin copy between suspended organizations", async () => {
    const world = await setup(undefined, undefined, { destinationSuspended: true, sourceSuspended: true });
    const reply = await copy(await adminToken(), world.sourceGuid, body(world.targetApp));
    expect(reply.status).toBe(201);
    expect(reply.json.relationships).toEqual({ app: { data: { guid: world.targetApp } } });
  });
});

// The bits copy (src/packages/copy.ts) on real uploaded bits: COPYING → READY with the source's
// checksums and an identical zip streamed R2 to R2 (multi-part sized too), or FAILED with CC's
// `failed to copy - ...`; a copy that ends after the watchdog failed it leaves no bits behind.

describe("copying bits", () => {
  it.each([
    ["a small package", () => buildZip([{ name: "a.txt", data: "a\n" }])],
    [
      "a package larger than one R2 part",
      () => buildZip([{ name: "big.bin", data: randomBytes(6 * 1024 * 1024) }]),
    ],
  ])(
    "copies %s: READY with the source's checksums and the same zip",
    async (_, makeZip) => {
      const { world, developer, newPackage } = await bitsWorld();
      const source = await newPackage();
      const zip = await makeZip();
      expect((await upload(source, developer, [await bitsField(zip)])).status).toBe(200);
      const target = await addApp(world.spaceGuid);

      const reply = await copyTo(developer, source, target);

      expect(reply.status).toBe(201);
      expect(reply.json.state).toBe("COPYING");
      const copy = reply.json.guid;
      expect(await packageRow(copy)).toMatchObject({
        state: "READY",
        error: null,
        sha1: await digest("SHA-1", zip),
        sha256: await digest("SHA-256", zip),
        bits_size: zip.length,
      });
      expect(await digest("SHA-256", (await storedBits(copy))!)).toBe(await digest("SHA-256", zip));
      expect((await env.BITS.head(`packages/${copy}`))?.httpMetadata?.contentType).toBe("application/zip");
    },
    HEAVY,
  );

  it("fails the copy with CC's prefix when the source's bits are gone", async () => {
    const { world, developer } = await bitsWorld();
    const source = await addPackage(world.appGuid, { state: "READY", sha256: "f".repeat(64) });
    const reply = await copyTo(developer, source, await addApp(world.spaceGuid));
    expect(await packageRow(reply.json.guid)).toMatchObject({
      state: "FAILED",
      error: "failed to copy - source package has no bits",
      sha256: null,
    });
    expect(await storedBits(reply.json.guid)).toBeUndefined();
  });

  it("removes the copied bits when the package stopped COPYING before the copy finished", async () => {
    const { world, developer, newPackage } = await bitsWorld();
    const source = await newPackage();
    const zip = await buildZip([{ name: "a.txt", data: "a\n" }]);
    await upload(source, developer, [await bitsField(zip)]);
    const target = await addApp(world.spaceGuid);
    // A trigger plays the watchdog: the copy's package is FAILED the moment it is created.
    await env.DB.prepare(
      `CREATE TRIGGER copy_timed_out AFTER INSERT ON packages WHEN NEW.state = 'COPYING' AND NEW.app_guid = '${target}'
       BEGIN UPDATE packages SET state = 'FAILED', error = 'timed out' WHERE guid = NEW.guid; END`,
    ).run();
    const reply = await copyTo(developer, source, target);
    await env.DB.prepare("DROP TRIGGER copy_timed_out").run();
    expect(await packageRow(reply.json.guid)).toMatchObject({ state: "FAILED", error: "timed out" });
    expect(await storedBits(reply.json.guid)).toBeUndefined();
  });
});
