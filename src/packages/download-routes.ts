// GET /v3/packages/:guid/download answers, as CC with a remote blobstore, 302 to a short-lived signed
// URL (download-urls.ts) served by blob-routes.ts. No signing key configured → 502 CF-BlobstoreUnavailable.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { CfError, notFound, unprocessable } from "../http/errors";
import { emptyResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { packageEvent } from "./actions";
import { signedDownloadUrl } from "./download-urls";
import { findPackageForDownload } from "./store";

export const packageDownloadRouter = new Hono<AppEnv>().get(
  "/v3/packages/:guid/download",
  requireRead,
  async (c) => {
    const user = currentUser(c);
    const db = c.get("db");
    const guid = c.req.param("guid");
    const { downloadSigningKey, downloadUrlTtlSeconds } = c.get("config");
    // The URL is handed out only with a signing key: then the event rides along with the read.
    const access = await findPackageForDownload(
      db,
      user,
      guid,
      downloadSigningKey ? (when) => packageEvent(db, user, "download", guid, {}, when) : undefined,
    );
    if (!access?.readable) throw notFound("Package");
    // Secrets (bits) are for space developers and global secret readers: those who may write, or read all.
    if (!(user.globalSecretReader || access.writable)) throw new CfError("NotAuthorized");
    if (access.package.type !== "bits") throw unprocessable("Package type must be bits.");
    if (access.package.state !== "READY") throw unprocessable("Package has no bits to download.");
    if (!downloadSigningKey) throw new CfError("BlobstoreUnavailable");
    const expires = Math.floor(Date.now() / 1000) + downloadUrlTtlSeconds;
    const location = await signedDownloadUrl(
      externalUrl(c),
      downloadSigningKey,
      access.package.guid,
      expires,
    );
    return emptyResponse(c, 302, { Location: location });
  },
);
