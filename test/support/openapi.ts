// Every request the tests send and every response they get, checked against the OpenAPI document
// (openapi/): in workerd through the TEST_OPENAPI binding (test/workers/support/openapi.ts), over real
// sockets from the joined files (test/socket/support/contract.ts). A response must be one its operation
// describes: status, declared headers, body. A request must name an operation; when it succeeds (below
// 400) it must also be one the document accepts in full — tests send invalid input on purpose, and the
// document describes what is accepted, not every way to be refused.

import { dereference, type OutputUnit, type Schema, validate } from "@cfworker/json-schema";

type JsonObject = Record<string, unknown>;
type Ref<T> = T | { $ref: string };

interface Parameter {
  name: string;
  in: "query" | "path" | "header" | "cookie";
  required?: boolean;
  style?: string;
  schema: Schema;
  /** Given, the operation does not read the request body (the 2015 copy). */
  "x-ignores-request-body"?: boolean;
}
interface MediaType {
  schema?: Schema;
}
interface Header {
  required?: boolean;
  schema: Schema;
}
interface ResponseObject {
  headers?: Record<string, Ref<Header>>;
  content?: Record<string, MediaType>;
}
interface Operation {
  parameters?: Ref<Parameter>[];
  requestBody?: Ref<{ required?: boolean; content: Record<string, MediaType> }>;
  responses: Record<string, Ref<ResponseObject>>;
  security?: Record<string, string[]>[];
}
interface PathItem {
  parameters?: Ref<Parameter>[];
  [method: string]: unknown;
}
interface SecurityScheme {
  type: string;
  scheme?: string;
}
interface OpenApiDocument {
  paths: Record<string, PathItem>;
  /** The answers to a request no operation describes. */
  "x-unserved-requests": Operation;
  security?: Record<string, string[]>[];
  components: { securitySchemes?: Record<string, SecurityScheme> };
}

