// The headers every response carries, errors included, as Cloud Controller's: nosniff, JSON unless the
// route said otherwise, and the caller's guid once a route has authenticated them.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { JSON_CONTENT_TYPE } from "./respond";

export const responseHeaders = createMiddleware<AppEnv>(async (c, next) => {
  await next();
  const headers = c.res.headers;
  headers.set("X-Content-Type-Options", "nosniff");
  if (!headers.has("Content-Type")) headers.set("Content-Type", JSON_CONTENT_TYPE);
  const user = c.get("user");
  if (user) headers.set("X-USER-GUID", user.guid);
});
