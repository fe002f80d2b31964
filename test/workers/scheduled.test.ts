// Retention (CC's BitsExpiration) after uploads and from the scheduled handler, and the watchdog that
// fails packages stuck in PROCESSING_UPLOAD or COPYING, aged by setting their timestamps in D1.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bitsField, bitsWorld, packageRow, runScheduled, setTimes, storedBits, upload } from "./support/bits";
import { addPackage, createWorld } from "./support/fixtures";
import { logLines } from "./support/logs";
import { buildZip } from "./support/zip";

const now = () => Math.floor(Date.now() / 1000);

async function uploadZip(guid: string, bearer: string, overrides?: Partial<Cloudflare.Env>) {
  const zip = await buildZip([{ name: `${guid}.txt`, data: guid }]);
  const reply = await upload(guid, bearer, [await bitsField(zip)], overrides);
  expect(reply.status).toBe(200);
}

/** A READY bits package with bits in R2, created `age` seconds ago. */
async function readyPackage(appGuid: string, age: number): Promise<string> {
  const guid = await addPackage(appGuid, { state: "READY" });
  await env.BITS.put(`packages/${guid}`, "zip");
  await setTimes(guid, now() - age);
  return guid;
}

describe("retention", () => {
  it("expires the app's READY packages beyond MAX_VALID_PACKAGES_STORED after an upload, bits and all", async () => {
    const { world, developer, newPackage } = await bitsWorld();
    const keep = { MAX_VALID_PACKAGES_STORED: "2" };
    const oldest = await readyPackage(world.appGuid, 300);
    const older = await readyPackage(world.appGuid, 200);
    const failed = await addPackage(world.appGuid, { state: "FAILED", error: "boom" });
    await setTimes(failed, now() - 400);
    const otherApp = (await createWorld()).appGuid;
    const elsewhere = await readyPackage(otherApp, 500);

    const latest = await newPackage();
    await uploadZip(latest, developer, keep);

    expect((await packageRow(oldest)).state).toBe("EXPIRED");
    expect(await storedBits(oldest)).toBeUndefined();
    expect((await packageRow(older)).state).toBe("READY");
    expect(await storedBits(older)).toBeDefined();
    expect((await packageRow(latest)).state).toBe("READY");
    expect((await packageRow(failed)).state).toBe("FAILED");
    expect((await packageRow(elsewhere)).state).toBe("READY");
    const queued = await env.DB.prepare("SELECT key FROM blob_deletions WHERE key = ?")
      .bind(`packages/${oldest}`)
      .first();
    expect(queued).toBeNull();
  });

  it("keeps the newest by created_at, then by id among packages created in the same second", async () => {
    const world = await createWorld();
    const t = now() - 100;
    const first = await readyPackage(world.appGuid, 0);
    const second = await readyPackage(world.appGuid, 0);
    const third = await readyPackage(world.appGuid, 0);
    for (const guid of [first, second, third]) await setTimes(guid, t);
    const older = await readyPackage(world.appGuid, 1000);

    await runScheduled({ MAX_VALID_PACKAGES_STORED: "2" });

    expect((await packageRow(third)).state).toBe("READY");
    expect((await packageRow(second)).state).toBe("READY");
    expect((await packageRow(first)).state).toBe("EXPIRED");
    expect((await packageRow(older)).state).toBe("EXPIRED");
    expect(await storedBits(first)).toBeUndefined();
    expect(await storedBits(older)).toBeUndefined();
    expect(await storedBits(third)).toBeDefined();
  });

  it("expires docker packages too, with no bits to delete", async () => {
    const world = await createWorld({ lifecycle: "docker" });
    const old = await addPackage(world.appGuid, { type: "docker", dockerImage: "a" });
    await setTimes(old, now() - 100);
    const recent = await addPackage(world.appGuid, { type: "docker", dockerImage: "b" });

    await runScheduled({ MAX_VALID_PACKAGES_STORED: "1" });

    expect((await packageRow(old)).state).toBe("EXPIRED");
    expect((await packageRow(recent)).state).toBe("READY");
  });
});

