// The resource cache's housekeeping: the cron removes entries unused past RESOURCE_CACHE_MAX_AGE_DAYS
// (a match or an upload naming one counts as use), then the least recently used beyond
// RESOURCE_CACHE_MAX_SIZE, from R2 and D1 together; the fill after an upload stays within
// RESOURCE_CACHE_FILL_SUBREQUESTS. They come first in this file: the size limit counts the whole cache.
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { bitsWorld, cacheResource, packageRow, runScheduled, storedBits, upload } from "./support/bits";
import { NOT_AUTHORIZED, unprocessableBody } from "./support/errors";
import { newUser } from "./support/fixtures";
import { call, cfError } from "./support/http";
import { logLines } from "./support/logs";
import { roundTrips } from "./support/packages";
import { token } from "./support/tokens";
import { buildZip, digest, randomBytes, readZip } from "./support/zip";

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
    expect(logLines(log)).toContainEqual({
      level: "info",
      message: "resource cache fill over budget",
      requestId: reply.headers.get("X-VCAP-Request-ID"),
      key: `packages/${guid}`,
      cached: 2,
      skipped: 3,
      subrequests: 7,
    });
    log.mockRestore();
  });
});

// POST /v3/resource_matches: CC's validation, the cached subset echoed in the client's order, and the
// round trip a cf push makes (upload caches big files, the next push matches them and leaves them out).
const match = async (body: unknown, bearer?: string) =>
  call("POST", "/v3/resource_matches", { token: bearer ?? (await token(newUser())), body });
const resource = (value: unknown, size: unknown = 1) => ({ checksum: { value }, size_in_bytes: size });
const PREAMBLE = "Resources array contains at least one resource with a";

