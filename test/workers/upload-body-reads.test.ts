// POST /v3/packages/:guid/upload read into one reused buffer: a delimiter split by a read at every point,
// a part body spanning many reads, a body that comes one byte at a time. Request bodies given as bytes
// are read BYOB; bodies given as a JavaScript stream are copied into the buffer, whose reads then end
// exactly where the buffer is full (the first read after the 2 bytes of CRLF the search starts with).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { BUFFER_SIZE } from "../../src/packages/upload/multipart";
import { bitsWorld, send, storedBits, uploadRequest } from "./support/bits";
import { buildZip, bytes, digest, multipartBody, randomBytes, readZip } from "./support/zip";

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

    expect(reply.status).toBe(200);
    expect(stored).toEqual(zip);
    const cached = await env.BITS.get(`resources/${await digest("SHA-1", large)}`);
    expect(cached && new Uint8Array(await cached.arrayBuffer())).toEqual(large);
  });
});
