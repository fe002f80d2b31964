// Per request: the config, and a db that counts what the request costs in D1; that cost goes out as a
// Server-Timing header (clients and the bench read it) and, outside development, in the request line.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { readConfig } from "./config";
import { createDb, d1ServerTiming, d1UsageOf } from "./db/client";
import type { AppEnv } from "./env";
import { CfError } from "./http/errors";
import { logInfo } from "./http/log";

export const requestScope = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const config = readConfig(c.env);
  // Why is in the log (config.ts); the client learns only that the service cannot answer.
  if (!config) throw new CfError("ServiceUnavailable", "The service is unavailable");
  c.set("config", config);
  const db = createDb(c.env.DB);
  c.set("db", db);
  await next();
  const usage = d1UsageOf(db);
  c.res.headers.append("Server-Timing", d1ServerTiming(usage));
  if (!c.get("config").development) {
    logInfo("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      route: routePath(c, -1),
      status: c.res.status,
      // Workers advance the clock only across I/O, so this is the request's wall time to the last await.
      durationMs: Date.now() - started,
      user: c.get("user")?.guid,
      d1: usage,
      cfRay: c.req.header("cf-ray"),
    });
  }
});
