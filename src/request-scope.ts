// Per request: the config, and a db that counts what the request costs in D1; that cost goes out as a
// Server-Timing header (clients and the bench read it) and, in production, one structured log line.
import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import { readConfig } from "./config";
import { createDb, d1ServerTiming, d1UsageOf } from "./db/client";
import type { AppEnv } from "./env";

export const requestScope = createMiddleware<AppEnv>(async (c, next) => {
  c.set("config", readConfig(c.env));
  const db = createDb(c.env.DB);
  c.set("db", db);
  await next();
  const usage = d1UsageOf(db);
  c.res.headers.append("Server-Timing", d1ServerTiming(usage));
  if (!c.get("config").development) {
    const route = `${c.req.method} ${routePath(c, -1)}`;
    console.log(JSON.stringify({ requestId: c.get("requestId"), route, status: c.res.status, d1: usage }));
  }
});
