// GET /v3/packages/:guid/download: CC's checks in order, then 302 to a signed URL of this worker that
// streams the zip without any Authorization header; tampered or expired links are refused.
import { describe, expect, it } from "vitest";
import { bitsField, bitsWorld, fetchBytes, send, upload } from "../support/bits";
import { developersOnlyCases, tokenFor } from "../support/callers";
import { NOT_AUTHORIZED, notFoundBody, unprocessableBody } from "../support/errors";
import { addApp, addPackage, createWorld, newUser } from "../support/fixtures";
import { BASE, call, callWithEnv, cfError } from "../support/http";
import { token } from "../support/tokens";
import { buildZip } from "../support/zip";

const SIGNING_KEY = "test-download-signing-key";
const LINK = new RegExp(`^${BASE}/blobs/packages/[0-9a-f-]{36}\\?expires=\\d+&signature=[\\w-]+$`);

/** A READY package with real bits in a fresh world. */
async function readyPackage() {
  const { world, developer, newPackage } = await bitsWorld();
  const guid = await newPackage();
  const zip = await buildZip([{ name: "Procfile", data: "web: ./run\n" }]);
  expect((await upload(guid, developer, [await bitsField(zip)])).status).toBe(200);
  return { world, developer, guid, zip };
}

/** A link signed as the worker signs them: HMAC-SHA256 over "packages/<guid>\n<expires>", base64url. */
async function signedLink(guid: string, expires: number, secret = SIGNING_KEY): Promise<string> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(`packages/${guid}\n${expires}`));
  const signature = btoa(String.fromCharCode(...new Uint8Array(mac)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
  return `${BASE}/blobs/packages/${guid}?expires=${expires}&signature=${signature}`;
}

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

/** The download request as go-cfclient sends it: redirects not followed. */
const download = (guid: string, bearer: string) =>
  send(
    new Request(`${BASE}/v3/packages/${guid}/download`, {
      headers: { Authorization: `bearer ${bearer}` },
      redirect: "manual",
    }),
  );

describe("GET /v3/packages/:guid/download", () => {
  it("redirects to a signed link that streams the zip with no Authorization header", async () => {
    const { developer, guid, zip } = await readyPackage();

    const reply = await download(guid, developer);

    expect(reply.status).toBe(302);
    expect(reply.text).toBe("");
    const location = reply.headers.get("Location")!;
    expect(location).toMatch(LINK);
    const expires = Number(new URL(location).searchParams.get("expires"));
    const ttl = expires - Date.now() / 1000;
    expect(ttl).toBeGreaterThan(290);
    expect(ttl).toBeLessThanOrEqual(300);
    expect(location).toBe(await signedLink(guid, expires));

    const blob = await fetchBytes(new Request(location));
    expect(blob.status).toBe(200);
    expect(blob.body).toEqual(zip);
    expect(blob.headers.get("Content-Type")).toBe("application/zip");
    expect(blob.headers.get("Content-Length")).toBe(String(zip.length));
    expect(blob.headers.get("ETag")).toMatch(/^"[0-9a-f]+"$/);
  });

  it.each(developersOnlyCases(302))("%s → %i", async (role, status) => {
    const { world, guid } = await readyPackage();
    const reply = await download(guid, await tokenFor(world, role));
    expect(reply.status).toBe(status);
    if (status === 302) expect(reply.headers.get("Location")).toMatch(LINK);
    if (status === 403) expect(reply.json).toEqual(NOT_AUTHORIZED);
    if (status === 404) expect(reply.json).toEqual(notFoundBody("Package"));
  });

  it.each([
    ["admin", 302, ["cloud_controller.admin"]],
    ["admin_read_only", 302, ["cloud_controller.admin_read_only"]],
    ["global_auditor", 403, ["cloud_controller.global_auditor"]],
    ["no read scope", 403, ["cloud_controller.write"]],
    ["no role", 404, ["cloud_controller.read", "cloud_controller.write"]],
  ] as const)("%s → %i", async (_, status, scopes) => {
    const { guid } = await readyPackage();
    const reply = await download(guid, await token(newUser(), { scopes: [...scopes] }));
    expect(reply.status).toBe(status);
    if (status === 302) expect(reply.headers.get("Location")).toMatch(LINK);
    if (status === 403) expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("422s a docker package and a bits package without bits, in CC's words", async () => {
    const { world, developer } = await bitsWorld();
    const dockerApp = await addApp(world.spaceGuid, "docker");
    const docker = await addPackage(dockerApp, { type: "docker", dockerImage: "nginx" });
    expect((await call("GET", `/v3/packages/${docker}/download`, { token: developer })).json).toEqual(
      unprocessableBody("Package type must be bits."),
    );
    for (const state of ["AWAITING_UPLOAD", "PROCESSING_UPLOAD", "FAILED", "COPYING", "EXPIRED"] as const) {
      const guid = await addPackage(world.appGuid, { state });
      const reply = await download(guid, developer);
      expect(reply.status).toBe(422);
      expect(reply.json).toEqual(unprocessableBody("Package has no bits to download."));
    }
  });

  it("404s a package that does not exist, and answers 502 when no signing key is configured", async () => {
    const { developer, guid } = await readyPackage();
    expect(
      (await call("GET", `/v3/packages/${crypto.randomUUID()}/download`, { token: developer })).status,
    ).toBe(404);
    const reply = await callWithEnv({ DOWNLOAD_SIGNING_KEY: "" }, "GET", `/v3/packages/${guid}/download`, {
      token: developer,
    });
    expect(reply.status).toBe(502);
    expect(reply.json).toEqual(
      cfError(
        150006,
        "CF-BlobstoreUnavailable",
        "Failed to perform operation due to blobstore unavailability.",
      ),
    );
  });
});

describe("the signed link", () => {
  it("refuses a tampered signature, another package's signature, and a moved expiry", async () => {
    const { guid } = await readyPackage();
    const other = await readyPackage();
    const expires = inAMinute();
    const good = new URL(await signedLink(guid, expires));
    const signature = good.searchParams.get("signature")!;
    const flipped = `${signature[0] === "A" ? "B" : "A"}${signature.slice(1)}`;
    const links = [
      `${BASE}/blobs/packages/${guid}?expires=${expires}&signature=${flipped}`,
      `${BASE}/blobs/packages/${other.guid}?expires=${expires}&signature=${signature}`,
      `${BASE}/blobs/packages/${guid}?expires=${expires + 1000}&signature=${signature}`,
      `${BASE}/blobs/packages/${guid}?expires=${expires}`,
      `${BASE}/blobs/packages/${guid}?expires=${expires}&signature=not%20base64url!`,
      `${BASE}/blobs/packages/${guid}?expires=soon&signature=${signature}`,
      await signedLink(guid, expires, "some-other-key"),
    ];
    for (const link of links) {
      const reply = await send(new Request(link));
      expect(reply.status, link).toBe(403);
      expect(reply.json).toEqual(NOT_AUTHORIZED);
    }
    expect((await fetchBytes(new Request(good))).status).toBe(200);
  });

  it("refuses an expired link", async () => {
    const { guid } = await readyPackage();
    const reply = await send(new Request(await signedLink(guid, Math.floor(Date.now() / 1000) - 1)));
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("404s a signed link whose bits are gone", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid, { state: "READY" });
    const reply = await send(new Request(await signedLink(guid, inAMinute())));
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Package"));
  });
});
