// Request validation in Cloud Controller's terms. Bodies are JSON whatever the Content-Type (old
// clients and the 2015 seed send JSON as application/x-www-form-urlencoded), so the raw text is parsed
// here instead of trusting Hono's `json` target. Schemas carry CC's messages; failures become
// 400 CF-MessageParseError (not a JSON object), 422 CF-UnprocessableEntity (body) or
// 400 CF-BadQueryParameter (query).
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type * as z from "zod";
import type { AppEnv } from "../env";
import { CfError } from "./errors";

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Ruby's blank? (nil, false, whitespace, empty array or object): what CC's presence checks reject. */
export function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** The request body as a JSON object, or 400 CF-MessageParseError. */
export async function readJsonObject(c: Context): Promise<JsonObject> {
  let parsed: unknown;
  try {
    // Decoded by hand: the body is JSON even when labelled as a form, and workerd warns on text() of forms.
    parsed = JSON.parse(new TextDecoder().decode(await c.req.arrayBuffer()));
  } catch {
    throw new CfError("MessageParseError", "invalid request body");
  }
  if (!isObject(parsed)) throw new CfError("MessageParseError", "invalid request body");
  return parsed;
}

/** CC's messages from a zod failure, in schema order, each once. */
export function messagesOf(error: { issues: readonly { message: string }[] }): string[] {
  return [...new Set(error.issues.map((issue) => issue.message))];
}

/** Names as CC's messages list them: `'a', 'b'`. */
export const quoted = (names: readonly string[]) => names.map((name) => `'${name}'`).join(", ");

/** `Unknown field(s): 'a', 'b'` for keys outside `allowed`, as CC's message validators word it. */
export function unknownFieldsMessage(value: JsonObject, allowed: readonly string[]): string | undefined {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  return unknown.length ? `Unknown field(s): ${quoted(unknown)}` : undefined;
}

/** Validates the body (JSON whatever the Content-Type) against a message schema; 422 on failure. */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return createMiddleware<AppEnv, string, { in: { json: z.input<S> }; out: { json: z.output<S> } }>(
    async (c, next) => {
      const result = await schema.safeParseAsync(await readJsonObject(c));
      if (!result.success) throw new CfError("UnprocessableEntity", messagesOf(result.error));
      c.req.addValidatedData("json", result.data as JsonObject);
      await next();
    },
  );
}

/** Validates the query string; failures are 400 CF-BadQueryParameter with CC's messages. */
export function queryParams<S extends z.ZodType>(schema: S) {
  return zValidator("query", schema, (result) => {
    if (!result.success) throw new CfError("BadQueryParameter", messagesOf(result.error));
  });
}
