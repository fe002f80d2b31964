// POST /v3/packages/:guid/upload: write scope, then the streamed upload (upload/upload.ts), which
// answers 200 with the package READY (CC answers PROCESSING_UPLOAD and finishes in a job; the cf CLI
// and go-cfclient accept both and poll until READY either way).
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { currentUser, requireWrite } from "../http/auth";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { presentPackage } from "./presenter";
import { uploadPackage } from "./upload/upload";

export const bitsRouter = new Hono<AppEnv>().post("/v3/packages/:guid/upload", requireWrite, async (c) => {
  const pkg = await uploadPackage(
    { env: c.env, db: c.get("db"), config: c.get("config"), user: currentUser(c), guid: c.req.param("guid") },
    c.req.raw,
  );
  return jsonResponse(c, 200, presentPackage(pkg, externalUrl(c)));
});