describe("POST /v3/resource_matches", () => {
  it("answers 201 with the cached resources, in request order, echoing path and mode", async () => {
    const first = await cacheResource(randomBytes(70_000));
    const second = await cacheResource(randomBytes(80_000));
    const resources = [
      { checksum: { value: second }, size_in_bytes: 80_000, path: "b/second.bin", mode: "644" },
      { checksum: { value: "0".repeat(40) }, size_in_bytes: 3, path: "not-cached", mode: "644" },
      { checksum: { value: first.toUpperCase() }, size_in_bytes: 70_000, path: "first.bin", mode: "0755" },
      { checksum: { value: first }, size_in_bytes: 70_000 },
    ];

    const reply = await match({ resources });

    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      resources: [
        { checksum: { value: second }, size_in_bytes: 80_000, path: "b/second.bin", mode: "644" },
        { checksum: { value: first.toUpperCase() }, size_in_bytes: 70_000, path: "first.bin", mode: "0755" },
        { checksum: { value: first }, size_in_bytes: 70_000, path: null, mode: null },
      ],
    });
  });

  it("looks up more than a statement's worth of sha1s (chunked) and returns [] when nothing is cached", async () => {
    const cached = await cacheResource(randomBytes(66_000));
    const resources = Array.from({ length: 250 }, (_, i) => resource(i.toString(16).padStart(40, "f"), 10));
    resources[230] = {
      ...resource(cached, 66_000),
      path: "late.bin",
      mode: "600",
    } as (typeof resources)[number];
    const reply = await match({ resources });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      resources: [{ checksum: { value: cached }, size_in_bytes: 66_000, path: "late.bin", mode: "600" }],
    });
    expect((await match({ resources: [resource("e".repeat(40))] })).json).toEqual({ resources: [] });
  });

  it.each([
    ["no resources", {}, "Resources must be an array, Resources must have at least 1 resource"],
    ["an empty list", { resources: [] }, "Resources must have at least 1 resource"],
    ["a string", { resources: "abc" }, "Resources must be an array"],
    [
      "too many",
      { resources: Array.from({ length: 5001 }, () => resource("a".repeat(40))) },
      "Resources can have at most 5000 resources)",
    ],
    [
      "bad checksums and sizes, each message once",
      {
        resources: [
          { size_in_bytes: 1 },
          resource(12),
          resource("abc"),
          resource("a".repeat(40), "1"),
          resource("a".repeat(40), -1),
          resource("b".repeat(40), 1.5),
          "not an object",
        ],
      },
      [
        `${PREAMBLE} non-object checksum`,
        `${PREAMBLE} non-string checksum value`,
        `${PREAMBLE} non-SHA1 checksum value`,
        `${PREAMBLE} non-integer size_in_bytes`,
        `${PREAMBLE} negative size_in_bytes`,
      ].join(", "),
    ],
  ])("422s %s", async (_, body, detail) => {
    const reply = await match(body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("needs a token with write scope", async () => {
    const noToken = await call("POST", "/v3/resource_matches", {
      body: { resources: [resource("a".repeat(40))] },
    });
    expect(noToken.status).toBe(401);
    const reader = await token(newUser(), { scopes: ["cloud_controller.read"] });
    const reply = await match({ resources: [resource("a".repeat(40))] }, reader);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("matches what an earlier upload cached, and a push naming it gets the file back in its package", async () => {
    const { developer, newPackage } = await bitsWorld();
    const big = randomBytes(100_000);
    const sha1 = await digest("SHA-1", big);
    const first = await newPackage();
    const zip = await buildZip([{ name: "vendor/big.bin", data: big, deflate: true }]);
    // Overrides ({}): the call waits for the cache fill the response leaves running.
    expect(
      (await upload(first, developer, [{ name: "bits", filename: "package.zip", data: zip }], {})).status,
    ).toBe(200);

    const wanted = [
      { checksum: { value: sha1 }, size_in_bytes: big.length, path: "vendor/big.bin", mode: "644" },
      {
        checksum: { value: await digest("SHA-1", randomBytes(10)) },
        size_in_bytes: 10,
        path: "new.txt",
        mode: "644",
      },
    ];
    const matched = await match({ resources: wanted }, developer);
    expect(matched.json).toEqual({ resources: [wanted[0]] });

    const second = await newPackage();
    const rest = await buildZip([{ name: "new.txt", data: "fresh\n" }]);
    const reply = await upload(second, developer, [
      { name: "resources", data: JSON.stringify(matched.json.resources) },
      { name: "bits", filename: "package.zip", data: rest },
    ]);
    expect(reply.status).toBe(200);
    const entries = await readZip((await storedBits(second))!);
    expect(entries.map(({ name, mode, data }) => ({ name, mode, size: data.length }))).toEqual([
      { name: "new.txt", mode: 0o100644, size: 6 },
      { name: "vendor/big.bin", mode: 0o100644, size: big.length },
    ]);
    expect(await digest("SHA-1", entries[1]!.data)).toBe(sha1);
  });
});

// POST /v3/packages/:guid/upload and the resource cache: the large files of an upload are cached after
// the response (these calls pass overrides, {}, so they wait for that work), keyed by what their data
// hashes to, whatever the zip's layout; a large file whose data is corrupt fails the upload itself.
/**
 * What the cache holds for `data`: its size and the first offset where it differs from `data` (-1: none).
 * As exact as toEqual on the bytes, which walks them one by one: ~4 s for 600 kB on a loaded machine.
 */
async function cachedCopy(data: Uint8Array): Promise<{ size: number; firstDifference: number } | undefined> {
  const object = await env.BITS.get(`resources/${await digest("SHA-1", data)}`);
  if (!object) return undefined;
  const held = new Uint8Array(await object.arrayBuffer());
  return { size: held.length, firstDifference: held.findIndex((byte, at) => byte !== data[at]) };
}

const exactCopyOf = (data: Uint8Array) => ({ size: data.length, firstDifference: -1 });

async function cachedRow(data: Uint8Array) {
  return env.DB.prepare("SELECT size FROM cached_resources WHERE sha1 = ?")
    .bind(await digest("SHA-1", data))
    .first();
}

describe("uploads fill the resource cache", () => {
  it("caches the large files of an upload for later matches, never symlinks or small files", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const large = randomBytes(65_536);
    const small = randomBytes(1000);
    // A link inside the root, as long as a cacheable file once the cache's minimum is lowered.
    const linked = new TextEncoder().encode(`${"./".repeat(1500)}large.bin`);
    const zip = await buildZip([
      { name: "large.bin", data: large, deflate: true },
      { name: "small.bin", data: small },
      { name: "link", data: linked, mode: 0o120777 },
    ]);

    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }], {
      RESOURCE_MIN_SIZE: "2000",
    });

    expect(reply.status).toBe(200);
    expect(reply.json.state).toBe("READY");
    // The cache's own D1 work runs on its own db, outside the request's figures.
    expect(roundTrips(reply)).toBeLessThanOrEqual(3);
    expect(await cachedCopy(large)).toEqual(exactCopyOf(large));
    expect(await cachedRow(large)).toEqual({ size: 65_536 });
    expect(await cachedCopy(small)).toBeUndefined();
    expect(await cachedCopy(linked)).toBeUndefined();
    expect(await cachedRow(linked)).toBeNull();
  });

  it("reads the Go archive/zip layout the cf CLI sends (data descriptors) and caches its files", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const large = randomBytes(90_000);
    // Deflates to far less than the cache's minimum: only its descriptor tells it is large enough.
    const text = new TextEncoder().encode("log line\n".repeat(10_000));
    const zip = await buildZip([
      { name: "a.txt", data: "a\n", deflate: true, descriptor: true },
      { name: "lib/large.bin", data: large, deflate: true, descriptor: true },
      { name: "log.txt", data: text, deflate: true, descriptor: true },
    ]);

    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }], {});

    expect(reply.status).toBe(200);
    expect(reply.json.data.checksum.value).toBe(await digest("SHA-256", zip));
    expect(await cachedCopy(large)).toEqual(exactCopyOf(large));
    expect(await cachedCopy(text)).toEqual(exactCopyOf(text));
    expect(await cachedCopy(new TextEncoder().encode("a\n"))).toBeUndefined();
  });

  it("caches stored files with descriptors, past look-alike descriptors, from a package completed from the cache", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const fromCache = randomBytes(70_000);
    const sha1 = await cacheResource(fromCache);
    // A descriptor signature inside the data, its compressed size one short of where it stands, and a
    // local header signature after it: the entry must not end there.
    const tricky = randomBytes(80_000);
    tricky.set(
      [0x50, 0x4b, 0x07, 0x08, 1, 2, 3, 4, 0xe7, 0x03, 0, 0, 9, 9, 9, 9, 0x50, 0x4b, 0x03, 0x04],
      1000,
    );
    const second = randomBytes(66_000);
    const zip = await buildZip([
      { name: "tricky.bin", data: tricky, descriptor: true },
      { name: "small.txt", data: "small\n", descriptor: true },
      { name: "second.bin", data: second, descriptor: true },
      { name: "again.bin", data: second, descriptor: true },
    ]);

    const reply = await upload(
      guid,
      developer,
      [
        { name: "resources", data: JSON.stringify([{ fn: "cached.bin", sha1, size: fromCache.length }]) },
        { name: "bits", filename: "package.zip", data: zip },
      ],
      {},
    );

    expect(reply.status).toBe(200);
    const entries = await readZip((await storedBits(guid))!);
    expect(entries.map((entry) => entry.name)).toEqual([
      "tricky.bin",
      "small.txt",
      "second.bin",
      "again.bin",
      "cached.bin",
    ]);
    expect(await cachedCopy(tricky)).toEqual(exactCopyOf(tricky));
    expect(await cachedRow(tricky)).toEqual({ size: 80_000 });
    expect(await cachedCopy(second)).toEqual(exactCopyOf(second));
    expect(await cachedRow(second)).toEqual({ size: 66_000 });
  });

  it("leaves a file the cache holds already as it is, as CC's resource pool does, and records it", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const large = randomBytes(70_000);
    const key = `resources/${await digest("SHA-1", large)}`;
    // In R2 only, with metadata a copy would not carry.
    await env.BITS.put(key, large, { customMetadata: { seeded: "yes" } });
    const zip = await buildZip([{ name: "large.bin", data: large }]);

    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }], {});

    expect(reply.status).toBe(200);
    expect((await env.BITS.head(key))?.customMetadata).toEqual({ seeded: "yes" });
    expect(await cachedRow(large)).toEqual({ size: 70_000 });
  });

  it("inflates files across many fills of the scanner's 64 KiB output buffer, ending on a fill's edge or past it", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const text = (size: number) =>
      new TextEncoder()
        .encode(Array.from({ length: size / 8 }, (_, i) => `${i.toString(36).padStart(7, "0")}\n`).join(""))
        .subarray(0, size);
    // Exactly four fills; then one byte past three, whose inflater was reset right after a full fill.
    const edge = text(4 * 65_536);
    const past = text(3 * 65_536 + 8).subarray(0, 3 * 65_536 + 1);
    // Incompressible: its deflate data spans several of the body's reads as well.
    const random = randomBytes(600_000);
    const zip = await buildZip([
      { name: "edge.txt", data: edge, deflate: true, descriptor: true },
      { name: "past.txt", data: past, deflate: true },
      { name: "random.bin", data: random, deflate: true, descriptor: true },
    ]);

    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }], {});

    expect(reply.status).toBe(200);
    expect(reply.json.state).toBe("READY");
    expect(await cachedCopy(edge)).toEqual(exactCopyOf(edge));
    expect(await cachedRow(edge)).toEqual({ size: 262_144 });
    expect(await cachedCopy(past)).toEqual(exactCopyOf(past));
    expect(await cachedRow(past)).toEqual({ size: 196_609 });
    expect(await cachedCopy(random)).toEqual(exactCopyOf(random));
    expect(await cachedRow(random)).toEqual({ size: 600_000 });
  });

  it("fails the package when a large deflated file's data does not inflate", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const large = new TextEncoder().encode("abcdefgh".repeat(10_000));
    // 0b11 as the first block's type: reserved, so inflating fails at once.
    const packed = new Uint8Array(100).fill(0xff);
    const zip = await buildZip([{ name: "big.txt", data: large, deflate: true, packed }]);

    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }], {});

    const detail = "The app upload is invalid: Invalid zip archive (big.txt: corrupt data).";
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(cfError(160001, "CF-AppBitsUploadInvalid", detail));
    expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error: detail, sha256: null });
    expect(await storedBits(guid)).toBeUndefined();
    expect(await cachedCopy(large)).toBeUndefined();
  });
});
