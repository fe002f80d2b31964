// POST /v3/packages/:guid/upload refused: message errors and who may upload, then failures once the
// package is claimed.
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
} from "../support/bits";
import { developersOnlyCases, tokenFor } from "../support/callers";
import {
  BITS_ALREADY_UPLOADED,
  NOT_AUTHORIZED,
  notFoundBody,
  ORG_SUSPENDED,
  unprocessableBody,
} from "../support/errors";
import { addApp, addPackage, createWorld, newUser } from "../support/fixtures";
import { cfError } from "../support/http";
import { token } from "../support/tokens";
import { buildZip, bytes, multipartBody, randomBytes } from "../support/zip";

// The package is checked before a byte of the body is read (CC checks the message first), so a refused
// client's connection is never left with half a body; message errors then give the package back.
describe("message errors, once the package is claimed", () => {
  it.each([
    [
      "resources that are not JSON",
      [{ name: "resources", data: "[{" }],
      unprocessableBody("Resources must be valid JSON."),
    ],
    ["neither bits nor resources", [], unprocessableBody("Upload must include either resources or bits")],
    [
      "resources blank and no bits",
      [{ name: "resources", data: "[]" }],
      unprocessableBody("Upload must include either resources or bits"),
    ],
    [
      "an unknown field",
      [
        { name: "cached_resources", data: "[]" },
        { name: "resources", data: "[]" },
      ],
      unprocessableBody("Unknown field(s): 'cached_resources'"),
    ],
  ] as const)("%s → 422, the package given back", async (_, fields, expected) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await upload(guid, developer, [...fields]);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(expected);
    expect(await packageRow(guid)).toMatchObject({ state: "AWAITING_UPLOAD", error: null });
  });

  it("404s a package that does not exist before reading a message error (CC would 422)", async () => {
    const { developer } = await bitsWorld();
    const reply = await upload(crypto.randomUUID(), developer, [{ name: "resources", data: "[{" }]);
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Package"));
  });

  it(
    "refuses a resources field past 8 MiB before the bits, reading no more of it, and gives the package back",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const resources = `[${" ".repeat(8 * 1024 * 1024)}]`;
      const reply = await upload(guid, developer, [
        { name: "resources", data: resources },
        await bitsField(),
      ]);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(
        cfError(
          1001,
          "CF-MessageParseError",
          "Request invalid due to parse error: invalid multipart body (resources field too large)",
        ),
      );
      expect(await packageRow(guid)).toMatchObject({ state: "AWAITING_UPLOAD", error: null });
    },
    HEAVY,
  );

  it("gives the package back for a form that cannot be read before the bits", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const body = multipartBody([{ name: "resources", data: "[]" }, await bitsField()]);
    const headerless = new TextDecoder().decode(body).replace('; name="resources"', "");
    const reply = await send(uploadRequest(guid, developer, headerless));
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(
      cfError(
        1001,
        "CF-MessageParseError",
        "Request invalid due to parse error: invalid multipart body (part without a form-data name)",
      ),
    );
    expect(await packageRow(guid)).toMatchObject({ state: "AWAITING_UPLOAD", error: null });
    expect((await upload(guid, developer, [await bitsField()])).status).toBe(200);
  });

  it.each([
    ["70", 70, 200],
    ["71", 71, 400],
  ])("a boundary of %s characters (RFC 2046's bound is 70) → %i", async (_, length, status) => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const boundary = "b".repeat(length);
    const body = multipartBody([await bitsField()], boundary);
    const reply = await send(
      uploadRequest(guid, developer, body, `multipart/form-data; boundary=${boundary}`),
    );
    expect(reply.status).toBe(status);
    if (status === 200) return;
    expect(reply.json).toEqual(
      cfError(
        1001,
        "CF-MessageParseError",
        "Request invalid due to parse error: invalid multipart body (boundary longer than 70 characters)",
      ),
    );
    expect(await packageRow(guid)).toMatchObject({ state: "AWAITING_UPLOAD", error: null });
  });

  it("prefers invalid resources JSON over unknown fields and skips the bits", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await upload(guid, developer, [
      { name: "extra", data: "1" },
      { name: "resources", data: "nope" },
      await bitsField(),
    ]);
    expect(reply.json).toEqual(unprocessableBody("Resources must be valid JSON."));
    expect(await packageRow(guid)).toMatchObject({ state: "AWAITING_UPLOAD" });
    expect(await storedBits(guid)).toBeUndefined();
  });

  it("gives the package back when invalid resources follow the bits: still AWAITING_UPLOAD, no bits", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await upload(guid, developer, [await bitsField(), { name: "resources", data: "{oops" }]);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("Resources must be valid JSON."));
    expect(await packageRow(guid)).toMatchObject({ state: "AWAITING_UPLOAD", error: null });
    expect(await storedBits(guid)).toBeUndefined();
    expect((await upload(guid, developer, [await bitsField()])).status).toBe(200);
  });

  it("treats a body that is not multipart as an empty form", async () => {
    const { developer, newPackage } = await bitsWorld();
    const guid = await newPackage();
    const reply = await send(uploadRequest(guid, developer, '{"resources":"[]"}', "application/json"));
    expect(reply.json).toEqual(unprocessableBody("Upload must include either resources or bits"));
  });
});

