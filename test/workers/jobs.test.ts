// GET /v3/jobs/:guid through a package delete's lifecycle: PROCESSING → COMPLETE, and a FAILED job.
// Jobs whose run was lost are picked up by the worker's scheduled handler.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { runScheduled } from "./support/bits";
import { tokenFor } from "./support/callers";
import { notFoundBody } from "./support/errors";
import { addApp, addPackage, createWorld, grant, newUser, type World } from "./support/fixtures";
import { BASE, call, callWithEnv } from "./support/http";
import { addMetadata } from "./support/list-seeds";
import { adminToken, expectDeleteCompletes } from "./support/resources";
import { token } from "./support/tokens";

const STALLED = 600;

/** A job row whose first run was lost: PROCESSING, untouched for ten minutes. */
async function stalledJob(operation: string, resourceGuid: string, userGuid: string): Promise<string> {
  const guid = crypto.randomUUID();
  const t = Math.floor(Date.now() / 1000) - STALLED;
  await env.DB.prepare(
    `INSERT INTO jobs (guid, operation, state, resource_type, resource_guid, user_guid, errors, warnings, created_at, updated_at)
     VALUES (?, ?, 'PROCESSING', 'package', ?, ?, '[]', '[]', ?, ?)`,
  )
    .bind(guid, operation, resourceGuid, userGuid, t, t)
    .run();
  return guid;
}

async function packageOf(world: World, bearer: string): Promise<string> {
  const reply = await call("POST", "/v3/packages", {
    token: bearer,
    body: {
      type: "bits",
      relationships: { app: { data: { guid: world.appGuid } } },
      metadata: { labels: { a: "b" } },
    },
  });
  return reply.json.guid;
}

const jobJson = (guid: string, state: string, extra: { links?: object; errors?: object[] } = {}) => ({
  guid,
  created_at: expect.stringMatching(/Z$/),
  updated_at: expect.stringMatching(/Z$/),
  operation: "package.delete",
  state,
  errors: extra.errors ?? [],
  warnings: [],
  links: { self: { href: `${BASE}/v3/jobs/${guid}` }, ...extra.links },
});

describe("a package delete job", () => {
  it("is PROCESSING with a link to the package until it runs, then COMPLETE without it", async () => {
    const world = await createWorld();
    const user = newUser();
    const bearer = await token(user);
    const developer = await tokenFor(world, "space_developer");
    const pkg = await packageOf(world, developer);
    const job = await stalledJob("package.delete", pkg, user);

    const processing = await call("GET", `/v3/jobs/${job}`, { token: bearer });
    expect(processing.status).toBe(200);
    expect(processing.json).toEqual(
      jobJson(job, "PROCESSING", { links: { package: { href: `${BASE}/v3/packages/${pkg}` } } }),
    );

    await runScheduled();

    const complete = await call("GET", `/v3/jobs/${job}`, { token: bearer });
    expect(complete.json).toEqual(jobJson(job, "COMPLETE"));
    expect(complete.json.updated_at >= processing.json.updated_at).toBe(true);
    expect((await call("GET", `/v3/packages/${pkg}`, { token: developer })).status).toBe(404);
  });

  it("completes again when its package is already gone: deleting is idempotent", async () => {
    const world = await createWorld();
    const developer = newUser();
    const bearer = await token(developer);
    await grant(developer, "space_developer", world);
    const pkg = await packageOf(world, bearer);
    const deleted = await callWithEnv({}, "DELETE", `/v3/packages/${pkg}`, { token: bearer });
    expect(deleted.status).toBe(202);
    const again = await stalledJob("package.delete", pkg, developer);

    await runScheduled();

    expect((await call("GET", `/v3/jobs/${again}`, { token: bearer })).json).toEqual(
      jobJson(again, "COMPLETE"),
    );
  });

  it("is FAILED with CF's error when its operation cannot run", async () => {
    const user = newUser();
    const job = await stalledJob("package.explode", crypto.randomUUID(), user);

    await runScheduled();

    const reply = await call("GET", `/v3/jobs/${job}`, { token: await token(user) });
    expect(reply.json).toEqual({
      ...jobJson(job, "FAILED", {
        errors: [{ detail: "An unknown error occurred.", title: "CF-UnknownError", code: 10001 }],
      }),
      operation: "package.explode",
    });
  });
});

describe("who sees a job", () => {
  it("404 Job not found for another user; global readers see it; 401 without a token", async () => {
    const owner = newUser();
    const job = await stalledJob("package.delete", crypto.randomUUID(), owner);

    const stranger = await call("GET", `/v3/jobs/${job}`, { token: await token(newUser()) });
    expect(stranger.status).toBe(404);
    expect(stranger.json).toEqual(notFoundBody("Job"));

    const auditor = await token(newUser(), { scopes: ["cloud_controller.global_auditor"] });
    expect((await call("GET", `/v3/jobs/${job}`, { token: auditor })).json.guid).toBe(job);

    const anonymous = await call("GET", `/v3/jobs/${job}`);
    expect(anonymous.status).toBe(401);
  });
});

