// POST /v3/packages/:guid/upload, the happy paths: the layouts real clients send, checksums of what was
// stored, multi-part sized bodies, resources from the cache with their modes, and the one-winner race.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  bitsWorld,
  cacheResource,
  packageRow,
  send,
  storedBits,
  upload,
  uploadRequest,
} from "./support/bits";
import { cfError, TIMESTAMP } from "./support/http";
import { packageJson, roundTrips } from "./support/packages";
import { buildZip, digest, multipartBody, randomBytes, readZip } from "./support/zip";

async function readyData(zip: Uint8Array) {
  return { error: null, checksum: { type: "sha256", value: await digest("SHA-256", zip) } };
}

// Multi-megabyte bodies through R2: slow on a loaded machine, so a generous timeout.
const HEAVY = 60_000;

describe("uploading bits", () => {
  it("stores a go-cfclient upload (bits only) and answers the READY package", async () => {
    const { world, developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([
      { name: "index.js", data: "console.log('hi')\n", deflate: true },
      { name: "lib/", data: "" },
      { name: "lib/util.js", data: "module.exports = 1\n" },
    ]);

    const reply = await upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }]);

    expect(reply.status).toBe(200);
    expect(reply.json.updated_at).toMatch(TIMESTAMP);
    expect(reply.json).toEqual(
      packageJson({
        guid,
        appGuid: world.appGuid,
        createdAt: reply.json.created_at,
        updatedAt: reply.json.updated_at,
        state: "READY",
        data: await readyData(zip),
      }),
    );
    expect(await storedBits(guid)).toEqual(zip);
    expect(await packageRow(guid)).toMatchObject({
      state: "READY",
      sha1: await digest("SHA-1", zip),
      sha256: await digest("SHA-256", zip),
      bits_size: zip.length,
      error: null,
    });
    expect(roundTrips(reply)).toBeLessThanOrEqual(3);
  });

  it("accepts the cf CLI layout: resources first (none matched), then bits as package.zip", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([{ name: "app.rb", data: "puts 1\n", mode: 0o100755 }]);

    const reply = await upload(guid, developer, [
      { name: "resources", data: "[]" },
      { name: "bits", filename: "package.zip", data: zip },
    ]);

    expect(reply.status).toBe(200);
    expect(reply.json.state).toBe("READY");
    expect(reply.json.data).toEqual(await readyData(zip));
    expect(await storedBits(guid)).toEqual(zip);
  });

  it(
    "streams a body larger than one R2 part into equal parts and checksums all of it",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const zip = await buildZip([
        { name: "big.bin", data: randomBytes(11 * 1024 * 1024 + 12345) },
        { name: "small.txt", data: "tail\n" },
      ]);

      const reply = await upload(guid, developer, [{ name: "bits", filename: "app.zip", data: zip }]);

      expect(reply.status).toBe(200);
      expect(reply.json.data).toEqual(await readyData(zip));
      const stored = await env.BITS.head(`packages/${guid}`);
      expect(stored?.size).toBe(zip.length);
      expect(await packageRow(guid)).toMatchObject({
        sha1: await digest("SHA-1", zip),
        bits_size: zip.length,
      });
      expect(await digest("SHA-256", (await storedBits(guid))!)).toBe(await digest("SHA-256", zip));
    },
    HEAVY,
  );

  it("completes the package with cached resources (v3 form), each with the mode the client sent", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const cachedContent = randomBytes(70_000);
    const sha1 = await cacheResource(cachedContent);
    const zip = await buildZip([{ name: "main.go", data: "package main\n", deflate: true }]);
    const resources = [
      { path: "vendor/lib.so", mode: "600", checksum: { value: sha1 }, size_in_bytes: 70_000 },
    ];

    const reply = await upload(guid, developer, [
      { name: "resources", data: JSON.stringify(resources) },
      { name: "bits", filename: "package.zip", data: zip },
    ]);

    expect(reply.status).toBe(200);
    const stored = (await storedBits(guid))!;
    expect(reply.json.data).toEqual(await readyData(stored));
    expect(await packageRow(guid)).toMatchObject({
      sha1: await digest("SHA-1", stored),
      bits_size: stored.length,
    });
    const entries = await readZip(stored);
    expect(entries.map(({ name, mode }) => ({ name, mode }))).toEqual([
      { name: "main.go", mode: 0o100644 },
      { name: "vendor/lib.so", mode: 0o100600 },
    ]);
    expect(entries[1]!.data).toEqual(cachedContent);
  });

  it("builds the whole package from the cache for a resources-only upload (v2 form), bits sent last", async () => {
    const { developer, newPackage } = await bitsWorld();
    const first = randomBytes(65_536);
    const second = new TextEncoder().encode("x".repeat(100_000));
    const resources = [
      { fn: "bin/run", sha1: await cacheResource(first), size: first.length, mode: "755" },
      { fn: "data.txt", sha1: await cacheResource(second), size: second.length },
    ];

    const guid = await newPackage();
    const reply = await upload(guid, developer, [{ name: "resources", data: JSON.stringify(resources) }]);

    expect(reply.status).toBe(200);
    expect(reply.json.state).toBe("READY");
    const entries = await readZip((await storedBits(guid))!);
    expect(entries).toEqual([
      { name: "bin/run", mode: 0o100755, data: first },
      // No mode: CC's default, 0744.
      { name: "data.txt", mode: 0o100744, data: second },
    ]);
  });

  it("accepts bits before resources, and a cached file replacing an uploaded entry of the same path", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const cached = randomBytes(66_000);
    const sha1 = await cacheResource(cached);
    const zip = await buildZip([
      { name: "keep.txt", data: "keep\n" },
      { name: "swap.bin", data: "old\n" },
    ]);

    const reply = await upload(guid, developer, [
      { name: "bits", filename: "package.zip", data: zip },
      {
        name: "resources",
        data: JSON.stringify([{ fn: "swap.bin", sha1, size: cached.length, mode: "644" }]),
      },
    ]);

    expect(reply.status).toBe(200);
    const entries = await readZip((await storedBits(guid))!);
    expect(entries.map((entry) => entry.name)).toEqual(["keep.txt", "swap.bin"]);
    expect(entries[1]!.data).toEqual(cached);
  });

  it("lets exactly one of several concurrent uploads proceed; the others get 150004", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zips = await Promise.all(
      [1, 2, 3, 4].map((n) => buildZip([{ name: `f${n}.txt`, data: `${n}\n` }])),
    );

    const replies = await Promise.all(
      zips.map((zip) => upload(guid, developer, [{ name: "bits", filename: "package.zip", data: zip }])),
    );

    const winners = replies.filter((reply) => reply.status === 200);
    expect(winners).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) {
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(
        cfError(
          150004,
          "CF-PackageBitsAlreadyUploaded",
          "Bits may be uploaded only once. Create a new package to upload different bits.",
        ),
      );
    }
    const stored = (await storedBits(guid))!;
    expect(winners[0]!.json.data.checksum.value).toBe(await digest("SHA-256", stored));
  });

  it("parses a body that arrives in tiny chunks, with a quoted boundary, a preamble and near-miss delimiters", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const boundary = "q-b0undary";
    // File content that keeps almost matching the delimiter.
    const tricky = new TextEncoder().encode(
      `\r\n--q-b0und\r\n--q-b0undar\r\n-q-b0undary\r\n--Q-b0undary`.repeat(50),
    );
    const zip = await buildZip([{ name: "tricky.txt", data: tricky }]);
    const form = multipartBody([{ name: "bits", filename: "package.zip", data: zip }], boundary);
    const body = new Uint8Array([
      ...new TextEncoder().encode("preamble to ignore\r\n"),
      ...form,
      ...new TextEncoder().encode("epilogue"),
    ]);
    let at = 0;
    const trickle = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (at >= body.length) return controller.close();
        const size = 1 + (at % 13);
        controller.enqueue(body.slice(at, at + size));
        at += size;
      },
    });

    const reply = await send(
      uploadRequest(guid, developer, trickle, `multipart/form-data; boundary="${boundary}"`),
      {},
    );

    expect(reply.status).toBe(200);
    expect(await storedBits(guid)).toEqual(zip);
    expect((await readZip(zip))[0]!.data).toEqual(tricky);
  });
});
