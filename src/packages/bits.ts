// POST /v3/packages/:guid/upload: write scope, then the streamed upload (upload/upload.ts), which
// answers 200 with the package READY (CC answers PROCESSING_UPLOAD and finishes in a job; the cf CLI
// and go-cfclient accept both and poll until READY either way). The package's large files go to the
// resource cache after the response, on their own db so the request's D1 figures stay the request's.
import { Hono } from "hono";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { currentUser, requireWrite } from "../http/auth";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { packageBitsKey } from "./bits-keys";
import { presentPackage } from "./presenter";
import { fillResourceCache } from "./upload/resource-cache";
import { uploadPackage } from "./upload/upload";

export const bitsRouter = new Hono<AppEnv>().post("/v3/packages/:guid/upload", requireWrite, async (c) => {
  const guid = c.req.param("guid");
  const { pkg, cacheable } = await uploadPackage(
    { env: c.env, db: c.get("db"), config: c.get("config"), user: currentUser(c), guid },
    c.req.raw,
  );
  if (cacheable.length) {
    c.executionCtx.waitUntil(
      fillResourceCache(
        c.env.BITS,
        createDb(c.env.DB),
        packageBitsKey(guid),
        cacheable,
        c.get("config").resourceCacheFillSubrequests,
      ),
    );
  }
  return jsonResponse(c, 200, presentPackage(pkg, externalUrl(c)));
});
