// GET / and GET /v3: link documents that need no token, as in CC.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { developmentUaaServed } from "../uaa-dev/served";
import { presentGlobalRoot, presentV3Root } from "./presenter";

export const rootRouter = new Hono<AppEnv>()
  .get("/", (c) => {
    const config = c.get("config");
    const baseUrl = externalUrl(c);
    // With no UAA configured, development advertises its own UAA stand-in, so `cf login` works locally.
    const standIn = !config.loginUrl && !config.uaaUrl && developmentUaaServed(config) ? baseUrl : undefined;
    return jsonResponse(
      c,
      200,
      presentGlobalRoot(baseUrl, { login: config.loginUrl ?? standIn, uaa: config.uaaUrl ?? standIn }),
    );
  })
  .get("/v3", (c) => jsonResponse(c, 200, presentV3Root(externalUrl(c))));
