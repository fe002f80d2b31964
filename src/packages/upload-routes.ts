// POST /v3/packages/:guid/upload: write scope, then the streamed upload, which answers 200 with the
// package READY (CC answers PROCESSING_UPLOAD and finishes in a job; the cf CLI and go-cfclient accept
// both and poll until READY either way).
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireWrite } from "../http/auth";
import { depsOf } from "../http/deps";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { packageUpload } from "./actions";
import { presentPackage } from "./presenter";

export const packageUploadRouter = new Hono<AppEnv>().post(
  "/v3/packages/:guid/upload",
  requireWrite,
  async (c) => {
    const message = { guid: c.req.param("guid"), body: c.req.raw };
    const pkg = await packageUpload(depsOf(c), currentUser(c), message);
    return jsonResponse(c, 200, presentPackage(pkg, externalUrl(c)));
  },
);
