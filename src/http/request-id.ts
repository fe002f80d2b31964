// X-VCAP-Request-ID as Cloud Controller sets it: the incoming X-VCAP-Request-ID (or X-Request-Id),
// stripped to [A-Za-z0-9_-] and cut to 255 characters, then "::" and a fresh UUID; else a fresh UUID.
// Also sets the headers every response carries, errors included.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { JSON_CONTENT_TYPE } from "./respond";

export function responseRequestId(incoming: string | undefined): string {
  const uuid = crypto.randomUUID();
  const sanitised = (incoming ?? "").replace(/[^A-Za-z0-9_-]/g, "").slice(0, 255);
  return sanitised ? `${sanitised}::${uuid}` : uuid;
}

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = [c.req.header("X-VCAP-Request-ID"), c.req.header("X-Request-Id")].find((v) => v?.trim());
  const requestId = responseRequestId(incoming);
  c.set("requestId", requestId);
  await next();
  const headers = c.res.headers;
  headers.set("X-VCAP-Request-ID", requestId);
  headers.set("X-Content-Type-Options", "nosniff");
  if (!headers.has("Content-Type")) headers.set("Content-Type", JSON_CONTENT_TYPE);
  const user = c.get("user");
  if (user) headers.set("X-USER-GUID", user.guid);
});