describe("the watchdog", () => {
  it("fails packages stuck past PACKAGE_STUCK_TIMEOUT_SECONDS and leaves the rest alone", async () => {
    const world = await createWorld();
    const stuckUpload = await addPackage(world.appGuid, { state: "PROCESSING_UPLOAD" });
    await env.BITS.put(`packages/${stuckUpload}`, "partial");
    await setTimes(stuckUpload, now() - 120);
    const stuckCopy = await addPackage(world.appGuid, { state: "COPYING" });
    await setTimes(stuckCopy, now() - 61);
    const busyUpload = await addPackage(world.appGuid, { state: "PROCESSING_UPLOAD" });
    await setTimes(busyUpload, now() - 10);
    const oldReady = await readyPackage(world.appGuid, 3600);
    const waiting = await addPackage(world.appGuid);
    await setTimes(waiting, now() - 3600);

    await runScheduled({ PACKAGE_STUCK_TIMEOUT_SECONDS: "60" });

    expect(await packageRow(stuckUpload)).toMatchObject({
      state: "FAILED",
      error: "upload did not finish within 60 seconds",
    });
    expect(await storedBits(stuckUpload)).toBeUndefined();
    expect(await packageRow(stuckCopy)).toMatchObject({
      state: "FAILED",
      error: "failed to copy - copy did not finish within 60 seconds",
    });
    expect((await packageRow(busyUpload)).state).toBe("PROCESSING_UPLOAD");
    expect((await packageRow(oldReady)).state).toBe("READY");
    expect(await storedBits(oldReady)).toBeDefined();
    expect((await packageRow(waiting)).state).toBe("AWAITING_UPLOAD");
  });

  it("answers an upload that finishes after the watchdog failed it with an error and keeps no bits", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    // A trigger plays the watchdog: the package is FAILED as soon as the upload claims it.
    await env.DB.prepare(
      `CREATE TRIGGER upload_timed_out AFTER UPDATE OF state ON packages WHEN NEW.guid = '${guid}' AND NEW.state = 'PROCESSING_UPLOAD'
       BEGIN UPDATE packages SET state = 'FAILED', error = 'upload did not finish within 900 seconds' WHERE guid = NEW.guid; END`,
    ).run();
    const zip = await buildZip([{ name: "a.txt", data: "a" }]);
    const reply = await upload(guid, developer, [await bitsField(zip)]);
    await env.DB.prepare("DROP TRIGGER upload_timed_out").run();

    expect(reply.status).toBe(400);
    expect(reply.json.errors[0].detail).toBe(
      "The app upload is invalid: upload did not finish within 900 seconds",
    );
    expect(await packageRow(guid)).toMatchObject({
      state: "FAILED",
      error: "upload did not finish within 900 seconds",
    });
    expect(await storedBits(guid)).toBeUndefined();
  });
});

// A zip R2 refuses to delete stays queued, with the attempt and R2's reason, and goes on a later run of
// the scheduled handler: a failed delete is never silently dropped. R2 here is the real local bucket;
// only its delete is made to fail, for one run.
/** The real bucket, except that delete fails as an unavailable R2 would. */
function refusingDeletes(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      if (property === "delete") return async () => Promise.reject(new Error("R2 is unavailable"));
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const queued = (key: string) =>
  env.DB.prepare("SELECT attempts, last_error FROM blob_deletions WHERE key = ?").bind(key).first();

describe("queued R2 deletions", () => {
  it("survive a refused delete and are retried until R2 confirms", async () => {
    const key = `packages/${crypto.randomUUID()}`;
    await env.BITS.put(key, "orphaned zip");
    await env.DB.prepare("INSERT INTO blob_deletions (key, attempts, created_at) VALUES (?, 0, ?)")
      .bind(key, Math.floor(Date.now() / 1000))
      .run();

    await runScheduled({ BITS: refusingDeletes(env.BITS) });
    expect(await queued(key)).toEqual({ attempts: 1, last_error: "R2 is unavailable" });
    expect(await env.BITS.head(key)).not.toBeNull();

    await runScheduled();
    expect(await queued(key)).toBeNull();
    expect(await env.BITS.head(key)).toBeNull();
  });
});

describe("the cron's tasks", () => {
  afterEach(() => vi.restoreAllMocks());

  it("run each on its own: one that throws is logged, the others still run, one line counts them", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const infos = vi.spyOn(console, "log").mockImplementation(() => {});
    const world = await createWorld();
    const stuck = await addPackage(world.appGuid, { state: "PROCESSING_UPLOAD" });
    await setTimes(stuck, now() - 3600);
    // The first task (resuming stalled jobs) finds no jobs table.
    await env.DB.exec("ALTER TABLE jobs RENAME TO jobs_away");
    try {
      await runScheduled({ PACKAGE_STUCK_TIMEOUT_SECONDS: "60" });
    } finally {
      await env.DB.exec("ALTER TABLE jobs_away RENAME TO jobs");
    }

    expect((await packageRow(stuck)).state).toBe("FAILED");
    expect(logLines(errors)).toEqual([
      {
        level: "error",
        message: "maintenance task failed",
        task: "stalledJobs",
        error: {
          name: "Error",
          message: expect.stringContaining('from "jobs"'),
          cause: expect.stringContaining("no such table: jobs"),
          stack: expect.any(String),
        },
      },
    ]);
    const [line] = logLines(infos).filter((logged) => logged.message === "maintenance");
    expect(line).toEqual({
      level: "info",
      message: "maintenance",
      stalledJobs: "failed",
      stuckPackages: expect.any(Number),
      expiredPackages: expect.any(Number),
      prunedResources: expect.any(Number),
      expiredAuditEvents: expect.any(Number),
      blobDeletions: expect.any(Number),
      d1: { roundTrips: expect.any(Number), rowsRead: expect.any(Number), rowsWritten: expect.any(Number) },
    });
    expect(line!.stuckPackages).toBeGreaterThanOrEqual(1);
  });
});