/** A described operation, its path template compiled once. */
interface Route {
  method: string;
  template: string;
  pattern: RegExp;
  names: string[];
  operation: Operation;
  parameters: Parameter[];
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const NULL_BODY_STATUSES = [101, 204, 205, 304];
/** How many of the validator's errors a failure shows (a oneOf reports every branch's). */
const SHOWN_ERRORS = 20;

export class ContractViolation extends Error {
  override name = "ContractViolation";
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);

let documentSource: (() => unknown) | undefined;

/** Where the document comes from; each test project says so once, before its first exchange. */
export function contractFrom(load: () => unknown): void {
  documentSource = load;
}

/** The document and everything compiled from it, made once per test file's isolate or process. */
function loadContract() {
  if (!documentSource) throw new Error("no OpenAPI document: call contractFrom() first");
  const document = documentSource() as OpenApiDocument;
  // The whole document as one schema resource, so every `#/components/...` $ref resolves. dereference
  // does not walk arrays it does not know as schema keywords (`parameters`), so the schemas under them
  // keep their $ref as written: each entry is also filed under its fragment alone.
  const lookup = dereference(document as unknown as Schema);
  for (const [uri, schema] of Object.entries(lookup)) {
    const fragment = uri.indexOf("#");
    if (fragment >= 0) lookup[uri.slice(fragment)] ??= schema;
  }

  function resolve<T>(node: Ref<T>): T {
    let current: unknown = node;
    for (let hops = 0; isObject(current) && typeof current.$ref === "string"; hops++) {
      const ref: string = current.$ref;
      if (hops > 10 || !ref.startsWith("#/")) throw new Error(`unresolvable $ref ${ref}`);
      current = ref
        .slice(2)
        .split("/")
        .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
        .reduce<unknown>((at, key) => (isObject(at) ? at[key] : undefined), document);
      if (current === undefined) throw new Error(`unresolvable $ref ${ref}`);
    }
    return current as T;
  }

  const routes: Route[] = Object.entries(document.paths).flatMap(([template, item]) =>
    METHODS.filter((method) => isObject(item[method])).map((method) => {
      const operation = item[method] as Operation;
      const names = [...template.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      const source = template
        .split(/\{[^}]+\}/)
        .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
        .join("([^/]+)");
      // Operation parameters override the path item's of the same name and place.
      const byKey = new Map<string, Parameter>();
      for (const ref of [...(item.parameters ?? []), ...(operation.parameters ?? [])]) {
        const parameter = resolve(ref);
        byKey.set(`${parameter.in}:${parameter.name}`, parameter);
      }
      return {
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${source}$`),
        names,
        operation,
        parameters: [...byKey.values()],
      };
    }),
  );
  // A literal segment wins over a template ({guid}), as the router matches.
  routes.sort((a, b) => a.names.length - b.names.length);
  return { document, lookup, resolve, routes };
}

let contract: ReturnType<typeof loadContract> | undefined;
const loaded = () => {
  contract ??= loadContract();
  return contract;
};

function errorsOf(value: unknown, schema: Schema, where: string): string[] {
  const result = validate(value, schema, "2020-12", loaded().lookup, false);
  if (result.valid) return [];
  // Only the innermost errors: the outer ones repeat that a branch failed.
  const leaves = result.errors.filter(
    (error: OutputUnit, _: number, all: OutputUnit[]) =>
      !all.some((other) => other !== error && other.keywordLocation.startsWith(`${error.keywordLocation}/`)),
  );
  return leaves.map((error) => `${where}${error.instanceLocation.slice(1)}: ${error.error}`);
}

/** The route describing `method` and `path`, with its path parameters; undefined when none does. */
function routeFor(method: string, path: string) {
  for (const route of loaded().routes) {
    if (route.method !== method) continue;
    const match = route.pattern.exec(path);
    if (!match) continue;
    const pathValues = Object.fromEntries(
      route.names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]),
    );
    return { route, pathValues };
  }
  return undefined;
}

const baseMediaType = (contentType: string | null) => (contentType ?? "").split(";")[0]!.trim().toLowerCase();

/** The media type declared for `contentType`: exact, then `type/*`, then `*\/*`. */
function declaredMedia(content: Record<string, MediaType>, contentType: string | null) {
  const base = baseMediaType(contentType);
  const declared = new Map(Object.entries(content).map(([key, media]) => [baseMediaType(key), media]));
  for (const key of [base, `${base.split("/")[0]}/*`, "*/*"]) {
    const media = declared.get(key);
    if (media) return { key, media };
  }
  return undefined;
}

const isJsonMedia = (key: string) => key === "application/json" || key.endsWith("+json");

/**
 * What a body is checked as: its text for a string schema (a JSON body whatever its label is a string
 * with contentMediaType application/json); JSON for JSON media types, and for text whose schema is not
 * a string (a 429's JSON sent as text/plain); a form's fields. Undefined for binary media (zips), which
 * are checked by content type only.
 */
function bodyValue(key: string, text: string, schema: Schema | undefined): unknown {
  const type = schema && loaded().resolve(schema).type;
  if (type === "string") return text;
  if (key === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  if (!isJsonMedia(key) && !(key.startsWith("text/") && schema)) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ContractViolation(`body is not JSON (${key}): ${text.slice(0, 200)}`);
  }
}

/** A schema's errors for `value`, including JSON Schema's contentSchema for a string of JSON. */
function bodyErrors(value: unknown, schema: Schema, where: string): string[] {
  const errors = errorsOf(value, schema, where);
  const resolved = loaded().resolve(schema);
  if (errors.length || typeof value !== "string" || !isObject(resolved.contentSchema)) return errors;
  if (resolved.contentMediaType !== "application/json") return errors;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return [`${where}: not JSON, as its contentMediaType says`];
  }
  return errorsOf(parsed, resolved.contentSchema as Schema, where);
}

function parameterValue(parameter: Parameter, values: string[]): unknown {
  const type = loaded().resolve(parameter.schema).type;
  return type === "array" ? values : values.at(-1);
}

/**
 * The query as the document's parameters read it: `a=1`, `a[]=1&a[]=2` (and Rack's deeper `a[][x]=1`),
 * deepObject `a[lt]=1`.
 */
function queryErrors(route: Route, url: URL): string[] {
  const query = route.parameters.filter((parameter) => parameter.in === "query");
  const values = new Map<Parameter, unknown>();
  const errors: string[] = [];
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    const exact = query.find((parameter) => parameter.name === key);
    if (exact) {
      values.set(exact, parameterValue(exact, all));
      continue;
    }
    // Rack nests deeper forms (`a[][]=1`, `a[][x]=1`) into the array `a[]`; CC reads them as its items.
    const deeper = /^([^[\]]+\[\])\[/.exec(key);
    const array = deeper && query.find((parameter) => parameter.name === deeper[1]);
    if (array) {
      const earlier = values.get(array);
      values.set(array, [...(Array.isArray(earlier) ? earlier : []), ...all]);
      continue;
    }
    const nested = /^([^[\]]+)\[([^\]]+)\]$/.exec(key);
    const deep = nested && query.find((p) => p.name === nested[1] && p.style === "deepObject");
    if (!deep) {
      errors.push(`query parameter ${key} is not declared`);
      continue;
    }
    const object = values.get(deep);
    values.set(deep, { ...(isObject(object) ? object : {}), [nested[2]!]: all.at(-1) });
  }
  for (const parameter of query) {
    const value = values.get(parameter);
    if (value === undefined) {
      if (parameter.required) errors.push(`query parameter ${parameter.name} is required`);
      continue;
    }
    errors.push(...errorsOf(value, parameter.schema, `query ${parameter.name}`));
  }
  return errors;
}

function securityErrors(route: Route, headers: Headers): string[] {
  const { document } = loaded();
  const requirements = route.operation.security ?? document.security ?? [];
  if (requirements.length === 0 || requirements.some((r) => Object.keys(r).length === 0)) return [];
  const authorization = headers.get("Authorization") ?? "";
  const met = requirements.some((requirement) =>
    Object.keys(requirement).every((name) => {
      const scheme = document.components.securitySchemes?.[name];
      return scheme?.type === "http" && new RegExp(`^${scheme.scheme}\\s`, "i").test(authorization);
    }),
  );
  return met ? [] : [`Authorization does not meet the security requirement ${JSON.stringify(requirements)}`];
}

/** A form's fields: files as their name (the schema says `string`; the bytes are the server's business). */
async function formValue(request: Request): Promise<JsonObject> {
  const form = await request.formData();
  return Object.fromEntries([...form.entries()].map(([key, value]) => [key, String(value)]));
}

async function requestErrors(route: Route, pathValues: Record<string, string>, request: Request) {
  const errors = [...securityErrors(route, request.headers), ...queryErrors(route, new URL(request.url))];
  for (const parameter of route.parameters) {
    if (parameter.in === "path") {
      errors.push(...errorsOf(pathValues[parameter.name], parameter.schema, `path ${parameter.name}`));
    } else if (parameter.in === "header") {
      const value = request.headers.get(parameter.name);
      if (value !== null) errors.push(...errorsOf(value, parameter.schema, `header ${parameter.name}`));
      else if (parameter.required) errors.push(`header ${parameter.name} is required`);
    }
  }
  return [...errors, ...(await requestBodyErrors(route, request))];
}

async function requestBodyErrors(route: Route, request: Request): Promise<string[]> {
  const url = new URL(request.url);
  // A parameter that makes the operation ignore the body (a copy) says so.
  const ignoring = route.parameters.some(
    (parameter) =>
      parameter.in === "query" && parameter["x-ignores-request-body"] && url.searchParams.has(parameter.name),
  );
  if (ignoring) return [];
  const requestBody = route.operation.requestBody && loaded().resolve(route.operation.requestBody);
  const contentType = request.headers.get("Content-Type");
  const multipart = baseMediaType(contentType) === "multipart/form-data";
  // A multipart body is read as a form only: its bits can be megabytes.
  const text = request.body && !multipart ? await request.text() : "";
  if (!request.body || (!multipart && text === "")) {
    return requestBody?.required ? ["the request body is required"] : [];
  }
  if (!requestBody) return ["the operation takes no request body"];
  const declared = declaredMedia(requestBody.content, contentType);
  if (!declared) return [`request Content-Type ${contentType} is not declared`];
  const schema = declared.media.schema;
  if (!schema) return [];
  const value = multipart ? await formValue(request) : bodyValue(declared.key, text, schema);
  return value === undefined ? [] : bodyErrors(value, schema, "request body");
}

function headerValue(header: Header, value: string): unknown {
  const type = loaded().resolve(header.schema).type;
  return (type === "integer" || type === "number") && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
}

async function responseErrors(method: string, described: ResponseObject, response: Response) {
  const { resolve } = loaded();
  const errors: string[] = [];
  for (const [name, ref] of Object.entries(described.headers ?? {})) {
    const header = resolve(ref);
    const value = response.headers.get(name);
    if (value === null) {
      if (header.required) errors.push(`response header ${name} is required`);
    } else {
      errors.push(...errorsOf(headerValue(header, value), header.schema, `response header ${name}`));
    }
  }
  const text = await response.text();
  const content = described.content;
  if (!content) return text === "" ? errors : [...errors, `a body is sent but none is described: ${text}`];
  if (text === "") {
    const emptyAllowed = method === "HEAD" || NULL_BODY_STATUSES.includes(response.status);
    return emptyAllowed ? errors : [...errors, "the body is empty but one is described"];
  }
  const contentType = response.headers.get("Content-Type");
  const declared = declaredMedia(content, contentType);
  if (!declared) return [...errors, `response Content-Type ${contentType} is not described`];
  const schema = declared.media.schema;
  const value = schema && bodyValue(declared.key, text, schema);
  if (schema && value !== undefined) errors.push(...bodyErrors(value, schema, "response body"));
  return errors;
}

/**
 * Throws a ContractViolation unless the document describes `response` as an answer to `request`
 * (and, for a success, accepts `request` in full). Both must be unread.
 */
export async function assertDescribed(request: Request, response: Response): Promise<void> {
  const url = new URL(request.url);
  const found = routeFor(request.method, url.pathname);
  const status = String(response.status);
  if (!found) {
    // The worker's answer to what it does not serve (404) is described; anything else is not.
    const unserved = loaded().document["x-unserved-requests"].responses[status];
    if (!unserved) {
      throw new ContractViolation(
        `${request.method} ${url.pathname}: the OpenAPI document describes no such operation (openapi/paths/*.yaml), and it answered ${status}`,
      );
    }
    const errors = await responseErrors(request.method, loaded().resolve(unserved), response);
    if (errors.length)
      throw new ContractViolation(
        report(`${request.method} ${url.pathname} (no operation) → ${status}`, errors),
      );
    return;
  }
  const { route, pathValues } = found;
  const responses = route.operation.responses;
  const ref = responses[status] ?? responses[`${status[0]}XX`] ?? responses.default;
  const where = `${route.method} ${route.template} → ${status}`;
  if (!ref) {
    throw new ContractViolation(`${where}: status ${status} is not described: ${await response.text()}`);
  }
  const errors = await responseErrors(route.method, loaded().resolve(ref), response);
  if (response.status < 400) errors.push(...(await requestErrors(route, pathValues, request)));
  if (errors.length) {
    throw new ContractViolation(report(`${where} (${request.method} ${url.pathname}${url.search})`, errors));
  }
}

function report(where: string, errors: string[]): string {
  const shown = errors.slice(0, SHOWN_ERRORS).join("\n  ");
  const more = errors.length > SHOWN_ERRORS ? `\n  (${errors.length - SHOWN_ERRORS} more)` : "";
  return `${where}:\n  ${shown}${more}`;
}

/** Cancels what is left of a request's body; one the client broke off is already as good as given up. */
async function giveUp(request: Request): Promise<void> {
  if (request.body && !request.bodyUsed) await request.body.cancel().catch(() => undefined);
}

/** `response` read whole, so it can be read twice and its waitUntil work awaited after. */
export async function buffered(response: Response): Promise<Response> {
  const bytes = await response.arrayBuffer();
  return new Response(NULL_BODY_STATUSES.includes(response.status) ? null : bytes, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
}

/**
 * Sends `request` with `send` and checks the exchange against the document; every helper that talks
 * to the worker goes through here. The response comes back whole (buffered), unread.
 */
export async function exchange(request: Request, send: (request: Request) => Response | Promise<Response>) {
  const sent = request.clone();
  const response = await buffered(await send(request));
  // The copy holds the client's stream open until it is read or given up: an error's request is not
  // read, and a body the worker gave up must reach its source as given up before the test looks.
  if (response.status >= 400) await giveUp(sent);
  try {
    await assertDescribed(sent, response.clone());
  } finally {
    await giveUp(sent);
  }
  return response;
}
