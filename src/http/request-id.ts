// X-VCAP-Request-ID as Cloud Controller sets it: the incoming X-VCAP-Request-ID (or X-Request-Id),
// stripped to [A-Za-z0-9_-] and cut to 255 characters, then "::" and a fresh UUID; else a fresh UUID.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

function responseRequestId(incoming: string | undefined): string {
  const uuid = crypto.randomUUID();
  const sanitised = (incoming ?? "").replace(/[^A-Za-z0-9_-]/g, "").slice(0, 255);
  return sanitised ? `${sanitised}::${uuid}` : uuid;
}

export const requestId = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = [c.req.header("X-VCAP-Request-ID"), c.req.header("X-Request-Id")].find((v) => v?.trim());
  const id = responseRequestId(incoming);
  c.set("requestId", id);
  await next();
  c.res.headers.set("X-VCAP-Request-ID", id);
});
