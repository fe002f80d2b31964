// POST /v3/packages/:guid/upload failing once the package is claimed (too large, cut off, malformed, not a
// zip, unsafe paths, resources the cache lacks): the package is left FAILED with data.error, no bits in R2.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  bitsField,
  bitsWorld,
  HEAVY,
  packageRow,
  send,
  storedBits,
  upload,
  uploadRequest,
} from "./support/bits";
import { tokenFor } from "./support/callers";
import { BITS_ALREADY_UPLOADED, NOT_AUTHORIZED } from "./support/errors";
import { addPackage, createWorld } from "./support/fixtures";
import { cfError } from "./support/http";
import { buildZip, bytes, multipartBody, randomBytes } from "./support/zip";

const uploadInvalid = (detail: string) =>
  cfError(160001, "CF-AppBitsUploadInvalid", `The app upload is invalid: ${detail}`);

/** A body that sends `head` and then fails, as a client that goes away mid-upload. */
function brokenBody(head: Uint8Array): ReadableStream<Uint8Array> {
  let sent = false;
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error("connection reset by peer"));
      sent = true;
      controller.enqueue(head);
    },
  });
}

async function expectFailedWithoutBits(guid: string, error: string) {
  expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error, sha256: null });
  expect(await storedBits(guid)).toBeUndefined();
  const queued = await env.DB.prepare("SELECT key FROM blob_deletions WHERE key = ?")
    .bind(`packages/${guid}`)
    .first();
  expect(queued).toBeNull();
}

describe("failures after the claim leave the package FAILED with no bits", () => {
  const tooLarge = (max: number) =>
    cfError(
      150001,
      "CF-AppPackageInvalid",
      `The app package is invalid: Package may not be larger than ${max} bytes`,
    );

  it("refuses a declared Content-Length over MAX_PACKAGE_SIZE up front", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await upload(guid, developer, [await bitsField()], { MAX_PACKAGE_SIZE: "100" });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(tooLarge(100));
    await expectFailedWithoutBits(
      guid,
      "The app package is invalid: Package may not be larger than 100 bytes",
    );
  });

  it(
    "counts a streamed body of unknown length and stops it past the limit, mid-part",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const body = multipartBody([await bitsField(randomBytes(6 * 1024 * 1024))]);
      const max = 5 * 1024 * 1024 + 100;
      const reply = await send(uploadRequest(guid, developer, new Blob([body]).stream()), {
        MAX_PACKAGE_SIZE: String(max),
      });
      expect(reply.json).toEqual(tooLarge(max));
      await expectFailedWithoutBits(
        guid,
        `The app package is invalid: Package may not be larger than ${max} bytes`,
      );
    },
    HEAVY,
  );

  it("does not fail someone else's package for an oversized body", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const manager = await tokenFor(world, "space_manager");
    const reply = await upload(guid, manager, [await bitsField()], { MAX_PACKAGE_SIZE: "100" });
    expect(reply.json).toEqual(NOT_AUTHORIZED);
    expect((await packageRow(guid)).state).toBe("AWAITING_UPLOAD");
  });

  it(
    "fails the package when the client goes away mid-stream, past the first R2 part",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const head = multipartBody([await bitsField(randomBytes(6 * 1024 * 1024))]);
      // Straight to the handler: through a socket the cut-off reaches the worker as an early end of body.
      const reply = await send(
        uploadRequest(guid, developer, brokenBody(head.subarray(0, head.length - 100))),
        {},
      );
      expect(reply.status).toBe(400);
      expect(reply.json.errors[0].title).toBe("CF-AppBitsUploadInvalid");
      const row = await packageRow(guid);
      expect(row.error).toMatch(
        /^The app upload is invalid: upload interrupted before the body was complete/,
      );
      await expectFailedWithoutBits(guid, row.error!);
    },
    HEAVY,
  );

  it("fails the package on a body that ends inside the bits part", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const body = multipartBody([await bitsField()]);
    const reply = await send(uploadRequest(guid, developer, body.subarray(0, body.length - 30)));
    const detail = "Request invalid due to parse error: invalid multipart body (body ends inside a part)";
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(cfError(1001, "CF-MessageParseError", detail));
    await expectFailedWithoutBits(guid, detail);
  });

  it.each([
    [
      "bits that are not a zip",
      () => bytes("definitely not a zip"),
      "Invalid zip archive (end-of-central-directory signature not found).",
    ],
    ["an empty zip", () => buildZip([]), "Invalid zip archive (zipfile is empty)."],
    [
      "a path climbing out of the root",
      () => buildZip([{ name: "app/../../etc/passwd", data: "x" }]),
      "Relative path(s) outside of root folder",
    ],
    [
      "an absolute path",
      () => buildZip([{ name: "/etc/passwd", data: "x" }]),
      "Relative path(s) outside of root folder",
    ],
    [
      "a Windows drive path",
      () => buildZip([{ name: "C:\\evil.bat", data: "x" }]),
      "Relative path(s) outside of root folder",
    ],
  ])("fails the package for %s", async (_, zip, reason) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await upload(guid, developer, [await bitsField(await zip())]);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(uploadInvalid(reason));
    await expectFailedWithoutBits(guid, `The app upload is invalid: ${reason}`);
  });

  it("fails the package when a cached file's data is corrupt", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const zip = await buildZip([{ name: "big.bin", data: randomBytes(70_000) }]);
    zip[40_000] = zip[40_000]! ^ 0xff;
    const reply = await upload(guid, developer, [await bitsField(zip)]);
    expect(reply.json).toEqual(uploadInvalid("Invalid zip archive (big.bin: checksum mismatch)."));
    await expectFailedWithoutBits(
      guid,
      "The app upload is invalid: Invalid zip archive (big.bin: checksum mismatch).",
    );
  });

  it.each([
    [
      "a resource the cache does not hold",
      [{ path: "lib/x.so", mode: "644", checksum: { value: "a".repeat(40) }, size_in_bytes: 70_000 }],
      uploadInvalid(`resource 'lib/x.so' (sha1 ${"a".repeat(40)}) is not in the resource cache`),
    ],
    [
      "a resource mode below 0600",
      [{ fn: "x", sha1: "b".repeat(40), size: 1, mode: "344" }],
      cfError(
        160003,
        "CF-AppResourcesFileModeInvalid",
        "The resource file mode is invalid: File mode '344' is invalid. Minimum file mode is '0600'",
      ),
    ],
    [
      "a resource path outside the root",
      [{ fn: "../x", sha1: "b".repeat(40), size: 1 }],
      cfError(
        160004,
        "CF-AppResourcesFilePathInvalid",
        "The resource file path is invalid: File path '../x' is not safe.",
      ),
    ],
    ["resources that are not a list", { fn: "x" }, uploadInvalid("invalid :resources")],
  ])("fails the package for %s", async (_, resources, expected) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await upload(guid, developer, [
      { name: "resources", data: JSON.stringify(resources) },
      await bitsField(),
    ]);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(expected);
    await expectFailedWithoutBits(guid, expected.errors[0]!.detail);
    expect((await upload(guid, developer, [await bitsField()])).json).toEqual(BITS_ALREADY_UPLOADED);
  });
});
