// Hostile packages (issue 10), scaled down: zip bombs honest or lying about their size, symlinks out of
// the root, entry counts that wrap the end record, zip64 as the cf CLI writes it, corrupt CRCs, resources
// that blow the package up. Each is refused with CC's error, leaves the package FAILED with data.error,
// no bits in R2 and nothing new in the resource cache, and the worker goes on answering.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  bitsField,
  bitsWorld,
  bucketKeys,
  cacheResource,
  HEAVY,
  send,
  storedBits,
  upload,
  uploadRequest,
} from "./support/bits";
import { call, cfError } from "./support/http";
import {
  BOUNDARY,
  buildZip,
  bytes,
  deflate,
  digest,
  type FormField,
  multipartBody,
  randomBytes,
  readZip,
  type ZipFile,
} from "./support/zip";

const MiB = 1024 * 1024;
const uploadInvalid = (detail: string) =>
  cfError(160001, "CF-AppBitsUploadInvalid", `The app upload is invalid: ${detail}`);
const packageInvalid = (detail: string) =>
  cfError(150001, "CF-AppPackageInvalid", `The app package is invalid: ${detail}`);

async function cachedRows(): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM cached_resources").first<{ n: number }>();
  return row!.n;
}

/** The state the upload left: FAILED with `error` as data.error, no bits, the resource cache untouched. */
async function expectRefused(
  guid: string,
  token: string,
  error: string,
  cacheBefore: { keys: string[]; rows: number },
) {
  const shown = await call("GET", `/v3/packages/${guid}`, { token });
  expect(shown.status).toBe(200);
  expect(shown.json.state).toBe("FAILED");
  expect(shown.json.data.error).toBe(error);
  expect(await storedBits(guid)).toBeUndefined();
  expect(await bucketKeys(`packages/${guid}`)).toEqual([]);
  expect(await bucketKeys("resources/")).toEqual(cacheBefore.keys);
  expect(await cachedRows()).toBe(cacheBefore.rows);
}

const cacheNow = async () => ({ keys: await bucketKeys("resources/"), rows: await cachedRows() });

/** 64 MiB of zeros deflated (~64 KiB): a zip bomb at a test's scale, entry claiming `claimedSize`. */
async function bomb(claimedSize?: number): Promise<Uint8Array> {
  const zeros = new Uint8Array(64 * MiB);
  return buildZip([
    { name: "ok.txt", data: "fine\n" },
    { name: "zeros.bin", data: zeros, packed: await deflate(zeros), deflate: true, claimedSize },
  ]);
}

