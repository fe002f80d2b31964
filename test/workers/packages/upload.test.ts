// POST /v3/packages/:guid/upload, the happy paths: the layouts real clients send, checksums of what was
// stored, multi-part sized bodies, resources from the cache with their modes, and the one-winner race.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUFFER_SIZE } from "../../../src/packages/upload/multipart";
import {
  bitsWorld,
  cacheResource,
  HEAVY,
  packageRow,
  runScheduled,
  send,
  setTimes,
  storedBits,
  upload,
  uploadRequest,
} from "../support/bits";
import { cfError, TIMESTAMP } from "../support/http";
import { packageJson, roundTrips } from "../support/packages";
import { buildZip, bytes, digest, multipartBody, randomBytes, readZip } from "../support/zip";

async function readyData(zip: Uint8Array) {
  return { error: null, checksum: { type: "sha256", value: await digest("SHA-256", zip) } };
}

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

// POST /v3/packages/:guid/upload read into one reused buffer: a delimiter split by a read at every point,
// a part body spanning many reads, a body that comes one byte at a time. Request bodies given as bytes
// are read BYOB; bodies given as a JavaScript stream are copied into the buffer, whose reads then end
// exactly where the buffer is full (the first read after the 2 bytes of CRLF the search starts with).
const BOUNDARY = "xy";
const DELIMITER = `\r\n--${BOUNDARY}`;
// The CRLF the delimiter search starts with takes the buffer's first bytes.
const CRLF_BYTES = 2;
const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

/** The body as one JavaScript stream, in chunks of `size` bytes (the whole body in one by default). */
function streamed(body: Uint8Array, size = body.length): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= body.length) return controller.close();
      controller.enqueue(body.slice(at, at + size));
      at += size;
    },
  });
}

const bodyKinds = [
  { kind: "bytes (read BYOB)", as: (body: Uint8Array): BodyInit => body },
  { kind: "a JavaScript stream (copied)", as: (body: Uint8Array): BodyInit => streamed(body) },
];

/** sha256 and length: toEqual over hundreds of KiB element by element takes seconds. */
const fingerprint = async (data: Uint8Array | undefined) =>
  data && { sha256: await digest("SHA-256", data), length: data.length };

async function uploaded(body: BodyInit, overrides?: Partial<Cloudflare.Env>) {
  const { developer, newPackage } = await bitsWorld();
  const guid = await newPackage();
  const reply = await send(uploadRequest(guid, developer, body, CONTENT_TYPE), overrides);
  return { reply, stored: await storedBits(guid) };
}

describe.each(bodyKinds)("an upload body sent as $kind", ({ as }) => {
  it("finds the delimiter after the bits wherever the end of a read splits it", async () => {
    const zip = await buildZip([{ name: "app.bin", data: randomBytes(BUFFER_SIZE - 1500) }]);
    const form = (filename: string) => multipartBody([{ name: "bits", filename, data: zip }], BOUNDARY);
    const closing = `${DELIMITER}--\r\n`.length;
    const shortest = form("a.zip").length - closing;
    // The closing delimiter starts `inFirstRead` bytes before the first read ends: none, part, all of it.
    for (let inFirstRead = 0; inFirstRead <= DELIMITER.length; inFirstRead++) {
      const padding = BUFFER_SIZE - CRLF_BYTES - inFirstRead - shortest;
      const body = form(`${"a".repeat(1 + padding)}.zip`);
      expect(body.length - closing).toBe(BUFFER_SIZE - CRLF_BYTES - inFirstRead);

      const { reply, stored } = await uploaded(as(body));

      expect({ inFirstRead, status: reply.status, state: reply.json.state }).toEqual({
        inFirstRead,
        status: 200,
        state: "READY",
      });
      expect(await fingerprint(stored)).toEqual(await fingerprint(zip));
    }
  });

  it("stores a bits part spanning many reads, look-alike delimiters across their ends", async () => {
    // Near misses of the delimiter, the last cut short so the next read must complete (or refute) it.
    const lookAlikes = bytes(`\r\n--x\r\n-xy\r\n--X${DELIMITER.slice(0, 4)}`);
    const data = new Uint8Array(4 * BUFFER_SIZE + 123);
    for (let at = 0; at < data.length; at += lookAlikes.length + 97)
      data.set(lookAlikes.subarray(0, data.length - at), at);
    const zip = await buildZip([{ name: "tricky.bin", data }]);
    const body = multipartBody(
      [
        { name: "resources", data: "[]" },
        { name: "bits", filename: "package.zip", data: zip },
      ],
      BOUNDARY,
    );

    const { reply, stored } = await uploaded(as(body));

    expect(reply.status).toBe(200);
    expect(reply.json.data.checksum.value).toBe(await digest("SHA-256", zip));
    expect(await fingerprint(stored)).toEqual(await fingerprint(zip));
    expect(await fingerprint((await readZip(stored!))[0]!.data)).toEqual(await fingerprint(data));
  });
});

