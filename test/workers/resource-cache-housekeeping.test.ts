// The resource cache's housekeeping: the cron removes entries unused past RESOURCE_CACHE_MAX_AGE_DAYS
// (a match or an upload naming one counts as use), then the least recently used beyond
// RESOURCE_CACHE_MAX_SIZE, from R2 and D1 together; the fill after an upload stays within
// RESOURCE_CACHE_FILL_SUBREQUESTS.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { bitsWorld, cacheResource, runScheduled, upload } from "./support/bits";
import { newUser } from "./support/fixtures";
import { call } from "./support/http";
import { token } from "./support/tokens";
import { buildZip, digest, randomBytes } from "./support/zip";

const DAY = 86_400;
const now = () => Math.floor(Date.now() / 1000);

async function setLastUse(sha1: string, at: number): Promise<void> {
  await env.DB.prepare("UPDATE cached_resources SET last_used_at = ? WHERE sha1 = ?").bind(at, sha1).run();
}

/** Whether the cache holds `sha1`: its R2 object and its D1 row, each. */
async function held(sha1: string): Promise<{ r2: boolean; d1: boolean }> {
  const row = await env.DB.prepare("SELECT sha1 FROM cached_resources WHERE sha1 = ?").bind(sha1).first();
  return { r2: (await env.BITS.head(`resources/${sha1}`)) !== null, d1: row !== null };
}

const BOTH = { r2: true, d1: true };
const NEITHER = { r2: false, d1: false };

async function matched(sha1s: string[]): Promise<string[]> {
  const resources = sha1s.map((sha1) => ({ checksum: { value: sha1 }, size_in_bytes: 1 }));
  const reply = await call("POST", "/v3/resource_matches", {
    token: await token(newUser()),
    body: { resources },
  });
  expect(reply.status).toBe(201);
  return reply.json.resources.map((resource: { checksum: { value: string } }) => resource.checksum.value);
}

const cacheBytes = async () =>
  (await env.DB.prepare("SELECT bytes FROM resource_cache_size WHERE id = 1").first<{ bytes: number }>())
    ?.bytes;

describe("resource cache housekeeping", () => {
  it("removes entries unused for RESOURCE_CACHE_MAX_AGE_DAYS; a match or an upload keeps one", async () => {
    const { developer, newPackage } = await bitsWorld();
    const unused = await cacheResource(randomBytes(70_000));
    const matchedLately = await cacheResource(randomBytes(71_000));
    const namedByUpload = await cacheResource(randomBytes(72_000));
    const recent = await cacheResource(randomBytes(73_000));
    for (const sha1 of [unused, matchedLately, namedByUpload]) await setLastUse(sha1, now() - 3 * DAY);
    await setLastUse(recent, now() - DAY);

    expect(await matched([matchedLately])).toEqual([matchedLately]);
    const guid = await newPackage();
    const zip = await buildZip([{ name: "a.txt", data: "a\n" }]);
    const resources = [{ fn: "vendor/lib.so", sha1: namedByUpload, size: 72_000 }];
    const reply = await upload(guid, developer, [
      { name: "resources", data: JSON.stringify(resources) },
      { name: "bits", filename: "package.zip", data: zip },
    ]);
    expect(reply.status).toBe(200);
    const before = await cacheBytes();

    await runScheduled({ RESOURCE_CACHE_MAX_AGE_DAYS: "2" });

    expect(await held(unused)).toEqual(NEITHER);
    expect(await held(matchedLately)).toEqual(BOTH);
    expect(await held(namedByUpload)).toEqual(BOTH);
    expect(await held(recent)).toEqual(BOTH);
    expect(await cacheBytes()).toBe(before! - 70_000);
    expect(await matched([unused, matchedLately, namedByUpload, recent])).toEqual([
      matchedLately,
      namedByUpload,
      recent,
    ]);
    const queued = await env.DB.prepare("SELECT key FROM blob_deletions WHERE key = ?")
      .bind(`resources/${unused}`)
      .first();
    expect(queued).toBeNull();
  });

  it("removes the least recently used once over RESOURCE_CACHE_MAX_SIZE, oldest first", async () => {
    const oldest = await cacheResource(randomBytes(80_000));
    const older = await cacheResource(randomBytes(81_000));
    const old = await cacheResource(randomBytes(82_000));
    const fresh = await cacheResource(randomBytes(83_000));
    // Older than anything else the cache holds, so they are the first to go.
    await setLastUse(oldest, 1000);
    await setLastUse(older, 1001);
    await setLastUse(old, 1002);
    const total = (await cacheBytes())!;
    // Room for all but the oldest; pruned down to 90% of that, the next oldest goes too, the third
    // stays (as long as the cache holds under 890,000 bytes in all).
    expect(total).toBeLessThan(890_000);
    const limits = {
      RESOURCE_CACHE_MAX_AGE_DAYS: "1000000",
      RESOURCE_CACHE_MAX_SIZE: String(total - 80_000),
    };

    await runScheduled(limits);

    expect(await held(oldest)).toEqual(NEITHER);
    expect(await held(older)).toEqual(NEITHER);
    expect(await held(old)).toEqual(BOTH);
    expect(await held(fresh)).toEqual(BOTH);
    expect(await cacheBytes()).toBe(total - 161_000);

    // Under the size now: nothing more goes.
    await runScheduled(limits);
    expect(await held(old)).toEqual(BOTH);
    expect(await cacheBytes()).toBe(total - 161_000);
  });

  it("fills the cache within RESOURCE_CACHE_FILL_SUBREQUESTS, logging what it left out", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const present = randomBytes(66_000);
    const presentSha1 = await cacheResource(present);
    const files = [present, ...Array.from({ length: 4 }, () => randomBytes(67_000))];
    const sha1s = await Promise.all(files.map((data) => digest("SHA-1", data)));
    const zip = await buildZip(files.map((data, i) => ({ name: `f${i}.bin`, data })));
    const log = vi.spyOn(console, "log");

    // Seven calls: the rows' D1 batch, a head for the cached file, head, read and put for the next
    // one; then one head for the third, with no room left to copy it, and nothing for the rest.
    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }], {
      RESOURCE_CACHE_FILL_SUBREQUESTS: "7",
    });

    expect(reply.status).toBe(200);
    expect(sha1s[0]).toBe(presentSha1);
    expect(await held(sha1s[1]!)).toEqual(BOTH);
    for (const sha1 of sha1s.slice(2)) expect(await held(sha1)).toEqual(NEITHER);
    expect(await matched(sha1s)).toEqual(sha1s.slice(0, 2));
    expect(log).toHaveBeenCalledWith(
      JSON.stringify({
        message: "resource cache fill over budget",
        key: `packages/${guid}`,
        cached: 2,
        skipped: 3,
        subrequests: 7,
      }),
    );
    log.mockRestore();
  });
});
