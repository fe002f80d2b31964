// GET /v3/packages/:guid/download answers, as CC with a remote blobstore, 302 to a short-lived signed
// URL that needs no Authorization header (clients must not replay the bearer token to the blobstore):
// here a route of this worker, signed with HMAC-SHA256 (DOWNLOAD_SIGNING_KEY), that streams the zip
// from R2. No signing key configured → 502 CF-BlobstoreUnavailable; a bad or expired link → 403.
import { Hono } from "hono";
import { base64url } from "jose";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { CfError, notFound, unprocessable } from "../http/errors";
import { hmacKey } from "../http/hmac";
import { emptyResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { packageBitsKey } from "./bits-keys";
import { findPackageAccess } from "./store";

const encoder = new TextEncoder();

// What a signature covers: the blob and the moment the link stops working.
const signedText = (guid: string, expires: number) => encoder.encode(`${packageBitsKey(guid)}\n${expires}`);

async function signedDownloadUrl(
  base: string,
  secret: string,
  guid: string,
  expires: number,
): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(secret), signedText(guid, expires));
  return `${base}/blobs/packages/${guid}?expires=${expires}&signature=${base64url.encode(new Uint8Array(signature))}`;
}

async function validSignature(
  secret: string,
  guid: string,
  expires: string,
  signature: string,
): Promise<boolean> {
  if (!/^\d+$/.test(expires)) return false;
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(signature);
  } catch {
    return false;
  }
  return crypto.subtle.verify("HMAC", await hmacKey(secret), bytes, signedText(guid, Number(expires)));
}

export const downloadRouter = new Hono<AppEnv>()
  .get("/v3/packages/:guid/download", requireRead, async (c) => {
    const user = currentUser(c);
    const access = await findPackageAccess(c.get("db"), user, c.req.param("guid"));
    if (!access?.readable) throw notFound("Package");
    // Secrets (bits) are for space developers and global secret readers: those who may write, or read all.
    if (!(user.globalSecretReader || access.writable)) throw new CfError("NotAuthorized");
    if (access.package.type !== "bits") throw unprocessable("Package type must be bits.");
    if (access.package.state !== "READY") throw unprocessable("Package has no bits to download.");
    const { downloadSigningKey, downloadUrlTtlSeconds } = c.get("config");
    if (!downloadSigningKey) throw new CfError("BlobstoreUnavailable");
    const expires = Math.floor(Date.now() / 1000) + downloadUrlTtlSeconds;
    const location = await signedDownloadUrl(
      externalUrl(c),
      downloadSigningKey,
      access.package.guid,
      expires,
    );
    return emptyResponse(c, 302, { Location: location });
  })
  .get("/blobs/packages/:guid", async (c) => {
    const guid = c.req.param("guid");
    const { expires = "", signature = "" } = c.req.query();
    const secret = c.get("config").downloadSigningKey;
    if (!secret) throw new CfError("BlobstoreUnavailable");
    const valid = await validSignature(secret, guid, expires, signature);
    if (!valid || Number(expires) < Date.now() / 1000) throw new CfError("NotAuthorized");
    const object = await c.env.BITS.get(packageBitsKey(guid));
    if (!object) throw notFound("Package");
    return c.body(object.body, 200, {
      "Content-Type": "application/zip",
      "Content-Length": String(object.size),
      ETag: object.httpEtag,
    });
  });
