// HTTP to the worker through its fetch handler, with the real local D1 and R2 of the test run.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import worker from "../../../src/index";
import { buffered, exchange } from "./openapi";

export const BASE = "http://api.example.org";

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Raw body text, sent as is. */
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON shapes and assert them exactly
  json: any;
}

function buildRequest(method: string, path: string, options: CallOptions): Request {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `bearer ${options.token}`);
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined) headers.set("Content-Type", options.contentType ?? "application/json");
  return new Request(new URL(path, BASE), { method, headers, body });
}

export async function read(response: Response): Promise<Reply> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** `request` through the worker's default export, as a client sends it; checked against the contract. */
export function fetchWorker(request: Request): Promise<Response> {
  return exchange(request, (sent) => exports.default.fetch(sent));
}

/** A request through the worker's default export, as a client would send it; checked against the contract. */
export async function call(method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  return read(await fetchWorker(buildRequest(method, path, options)));
}

/** The same, with vars overridden (issuer, keys, limits): the fetch handler with a modified env. */
export async function callWithEnv(
  overrides: Partial<Cloudflare.Env>,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  return read(await fetchWithEnv(buildRequest(method, path, options), overrides));
}

/**
 * `request` through the fetch handler with `overrides` on the env, waiting for its waitUntil work;
 * checked against the contract.
 */
export function fetchWithEnv(request: Request, overrides: Partial<Cloudflare.Env>): Promise<Response> {
  return exchange(request, async (sent) => {
    const ctx = createExecutionContext();
    const response = await worker.fetch(sent, { ...env, ...overrides }, ctx);
    const whole = await buffered(response);
    await waitOnExecutionContext(ctx);
    return whole;
  });
}

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function cfError(code: number, title: string, detail: string) {
  return { errors: [{ detail, title, code }] };
}