describe("who may upload, then the package's type and state", () => {
  it.each(developersOnlyCases(200))("%s → %i", async (role, status) => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const reply = await upload(guid, await tokenFor(world, role), [await bitsField()]);
    expect(reply.status).toBe(status);
    if (status === 403) expect(reply.json).toEqual(NOT_AUTHORIZED);
    if (status === 404) expect(reply.json).toEqual(notFoundBody("Package"));
    expect((await packageRow(guid)).state).toBe(status === 200 ? "READY" : "AWAITING_UPLOAD");
  });

  it.each([
    ["admin", 200, ["cloud_controller.admin"]],
    ["admin_read_only", 403, ["cloud_controller.admin_read_only", "cloud_controller.write"]],
    ["global_auditor", 403, ["cloud_controller.global_auditor", "cloud_controller.write"]],
    ["a token without write scope", 403, ["cloud_controller.read"]],
  ] as const)("%s → %i", async (_, status, scopes) => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const reply = await upload(guid, await token(newUser(), { scopes: [...scopes] }), [await bitsField()]);
    expect(reply.status).toBe(status);
    if (status === 403) expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("decides before reading the body: a body that is not even multipart gets the refusal", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const auditor = await tokenFor(world, "space_auditor");
    const reply = await send(uploadRequest(guid, auditor, "--nope", "multipart/form-data; boundary=x"));
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
    expect((await packageRow(guid)).state).toBe("AWAITING_UPLOAD");
  });

  it("404s a package that does not exist, and a user with no role", async () => {
    const { developer } = await bitsWorld();
    expect((await upload(crypto.randomUUID(), developer, [await bitsField()])).json).toEqual(
      notFoundBody("Package"),
    );
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    expect((await upload(guid, await token(newUser()), [await bitsField()])).json).toEqual(
      notFoundBody("Package"),
    );
  });

  it("403s a space developer of a suspended organization (CF-OrgSuspended); admins still upload", async () => {
    const world = await createWorld({ orgStatus: "suspended" });
    const guid = await addPackage(world.appGuid);
    const reply = await upload(guid, await tokenFor(world, "space_developer"), [await bitsField()]);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(ORG_SUSPENDED);
    expect((await upload(guid, await tokenFor(world, "admin"), [await bitsField()])).status).toBe(200);
  });

  it("422s a docker package and 400s (150004) a package that is past AWAITING_UPLOAD", async () => {
    const { world, developer } = await bitsWorld();
    const dockerApp = await addApp(world.spaceGuid, "docker");
    const docker = await addPackage(dockerApp, {
      type: "docker",
      dockerImage: "cloudfoundry/diego-docker-app",
    });
    expect((await upload(docker, developer, [await bitsField()])).json).toEqual(
      unprocessableBody("Package type must be bits."),
    );
    for (const state of ["PROCESSING_UPLOAD", "READY", "FAILED", "COPYING", "EXPIRED"] as const) {
      const guid = await addPackage(world.appGuid, { state });
      const reply = await upload(guid, developer, [await bitsField()]);
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(BITS_ALREADY_UPLOADED);
      expect((await packageRow(guid)).state).toBe(state);
    }
  });
});

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

// Failing once the package is claimed (too large, cut off, malformed, not a zip, unsafe paths, resources
// the cache lacks): the package is left FAILED with data.error, no bits in R2.
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
