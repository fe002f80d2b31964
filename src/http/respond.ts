import type { Context } from "hono";

export const JSON_CONTENT_TYPE = "application/json;charset=utf-8";
const encoder = new TextEncoder();

/**
 * A JSON response with an exact Content-Length. `pretty` gives the 2-space layout the 2015 API used.
 */
export function jsonResponse(c: Context, status: number, body: unknown, pretty = false): Response {
  const bytes = encoder.encode(pretty ? JSON.stringify(body, null, 2) : JSON.stringify(body));
  return c.body(bytes.buffer as ArrayBuffer, status as 200, {
    "Content-Type": JSON_CONTENT_TYPE,
    "Content-Length": String(bytes.byteLength),
  });
}

/** An empty response (202 with Location, 204), still carrying CF's headers. */
export function emptyResponse(
  c: Context,
  status: 202 | 204 | 302,
  headers: Record<string, string> = {},
): Response {
  return c.body(null, status, { ...headers, "Content-Length": "0" });
}