describe("zip bombs: work bounded by MAX_UNZIPPED_PACKAGE_SIZE, whatever the zip claims", () => {
  const limits = { MAX_UNZIPPED_PACKAGE_SIZE: String(32 * MiB) };
  const detail = `Package may not be larger than ${32 * MiB} bytes`;

  it.each([
    ["with honest sizes", undefined],
    ["claiming a few bytes", 5],
    ["claiming a saturated size", 0xffffffff],
  ])(
    "refuses a bomb %s as soon as its content passes the maximum, answering other requests meanwhile",
    async (_, claimedSize) => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const other = await newPackage();
      const zip = await bomb(claimedSize);
      const cacheBefore = await cacheNow();

      const [reply, meanwhile] = await Promise.all([
        upload(guid, developer, [await bitsField(zip)], limits),
        call("GET", `/v3/packages/${other}`, { token: developer }),
      ]);

      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(packageInvalid(detail));
      expect(meanwhile.status).toBe(200);
      expect(meanwhile.json.guid).toBe(other);
      await expectRefused(guid, developer, `The app package is invalid: ${detail}`, cacheBefore);
      const after = await call("GET", `/v3/packages/${other}`, { token: developer });
      expect(after.status).toBe(200);
    },
    HEAVY,
  );

  it("refuses entries that share one entry's data past the maximum (sizes from the central directory)", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const data = randomBytes(1000);
    const zip = await buildZip([{ name: "a.bin", data }]);
    // A second central record pointing at the same local entry, under another name.
    const view = new DataView(zip.buffer);
    const end = zip.length - 22;
    const directoryOffset = view.getUint32(end + 16, true);
    const record = zip.slice(directoryOffset, end);
    record[46] = "b".charCodeAt(0);
    const twice = new Uint8Array(zip.length + record.length);
    twice.set(zip.subarray(0, end));
    twice.set(record, end);
    twice.set(zip.subarray(end), end + record.length);
    const newEnd = new DataView(twice.buffer, end + record.length);
    newEnd.setUint16(8, 2, true);
    newEnd.setUint16(10, 2, true);
    newEnd.setUint32(12, record.length * 2, true);
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, [await bitsField(twice)], {
      MAX_UNZIPPED_PACKAGE_SIZE: "1500",
    });

    expect(reply.json).toEqual(packageInvalid("Package may not be larger than 1500 bytes"));
    await expectRefused(
      guid,
      developer,
      "The app package is invalid: Package may not be larger than 1500 bytes",
      cacheBefore,
    );
  });

  /** A zip of one file whose central directory lists its record `copies` times, counts made to match. */
  async function forgedDirectory(copies: number): Promise<Uint8Array> {
    const zip = await buildZip([{ name: "f", data: "x" }]);
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    const end = zip.length - 22;
    const directoryOffset = view.getUint32(end + 16, true);
    const record = zip.subarray(directoryOffset, end);
    const forged = new Uint8Array(directoryOffset + record.length * copies + 22);
    forged.set(zip.subarray(0, directoryOffset));
    for (let i = 0; i < copies; i++) forged.set(record, directoryOffset + i * record.length);
    const endRecord = zip.slice(end);
    const endView = new DataView(endRecord.buffer);
    endView.setUint16(8, copies, true);
    endView.setUint16(10, copies, true);
    endView.setUint32(12, record.length * copies, true);
    forged.set(endRecord, directoryOffset + record.length * copies);
    return forged;
  }

  it.each<[string, () => Promise<FormField[]>]>([
    [
      "entries, while they stream in",
      async () => [
        await bitsField(await buildZip(Array.from({ length: 11 }, (_, i) => ({ name: `f${i}`, data: "x" })))),
      ],
    ],
    [
      "central directory records, data behind them or not",
      async () => [await bitsField(await forgedDirectory(40))],
    ],
    [
      "resource paths, before the cache is read for them",
      async () => {
        const cached = randomBytes(70_000);
        const sha1 = await cacheResource(cached);
        const resources = Array.from({ length: 11 }, (_, i) => ({
          fn: `copy/${i}`,
          sha1,
          size: cached.length,
        }));
        return [{ name: "resources", data: JSON.stringify(resources) }];
      },
    ],
  ])("refuses more than MAX_PACKAGE_ENTRIES %s", async (_, form) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const fields = await form();
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, fields, { MAX_PACKAGE_ENTRIES: "10" });

    expect(reply.json).toEqual(packageInvalid("Package may not contain more than 10 files"));
    await expectRefused(
      guid,
      developer,
      "The app package is invalid: Package may not contain more than 10 files",
      cacheBefore,
    );
  });
});

