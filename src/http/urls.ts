import type { Context } from "hono";
import type { AppEnv } from "../env";

/** The API's external base URL: EXTERNAL_URL when configured, else the request's own origin. */
export function externalUrl(c: Context<AppEnv>): string {
  return c.get("config").externalUrl ?? new URL(c.req.url).origin;
}

/** CC's timestamp format: "YYYY-MM-DDThh:mm:ssZ". */
export function timestamp(epochSeconds: number): string {
  return `${new Date(epochSeconds * 1000).toISOString().slice(0, 19)}Z`;
}
