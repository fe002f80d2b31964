import { describe, expect, it } from "vitest";
import { bitsField, bitsWorld, packageRow, send, storedBits, upload, uploadRequest } from "./support/bits";
import { developersOnlyCases, tokenFor } from "./support/callers";
import {
  BITS_ALREADY_UPLOADED,
  NOT_AUTHORIZED,
  notFoundBody,
  ORG_SUSPENDED,
  unprocessableBody,
} from "./support/errors";
import { addApp, addPackage, createWorld, newUser } from "./support/fixtures";
import { cfError } from "./support/http";
import { token } from "./support/tokens";
import { multipartBody } from "./support/zip";

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
