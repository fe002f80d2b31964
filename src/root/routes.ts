// GET / and GET /v3: link documents that need no token, as in CC.
import { Hono } from "hono";
import type { AppEnv } from "../env";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { presentGlobalRoot, presentV3Root } from "./presenter";

export const rootRouter = new Hono<AppEnv>()
  .get("/", (c) => {
    const config = c.get("config");
    return jsonResponse(
      c,
      200,
      presentGlobalRoot(externalUrl(c), { login: config.loginUrl, uaa: config.uaaUrl }),
    );
  })
  .get("/v3", (c) => jsonResponse(c, 200, presentV3Root(externalUrl(c))));
