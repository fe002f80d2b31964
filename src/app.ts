// The request flow: request id and CF headers → config and db → route (guards, validation, store,
// presenter) → one onError that renders every failure in CF's envelope.
import { Hono } from "hono";
import { readConfig } from "./config";
import { createDb } from "./db/client";
import type { AppEnv } from "./env";
import { CfError, renderError } from "./http/errors";
import { requestContext } from "./http/request-id";
import { jobsRouter } from "./jobs/routes";
import { experimentalPackagesRouter } from "./packages/experimental";

export function createApp() {
  const app = new Hono<AppEnv>();
  app.use(requestContext);
  app.use(async (c, next) => {
    c.set("config", readConfig(c.env));
    c.set("db", createDb(c.env.DB));
    await next();
  });
  app.route("/", experimentalPackagesRouter);
  app.route("/", jobsRouter);
  app.notFound(() => {
    throw new CfError("NotFound");
  });
  app.onError(renderError);
  return app;
}
