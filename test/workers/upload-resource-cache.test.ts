// POST /v3/packages/:guid/upload and the resource cache: the large files of an upload are cached after
// the response (these calls pass overrides, {}, so they wait for that work), keyed by what their data
// hashes to, whatever the zip's layout; a large file whose data is corrupt fails the upload itself.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bitsWorld, cacheResource, packageRow, storedBits, upload } from "./support/bits";
import { cfError } from "./support/http";
import { roundTrips } from "./support/packages";
import { buildZip, digest, randomBytes, readZip } from "./support/zip";

async function cachedContent(data: Uint8Array): Promise<Uint8Array | undefined> {
  const object = await env.BITS.get(`resources/${await digest("SHA-1", data)}`);
  return object ? new Uint8Array(await object.arrayBuffer()) : undefined;
}

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
    expect(await cachedContent(large)).toEqual(large);
    expect(await cachedRow(large)).toEqual({ size: 65_536 });
    expect(await cachedContent(small)).toBeUndefined();
    expect(await cachedContent(linked)).toBeUndefined();
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
    expect(await cachedContent(large)).toEqual(large);
    expect(await cachedContent(text)).toEqual(text);
    expect(await cachedContent(new TextEncoder().encode("a\n"))).toBeUndefined();
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
    expect(await cachedContent(tricky)).toEqual(tricky);
    expect(await cachedRow(tricky)).toEqual({ size: 80_000 });
    expect(await cachedContent(second)).toEqual(second);
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
    expect(await cachedContent(edge)).toEqual(edge);
    expect(await cachedRow(edge)).toEqual({ size: 262_144 });
    expect(await cachedContent(past)).toEqual(past);
    expect(await cachedRow(past)).toEqual({ size: 196_609 });
    expect(await cachedContent(random)).toEqual(random);
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
    expect(await cachedContent(large)).toBeUndefined();
  });
});
