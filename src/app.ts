// The request flow: CF headers and request id → config and db → route (guards, message, action, store,
// presenter) → one onError that renders every failure in CF's envelope → what is left of the request
// body drained, so the connection serves the client's next request. docs/DESIGN.md walks through it.
import { Hono } from "hono/tiny";
import { appsRouter } from "./apps/routes";
import { auditEventsRouter } from "./audit-events/routes";
import { packageDropletsRouter } from "./droplets/routes";
import type { AppEnv } from "./env";
import { healthRouter } from "./health/routes";
import { drainRequestBody } from "./http/body-drain";
import { CfError, renderError } from "./http/errors";
import { requestId } from "./http/request-id";
import { responseHeaders } from "./http/response-headers";
import { jobsRouter } from "./jobs/routes";
import { organizationsRouter } from "./organizations/routes";
import { packageBlobRouter } from "./packages/blob-routes";
import { packageDownloadRouter } from "./packages/download-routes";
import { experimentalPackageRouter } from "./packages/experimental-routes";
import { packageListRouter } from "./packages/list-routes";
import { packagesRouter } from "./packages/routes";
import { packageUploadRouter } from "./packages/upload-routes";
import { rateLimit } from "./rate-limit/middleware";
import { requestScope } from "./request-scope";
import { resourceMatchesRouter } from "./resource-matches/routes";
import { rolesRouter } from "./roles/routes";
import { rootRouter } from "./root/routes";
import { spacesRouter } from "./spaces/routes";

/** The API; `extraRouters` mount after its own (the development entry's UAA stand-in, src/index.ts). */
export function createApp(extraRouters: readonly Hono<AppEnv>[] = []) {
  const app = new Hono<AppEnv>();
  // Outermost first: on the way out, X-VCAP-Request-ID is set before the other CF headers.
  app.use(responseHeaders);
  app.use(requestId);
  app.use(requestScope);
  app.use(drainRequestBody);
  app.use(rateLimit);
  // Every router owns full paths, so they mount at the root; no two define the same method and path.
  for (const router of [
    healthRouter,
    packageListRouter,
    packageDropletsRouter,
    experimentalPackageRouter,
    jobsRouter,
    rootRouter,
    organizationsRouter,
    spacesRouter,
    appsRouter,
    rolesRouter,
    auditEventsRouter,
    packagesRouter,
    packageUploadRouter,
    packageDownloadRouter,
    packageBlobRouter,
    resourceMatchesRouter,
    ...extraRouters,
  ]) {
    app.route("/", router);
  }
  app.notFound(() => {
    throw new CfError("NotFound");
  });
  app.onError(renderError);
  return app;
}