/** The upload answered 200, stored the zip as sent, and cached `file` under its sha1. */
async function expectStoredWithCachedFile(
  reply: { status: number },
  stored: Uint8Array | undefined,
  zip: Uint8Array,
  file: Uint8Array,
) {
  expect(reply.status).toBe(200);
  expect(stored).toEqual(zip);
  const cached = await env.BITS.get(`resources/${await digest("SHA-1", file)}`);
  expect(cached && new Uint8Array(await cached.arrayBuffer())).toEqual(file);
}

describe("an upload body that arrives one byte at a time", () => {
  it("is stored whole, and the files it holds are digested right for the cache", async () => {
    // Sizes in data descriptors: the scanner holds an entry's bytes until it knows its size, and keeps
    // them across reads that reuse the buffer they came in.
    const large = randomBytes(3000);
    const zip = await buildZip([
      { name: "a.txt", data: "a\n", descriptor: true },
      { name: "large.bin", data: large, deflate: true, descriptor: true },
    ]);
    const body = multipartBody([{ name: "bits", filename: "package.zip", data: zip }], BOUNDARY);

    const { reply, stored } = await uploaded(streamed(body, 1), { RESOURCE_MIN_SIZE: "1024" });

    await expectStoredWithCachedFile(reply, stored, zip, large);
  });

  it("finds the end of part headers of hundreds of lines, each read ending anywhere", async () => {
    const zip = await buildZip([{ name: "a.txt", data: "a\n" }]);
    const head = bytes(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="bits"; filename="p.zip"\r\n` +
        `${"X-P: p\r\n".repeat(500)}\r\n`,
    );
    const tail = bytes(`${DELIMITER}--\r\n`);
    const body = new Uint8Array(head.length + zip.length + tail.length);
    body.set(head);
    body.set(zip, head.length);
    body.set(tail, head.length + zip.length);

    const { reply, stored } = await uploaded(streamed(body, 1));

    expect(reply.status).toBe(200);
    expect(stored).toEqual(zip);
  });

  it("reads local headers of thousands of bytes, kept across as many reads, as they were sent", async () => {
    // The scanner keeps a header's bytes until it has all of them, appending each read to what it kept.
    const large = randomBytes(1500);
    const zip = await buildZip([
      { name: `${"d".repeat(3000)}/a.txt`, data: "a\n" },
      { name: `${"n".repeat(2500)}.bin`, data: large, deflate: true },
    ]);
    const body = multipartBody([{ name: "bits", filename: "package.zip", data: zip }], BOUNDARY);

    const { reply, stored } = await uploaded(streamed(body, 1), { RESOURCE_MIN_SIZE: "1024" });

    await expectStoredWithCachedFile(reply, stored, zip, large);
  });
});

// Uploads that outlast PACKAGE_STUCK_TIMEOUT_SECONDS: a live one renews its claim as its body streams
// in, so the watchdog leaves it alone; one that stops streaming (its isolate died) is failed by the
// watchdog, and the R2 multipart upload it had open is aborted, parts and all. The request body is a
// stream the test feeds piece by piece, with pauses.
const TIMEOUT = { PACKAGE_STUCK_TIMEOUT_SECONDS: "3" };
const now = () => Math.floor(Date.now() / 1000);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body fed piece by piece: `send` enqueues the next bytes, `end` closes it, `fail` errors it. */
function feeder() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
  });
  return {
    body,
    send: (bytes: Uint8Array) => controller.enqueue(bytes),
    end: () => controller.close(),
    fail: (reason: Error) => controller.error(reason),
  };
}

/** A form whose bits pass one 5 MiB R2 part: the upload goes multipart. */
async function largeForm(): Promise<{ zip: Uint8Array; form: Uint8Array }> {
  const zip = await buildZip([
    { name: "big.bin", data: randomBytes(6 * 1024 * 1024) },
    { name: "tail.txt", data: "tail\n" },
  ]);
  return { zip, form: multipartBody([{ name: "bits", filename: "package.zip", data: zip }]) };
}

const multipartUploadId = async (guid: string) =>
  (
    await env.DB.prepare("SELECT multipart_upload_id AS id FROM packages WHERE guid = ?")
      .bind(guid)
      .first<{ id: string | null }>()
  )?.id;

async function recordedUploadId(guid: string): Promise<string> {
  for (let tries = 0; tries < 200; tries++) {
    const id = await multipartUploadId(guid);
    if (id) return id;
    await pause(50);
  }
  throw new Error(`no multipart upload recorded for ${guid}`);
}

describe("an upload's multipart upload", () => {
  it(
    "is aborted and forgotten when the upload fails in its request",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const { form } = await largeForm();
      const { body, send: feed, fail } = feeder();
      const reply = send(uploadRequest(guid, developer, body), {});

      feed(form.subarray(0, 5.5 * 1024 * 1024));
      const uploadId = await recordedUploadId(guid);
      fail(new Error("client went away"));
      const answer = await reply;

      expect(answer.status).toBe(400);
      const detail =
        "The app upload is invalid: upload interrupted before the body was complete (client went away)";
      expect(answer.json).toEqual(cfError(160001, "CF-AppBitsUploadInvalid", detail));
      expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error: detail });
      expect(await multipartUploadId(guid)).toBeNull();
      await expect(
        env.BITS.resumeMultipartUpload(`packages/${guid}`, uploadId).uploadPart(1, new Uint8Array(1)),
      ).rejects.toThrow("The specified multipart upload does not exist.");
    },
    HEAVY,
  );
});

describe("uploads that outlast the watchdog's timeout", () => {
  it(
    "renew their claim while the body streams: the watchdog leaves them and they end READY",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const { zip, form } = await largeForm();
      const { body, send: feed, end } = feeder();
      const reply = send(uploadRequest(guid, developer, body), TIMEOUT);

      // Twenty pieces 0.4 s apart; the watchdog runs past the 3 s timeout, before the bits reach one
      // R2 part (only renewals keep the claim), and again once they went multipart.
      const piece = Math.ceil(form.length / 20);
      for (let i = 0; i < 19; i++) {
        feed(form.subarray(i * piece, (i + 1) * piece));
        await pause(400);
        if (i === 12) {
          expect(now() - (await packageRow(guid)).created_at).toBeGreaterThan(3);
          expect(await multipartUploadId(guid)).toBeNull();
          await runScheduled(TIMEOUT);
          expect(await packageRow(guid)).toMatchObject({ state: "PROCESSING_UPLOAD", error: null });
        }
      }
      const uploadId = await recordedUploadId(guid);
      await runScheduled(TIMEOUT);
      expect(await packageRow(guid)).toMatchObject({ state: "PROCESSING_UPLOAD", error: null });

      feed(form.subarray(19 * piece));
      end();
      const answer = await reply;

      expect(answer.status).toBe(200);
      expect(answer.json.state).toBe("READY");
      expect(await packageRow(guid)).toMatchObject({
        state: "READY",
        error: null,
        sha1: await digest("SHA-1", zip),
        bits_size: zip.length,
      });
      expect(await multipartUploadId(guid)).toBeNull();
      expect(await digest("SHA-256", (await storedBits(guid))!)).toBe(await digest("SHA-256", zip));
      // The multipart upload is complete: it takes no more parts.
      await expect(
        env.BITS.resumeMultipartUpload(`packages/${guid}`, uploadId).uploadPart(1, new Uint8Array(1)),
      ).rejects.toThrow("The specified multipart upload does not exist.");
    },
    HEAVY,
  );

  it(
    "are failed by the watchdog once they stop streaming, their multipart upload aborted",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const { form } = await largeForm();
      const { body, send: feed, end } = feeder();
      const reply = send(uploadRequest(guid, developer, body), TIMEOUT);

      // Past the first 5 MiB part, then nothing: as if the isolate streaming it had died.
      feed(form.subarray(0, 5.5 * 1024 * 1024));
      const uploadId = await recordedUploadId(guid);
      const key = `packages/${guid}`;
      const uploaded = env.BITS.resumeMultipartUpload(key, uploadId);
      const part = await uploaded.uploadPart(2, new Uint8Array(16));
      expect(part.partNumber).toBe(2);
      await setTimes(guid, now() - 60, now() - 10);

      await runScheduled(TIMEOUT);

      const error = "upload did not finish within 3 seconds";
      expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error });
      expect(await multipartUploadId(guid)).toBeNull();
      await expect(uploaded.uploadPart(3, new Uint8Array(16))).rejects.toThrow(
        "The specified multipart upload does not exist.",
      );
      await expect(uploaded.complete([part])).rejects.toThrow(
        "The specified multipart upload does not exist.",
      );

      // Should the request live on after all, its next renewal tells it the upload is over.
      await pause(1100);
      feed(form.subarray(5.5 * 1024 * 1024));
      end();
      const answer = await reply;
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(
        cfError(160001, "CF-AppBitsUploadInvalid", `The app upload is invalid: ${error}`),
      );
      expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error });
      expect(await storedBits(guid)).toBeUndefined();
    },
    HEAVY,
  );
});
