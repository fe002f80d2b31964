// GET /blobs/packages/:guid: the package's zip streamed from R2, for a signed link (download-urls.ts) and
// nothing else: no token is asked for. No signing key configured → 502; a bad or expired link → 403.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { CfError, notFound } from "../http/errors";
import { packageBitsKey } from "./bits-keys";
import { validSignature } from "./download-urls";

export const packageBlobRouter = new Hono<AppEnv>().get("/blobs/packages/:guid", async (c) => {
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