describe("every entry checked, as the central directory lists them", () => {
  it.each([
    ["a relative link climbing out", "lib/passwd", "../../../etc/passwd"],
    ["an absolute link", "shadow", "/etc/shadow"],
    ["a link out of its own directory", "a/b/up", "../../.."],
  ])("refuses %s as CC: Symlink(s) point outside of root folder", async (_, name, target) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([
      { name: "inside", data: "a/../lib/x", mode: 0o120777 },
      { name, data: target, mode: 0o120777, deflate: true },
    ]);
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, [await bitsField(zip)]);

    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(uploadInvalid("Symlink(s) point outside of root folder"));
    await expectRefused(
      guid,
      developer,
      "The app upload is invalid: Symlink(s) point outside of root folder",
      cacheBefore,
    );
  });

  it(
    "checks all 70,000 entries though the end record's count wraps to 4,464: the last one climbs out",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const files: ZipFile[] = Array.from({ length: 69_999 }, (_, i) => ({ name: `f/${i}`, data: "" }));
      files.push({ name: "../../../../tmp/evil.sh", data: "#!/bin/sh\n" });
      const zip = await buildZip(files);
      expect(new DataView(zip.buffer).getUint16(zip.length - 12, true)).toBe(4464);
      const cacheBefore = await cacheNow();

      const reply = await upload(guid, developer, [await bitsField(zip)]);

      expect(reply.json).toEqual(uploadInvalid("Relative path(s) outside of root folder"));
      await expectRefused(
        guid,
        developer,
        "The app upload is invalid: Relative path(s) outside of root folder",
        cacheBefore,
      );
    },
    HEAVY,
  );

  it(
    "takes the 65,535 entries of a zip64 archive as Go's archive/zip (the cf CLI) writes it",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const files: ZipFile[] = Array.from({ length: 65_534 }, (_, i) => ({
        name: `f/${i}`,
        data: "",
        descriptor: true,
      }));
      files.push({ name: "main.txt", data: "hello ".repeat(100), deflate: true, descriptor: true });
      const zip = await buildZip(files, { zip64: true });

      const reply = await upload(guid, developer, [await bitsField(zip)]);

      expect(reply.status).toBe(200);
      expect(reply.json.state).toBe("READY");
      const stored = await readZip((await storedBits(guid))!);
      expect(stored.length).toBe(65_535);
      expect(stored[65_534]).toEqual({
        name: "main.txt",
        mode: 0o100644,
        data: bytes("hello ".repeat(100)),
      });
    },
    HEAVY,
  );

  it(
    "writes zip64 end records when cached resources take a package past 65,535 entries",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const cached = randomBytes(70_000);
      const sha1 = await cacheResource(cached);
      const files = Array.from({ length: 65_534 }, (_, i) => ({ name: `f/${i}`, data: "" }));
      const resources = ["lib/a.bin", "lib/b.bin"].map((fn) => ({ fn, sha1, size: cached.length }));

      const reply = await upload(guid, developer, [
        { name: "resources", data: JSON.stringify(resources) },
        await bitsField(await buildZip(files)),
      ]);

      expect(reply.status).toBe(200);
      const bits = (await storedBits(guid))!;
      // The zip64 end locator sits right before the end record, whose count is saturated.
      const view = new DataView(bits.buffer, bits.byteOffset, bits.byteLength);
      expect(view.getUint32(bits.length - 42, true)).toBe(0x07064b50);
      expect(view.getUint16(bits.length - 12, true)).toBe(0xffff);
      const stored = await readZip(bits);
      expect(stored.length).toBe(65_536);
      expect(stored.slice(65_534)).toEqual([
        { name: "lib/a.bin", mode: 0o100744, data: cached },
        { name: "lib/b.bin", mode: 0o100744, data: cached },
      ]);
    },
    HEAVY,
  );

  it.each([
    ["a small stored entry", { name: "a.txt", data: "hello\n" }],
    ["a small deflated entry", { name: "a.txt", data: "hello\n", deflate: true }],
    ["an entry with its sizes in a descriptor", { name: "a.txt", data: "hello\n", descriptor: true }],
    ["an empty entry", { name: "a.txt", data: "" }],
  ])("refuses %s whose CRC-32 is wrong", async (_, file) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([
      { name: "ok.txt", data: "ok\n" },
      { ...file, crc: 0x1234 },
    ]);
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, [await bitsField(zip)]);

    const detail = "Invalid zip archive (a.txt: checksum mismatch).";
    expect(reply.json).toEqual(uploadInvalid(detail));
    await expectRefused(guid, developer, `The app upload is invalid: ${detail}`, cacheBefore);
  });

  it("refuses a local header whose name is not the central directory's", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([{ name: "good.txt", data: "x" }]);
    // The local header's copy of the name (offset 30) differs from the central directory's.
    zip.set(bytes("evil"), 30);
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, [await bitsField(zip)]);

    const detail = "Invalid zip archive (mismatching local filename).";
    expect(reply.json).toEqual(uploadInvalid(detail));
    await expectRefused(guid, developer, `The app upload is invalid: ${detail}`, cacheBefore);
  });

  it("refuses a stored entry whose data holds a descriptor that would end it early", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    // Its compressed size is exactly where it stands: the stream pass ends the entry there and sees
    // what follows as no zip; the central directory disagrees, and an entry it lists went unread.
    const decoy = randomBytes(75_000);
    decoy.set([0x50, 0x4b, 0x07, 0x08, 1, 2, 3, 4, 0xd0, 0x07, 0, 0, 9, 9, 9, 9], 2000);
    const zip = await buildZip([{ name: "decoy.bin", data: decoy, descriptor: true }]);
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, [await bitsField(zip)]);

    const detail = "Invalid zip archive (decoy.bin: local header does not match the central directory).";
    expect(reply.json).toEqual(uploadInvalid(detail));
    await expectRefused(guid, developer, `The app upload is invalid: ${detail}`, cacheBefore);
  });

  it("keeps entries of the same name, as CC's unzip and zip keep them", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([
      { name: "same.txt", data: "first\n" },
      { name: "same.txt", data: "second\n", deflate: true },
    ]);

    const reply = await upload(guid, developer, [await bitsField(zip)]);

    expect(reply.status).toBe(200);
    const stored = await readZip((await storedBits(guid))!);
    expect(stored.map((entry) => new TextDecoder().decode(entry.data))).toEqual(["first\n", "second\n"]);
  });
});

