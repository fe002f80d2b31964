// Request validation in Cloud Controller's terms. Bodies are JSON whatever the Content-Type (old
// clients and the 2015 seed send JSON as application/x-www-form-urlencoded), so the raw text is parsed
// here instead of trusting Hono's `json` target. Schemas carry CC's messages; failures become
// 400 CF-MessageParseError (not a JSON object), 422 CF-UnprocessableEntity (body) or
// 400 CF-BadQueryParameter (query).
import { zValidator } from "@hono/zod-validator";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type * as z from "zod/mini";
import type { AppEnv } from "../env";
import { CfError } from "./errors";

export type JsonObject = Record<string, unknown>;

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The most a JSON body may hold. CC's bodies are small (the largest, 200 annotations of 5,000
 * characters, is about 1 MB of ASCII); the cap keeps any single string below D1's 2,000,000-byte limit
 * on a value, so an oversized field is a 400 here rather than a failed write.
 */
export const MAX_JSON_BODY_BYTES = 1_048_576;

const bodyTooLarge = () =>
  new CfError("MessageParseError", `request body is larger than ${MAX_JSON_BODY_BYTES} bytes`);

/** A stream's text, refused with `tooLarge()` once it passes `max` bytes (never buffered past it). */
export async function readTextUpTo(
  body: ReadableStream<Uint8Array> | null,
  max: number,
  tooLarge: () => Error,
): Promise<string> {
  const decoder = new TextDecoder();
  let text = "";
  let size = 0;
  if (body) {
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > max) throw tooLarge();
      text += decoder.decode(chunk, { stream: true });
    }
  }
  return text + decoder.decode();
}

/**
 * A request's body as text, up to `MAX_JSON_BODY_BYTES` (400 past it, before reading when declared).
 * Decoded by hand: a JSON body may be labelled as a form, and workerd warns on text() of forms.
 */
export async function readCappedText(request: Request): Promise<string> {
  if (Number(request.headers.get("Content-Length")) > MAX_JSON_BODY_BYTES) throw bodyTooLarge();
  return readTextUpTo(request.body, MAX_JSON_BODY_BYTES, bodyTooLarge);
}

/** The request body as a JSON object, or 400 CF-MessageParseError. */
export async function readJsonObject(c: Context): Promise<JsonObject> {
  const text = await readCappedText(c.req.raw);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CfError("MessageParseError", "invalid request body");
  }
  if (!isObject(parsed)) throw new CfError("MessageParseError", "invalid request body");
  return parsed;
}

/** CC's messages from a zod failure, in schema order, each once. */
function messagesOf(error: { issues: readonly { message: string }[] }): string[] {
  return [...new Set(error.issues.map((issue) => issue.message))];
}

/**
 * Adds CC's messages to a failing transform (zod/mini hands a transform the parse payload, not
 * zod's addIssue); `continued` lets the enclosing object's own checks still run and report.
 */
export function addMessages(
  payload: { value: unknown; issues: z.core.$ZodRawIssue[] },
  messages: Iterable<string>,
  continued = false,
) {
  for (const message of messages) {
    payload.issues.push({ code: "custom", message, input: payload.value, continue: continued });
  }
}

/** Names as CC's messages list them: `'a', 'b'`. */
export const quoted = (names: readonly string[]) => names.map((name) => `'${name}'`).join(", ");

/** `Unknown field(s): 'a', 'b'` for keys outside `allowed`, as CC's message validators word it. */
export function unknownFieldsMessage(value: JsonObject, allowed: readonly string[]): string | undefined {
  const unknown = Object.keys(value).filter((key) => !allowed.includes(key));
  return unknown.length ? `Unknown field(s): ${quoted(unknown)}` : undefined;
}

/** Validates the body (JSON whatever the Content-Type) against a message schema; 422 on failure. */
export function jsonBody<S extends z.ZodMiniType>(schema: S) {
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
export function queryParams<S extends z.ZodMiniType>(schema: S) {
  return zValidator("query", schema, (result) => {
    if (!result.success) throw new CfError("BadQueryParameter", messagesOf(result.error));
  });
}
