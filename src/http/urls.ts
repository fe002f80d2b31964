import type { Context } from "hono";
import type { AppEnv } from "../env";

/** The API's external base URL: EXTERNAL_URL when configured, else the request's own origin. */
export function externalUrl(c: Context<AppEnv>): string {
  return c.get("config").externalUrl ?? new URL(c.req.url).origin;
}