describe("resources: the cached files count into the package", () => {
  it.each([
    ["MAX_UNZIPPED_PACKAGE_SIZE", "pass MAX_UNZIPPED_PACKAGE_SIZE before assembling it"],
    ["MAX_PACKAGE_SIZE", "make the stored zip pass MAX_PACKAGE_SIZE"],
  ])("refuses a package whose cached files pass %s (%s)", async (limit) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const cached = randomBytes(70_000);
    const sha1 = await cacheResource(cached);
    const resources = Array.from({ length: 40 }, (_, i) => ({ fn: `copy/${i}`, sha1, size: cached.length }));
    const cacheBefore = await cacheNow();

    const reply = await upload(guid, developer, [{ name: "resources", data: JSON.stringify(resources) }], {
      [limit]: String(MiB),
    });

    const detail = `Package may not be larger than ${MiB} bytes`;
    expect(reply.json).toEqual(packageInvalid(detail));
    await expectRefused(guid, developer, `The app package is invalid: ${detail}`, cacheBefore);
  });

  it.each([
    ["a size that is not the cached file's", (size: number) => ({ size: size + 1 }), {}],
    ["no size", () => ({}), {}],
    ["a cached file above RESOURCE_MAX_SIZE", (size: number) => ({ size }), { RESOURCE_MAX_SIZE: "69999" }],
    ["a cached file below RESOURCE_MIN_SIZE", (size: number) => ({ size }), { RESOURCE_MIN_SIZE: "70001" }],
  ])("refuses a resource with %s as one the cache does not hold", async (_, size, limits) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const cached = randomBytes(70_000);
    const sha1 = await cacheResource(cached);
    const resources = [{ fn: "lib/x.bin", sha1, ...size(cached.length) }];
    const cacheBefore = await cacheNow();

    const reply = await upload(
      guid,
      developer,
      [{ name: "resources", data: JSON.stringify(resources) }],
      limits,
    );

    const detail = `resource 'lib/x.bin' (sha1 ${sha1}) is not in the resource cache`;
    expect(reply.json).toEqual(uploadInvalid(detail));
    await expectRefused(guid, developer, `The app upload is invalid: ${detail}`, cacheBefore);
  });
});

describe("the resource cache takes files up to RESOURCE_MAX_SIZE", () => {
  it("caches a file at the maximum and skips one above it, the upload READY either way", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const atMax = randomBytes(70_000);
    const above = randomBytes(70_001);
    const zip = await buildZip([
      { name: "at-max.bin", data: atMax },
      { name: "above.bin", data: above, deflate: true, descriptor: true },
    ]);
    const before = await bucketKeys("resources/");

    const reply = await upload(guid, developer, [await bitsField(zip)], { RESOURCE_MAX_SIZE: "70000" });

    expect(reply.status).toBe(200);
    expect(reply.json.state).toBe("READY");
    const added = (await bucketKeys("resources/")).filter((key) => !before.includes(key));
    expect(added).toEqual([`resources/${await digest("SHA-1", atMax)}`]);
  });
});

describe("multipart part headers", () => {
  it("refuses 20 KB of part headers that arrive in one chunk, as when they span chunks", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const body = multipartBody([await bitsField()]);
    const head = bytes(`--${BOUNDARY}\r\nX-Padding: ${"p".repeat(20_000)}\r\n`);
    const padded = new Uint8Array(head.length + body.length - BOUNDARY.length - 4);
    padded.set(head);
    padded.set(body.subarray(BOUNDARY.length + 4), head.length);

    const reply = await send(uploadRequest(guid, developer, padded));

    const detail = "Request invalid due to parse error: invalid multipart body (part headers too long)";
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(cfError(1001, "CF-MessageParseError", detail));
  });
});