// What the app, space and organization delete jobs remove (and what they leave alone): packages with
// their metadata and bits through the blob deletion queue, droplets, roles; and that a lost run finishes.
const bitsKey = (packageGuid: string) => `packages/${packageGuid}`;

/** A bits package with a zip in R2, and labels and annotations on it. */
async function packageWithBits(appGuid: string): Promise<string> {
  const guid = await addPackage(appGuid, { state: "READY", sha256: "a".repeat(64) });
  await env.BITS.put(bitsKey(guid), "zip bytes");
  await tag(guid);
  return guid;
}

/** The label and annotation every resource of these tests carries. */
const tag = (resourceGuid: string) => addMetadata(resourceGuid, { tier: "web" }, { note: "x" });

async function addDroplet(appGuid: string, packageGuid: string | null): Promise<string> {
  const guid = crypto.randomUUID();
  const t = Math.floor(Date.now() / 1000);
  await env.DB.prepare(
    "INSERT INTO droplets (guid, state, package_guid, app_guid, created_at, updated_at) VALUES (?, 'STAGED', ?, ?, ?, ?)",
  )
    .bind(guid, packageGuid, appGuid, t, t)
    .run();
  await tag(guid);
  return guid;
}

const count = async (sql: string, ...values: string[]) =>
  (await env.DB.prepare(sql)
    .bind(...values)
    .first<{ n: number }>("n")) ?? 0;

const rowsOf = (table: string, column: string, guids: string[]) =>
  count(
    `SELECT COUNT(*) AS n FROM ${table} WHERE ${column} IN (SELECT value FROM json_each(?))`,
    JSON.stringify(guids),
  );

const metadataOf = (guids: string[]) =>
  Promise.all([rowsOf("labels", "resource_guid", guids), rowsOf("annotations", "resource_guid", guids)]);

const bitsPresent = async (packageGuids: string[]) =>
  (await Promise.all(packageGuids.map((guid) => env.BITS.head(bitsKey(guid))))).filter(Boolean).length;

/** A world whose app has `packageCount` bits packages, a docker package, two droplets and metadata. */
async function populatedApp(world: World, appGuid: string, packageCount: number) {
  const bits = [];
  for (let i = 0; i < packageCount; i++) bits.push(await packageWithBits(appGuid));
  const docker = await addPackage(appGuid, { type: "docker" });
  const droplets = [await addDroplet(appGuid, bits[0]!), await addDroplet(appGuid, null)];
  await tag(appGuid);
  return { appGuid, spaceGuid: world.spaceGuid, bits, packages: [...bits, docker], droplets };
}

describe("app.delete", () => {
  let world: World;
  beforeEach(async () => {
    world = await createWorld();
  });

  it("removes the app's packages, their metadata and bits, its droplets and its metadata; nothing else", async () => {
    // More packages than one round of the job deletes, so it takes several.
    const doomed = await populatedApp(world, world.appGuid, 34);
    const kept = await populatedApp(world, await addApp(world.spaceGuid), 2);

    await expectDeleteCompletes(`/v3/apps/${doomed.appGuid}`, await adminToken(), "app.delete");

    expect(await rowsOf("apps", "guid", [doomed.appGuid])).toBe(0);
    expect(await rowsOf("packages", "app_guid", [doomed.appGuid])).toBe(0);
    expect(await rowsOf("droplets", "app_guid", [doomed.appGuid])).toBe(0);
    expect(await metadataOf([doomed.appGuid, ...doomed.packages, ...doomed.droplets])).toEqual([0, 0]);
    expect(await bitsPresent(doomed.bits)).toBe(0);
    expect(await rowsOf("blob_deletions", "key", doomed.bits.map(bitsKey))).toBe(0);

    expect(await rowsOf("apps", "guid", [kept.appGuid, world.appGuid])).toBe(1);
    expect(await rowsOf("packages", "guid", kept.packages)).toBe(3);
    expect(await rowsOf("droplets", "guid", kept.droplets)).toBe(2);
    expect(await metadataOf([kept.appGuid, ...kept.packages, ...kept.droplets])).toEqual([5, 5]);
    expect(await bitsPresent(kept.bits)).toBe(2);
    expect(await rowsOf("spaces", "guid", [world.spaceGuid])).toBe(1);
  });

  it("finishes a delete whose run was lost when the cron runs it again, and stays done", async () => {
    const doomed = await populatedApp(world, world.appGuid, 3);
    const jobGuid = crypto.randomUUID();
    const admin = "admin-user";
    const stale = Math.floor(Date.now() / 1000) - 3600;
    await env.DB.prepare(
      `INSERT INTO jobs (guid, operation, state, resource_type, resource_guid, user_guid, errors, warnings, created_at, updated_at)
       VALUES (?, 'app.delete', 'PROCESSING', 'app', ?, ?, '[]', '[]', ?, ?)`,
    )
      .bind(jobGuid, doomed.appGuid, admin, stale, stale)
      .run();
    // Half done: the first run deleted one package's row and queued its bits before it was lost.
    await env.DB.batch([
      env.DB.prepare("INSERT INTO blob_deletions (key, attempts, created_at) VALUES (?, 0, ?)").bind(
        bitsKey(doomed.bits[0]!),
        stale,
      ),
      env.DB.prepare("UPDATE droplets SET package_guid = NULL WHERE package_guid = ?").bind(doomed.bits[0]!),
      env.DB.prepare("DELETE FROM labels WHERE resource_guid = ?").bind(doomed.bits[0]!),
      env.DB.prepare("DELETE FROM annotations WHERE resource_guid = ?").bind(doomed.bits[0]!),
      env.DB.prepare("DELETE FROM packages WHERE guid = ?").bind(doomed.bits[0]!),
    ]);

    for (let run = 0; run < 2; run++) {
      await runScheduled();
    }

    expect(await rowsOf("apps", "guid", [doomed.appGuid])).toBe(0);
    expect(await rowsOf("packages", "app_guid", [doomed.appGuid])).toBe(0);
    expect(await bitsPresent(doomed.bits)).toBe(0);
    expect(await rowsOf("blob_deletions", "key", doomed.bits.map(bitsKey))).toBe(0);
    const job = await call("GET", `/v3/jobs/${jobGuid}`, { token: await adminToken(admin) });
    expect(job.json.state).toBe("COMPLETE");
  });
});

