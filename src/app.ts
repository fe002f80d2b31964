// The request flow: request id and CF headers → config and db → route (guards, validation, store,
// presenter) → one onError that renders every failure in CF's envelope → what is left of the request
// body drained, so the connection serves the client's next request.
import { Hono } from "hono";
import { routePath } from "hono/route";
import { appsRouter } from "./apps/routes";
import { readConfig } from "./config";
import { createDb, d1ServerTiming, d1UsageOf } from "./db/client";
import { packageDropletsRouter } from "./droplets/routes";
import type { AppEnv } from "./env";
import { drainRequestBody } from "./http/body-drain";
import { CfError, renderError } from "./http/errors";
import { requestContext } from "./http/request-id";
import { jobsRouter } from "./jobs/routes";
import { organizationsRouter } from "./organizations/routes";
import { bitsRouter } from "./packages/bits";
import { downloadRouter } from "./packages/download";
import { experimentalPackagesRouter } from "./packages/experimental";
import { packagesListRouter } from "./packages/list-routes";
import { packagesRouter } from "./packages/routes";
import { resourceMatchesRouter } from "./resource-matches/routes";
import { rolesRouter } from "./roles/routes";
import { rootRouter } from "./root/routes";
import { spacesRouter } from "./spaces/routes";
import { uaaDevRouter } from "./uaa-dev/routes";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(requestContext);
  app.use(async (c, next) => {
    c.set("config", readConfig(c.env));
    const db = createDb(c.env.DB);
    c.set("db", db);
    await next();
    // D1 cost per request: a header for clients and the bench, one structured log line in production.
    const usage = d1UsageOf(db);
    c.res.headers.append("Server-Timing", d1ServerTiming(usage));
    if (!c.get("config").development) {
      const route = `${c.req.method} ${routePath(c, -1)}`;
      console.log(JSON.stringify({ requestId: c.get("requestId"), route, status: c.res.status, d1: usage }));
    }
  });
  app.use(drainRequestBody);
  // Every router owns full paths, so they mount at the root; no two define the same method and path.
  for (const router of [
    packagesListRouter,
    packageDropletsRouter,
    experimentalPackagesRouter,
    jobsRouter,
    rootRouter,
    organizationsRouter,
    spacesRouter,
    appsRouter,
    rolesRouter,
    packagesRouter,
    bitsRouter,
    downloadRouter,
    resourceMatchesRouter,
    uaaDevRouter,
  ]) {
    app.route("/", router);
  }
  app.notFound(() => {
    throw new CfError("NotFound");
  });
  app.onError(renderError);
  return app;
}