describe("space.delete", () => {
  it("removes the space's apps as app.delete does, and its roles; not the organization or its roles", async () => {
    const world = await createWorld();
    const doomed = [
      await populatedApp(world, world.appGuid, 2),
      await populatedApp(world, await addApp(world.spaceGuid, "docker"), 1),
    ];
    const developer = newUser();
    await grant(developer, "space_developer", world);
    const member = newUser();
    await grant(member, "organization_user", world);
    await tag(world.spaceGuid);
    const sibling = await createWorld();
    const otherSpace = crypto.randomUUID();
    const t = Math.floor(Date.now() / 1000);
    await env.DB.prepare(
      "INSERT INTO spaces (guid, name, organization_guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
      .bind(otherSpace, `other-${otherSpace}`, world.orgGuid, t, t)
      .run();

    await expectDeleteCompletes(`/v3/spaces/${world.spaceGuid}`, await adminToken(), "space.delete");

    const packages = doomed.flatMap((app) => app.packages);
    expect(await rowsOf("spaces", "guid", [world.spaceGuid])).toBe(0);
    expect(await rowsOf("apps", "space_guid", [world.spaceGuid])).toBe(0);
    expect(await rowsOf("packages", "guid", packages)).toBe(0);
    expect(await bitsPresent(doomed.flatMap((app) => app.bits))).toBe(0);
    expect(await rowsOf("roles", "space_guid", [world.spaceGuid])).toBe(0);
    expect(await metadataOf([world.spaceGuid, ...packages])).toEqual([0, 0]);

    expect(await rowsOf("organizations", "guid", [world.orgGuid])).toBe(1);
    expect(await rowsOf("spaces", "guid", [otherSpace, sibling.spaceGuid])).toBe(2);
    expect(await rowsOf("apps", "guid", [sibling.appGuid])).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM roles WHERE user_guid = ?", member)).toBe(1);
  });
});

describe("organization.delete", () => {
  it("removes its spaces as space.delete does, and its roles; other organizations stay", async () => {
    const world = await createWorld();
    const doomed = await populatedApp(world, world.appGuid, 2);
    const secondSpace = crypto.randomUUID();
    const t = Math.floor(Date.now() / 1000);
    await env.DB.prepare(
      "INSERT INTO spaces (guid, name, organization_guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
      .bind(secondSpace, `second-${secondSpace}`, world.orgGuid, t, t)
      .run();
    const secondApp = await addApp(secondSpace);
    const secondBits = await packageWithBits(secondApp);
    const manager = newUser();
    await grant(manager, "organization_manager", world);
    await grant(manager, "space_manager", world);
    await tag(world.orgGuid);
    const other = await createWorld();
    const otherBits = await packageWithBits(other.appGuid);
    await grant(manager, "organization_auditor", other);

    await expectDeleteCompletes(
      `/v3/organizations/${world.orgGuid}`,
      await adminToken(),
      "organization.delete",
    );

    expect(await rowsOf("organizations", "guid", [world.orgGuid])).toBe(0);
    expect(await rowsOf("spaces", "organization_guid", [world.orgGuid])).toBe(0);
    expect(await rowsOf("apps", "guid", [world.appGuid, secondApp])).toBe(0);
    expect(await rowsOf("packages", "guid", [...doomed.packages, secondBits])).toBe(0);
    expect(await bitsPresent([...doomed.bits, secondBits])).toBe(0);
    expect(await metadataOf([world.orgGuid])).toEqual([0, 0]);
    expect(await count("SELECT COUNT(*) AS n FROM roles WHERE user_guid = ?", manager)).toBe(1);

    expect(await rowsOf("organizations", "guid", [other.orgGuid])).toBe(1);
    expect(await rowsOf("packages", "guid", [otherBits])).toBe(1);
    expect(await bitsPresent([otherBits])).toBe(1);
  });
});
