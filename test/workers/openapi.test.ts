// The OpenAPI document against the app: every route the app serves is described, every described
// operation is served; and the contract check itself, on exchanges made up to break it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { uaaDevRouter } from "../../src/uaa-dev/routes";
import { BASE } from "./support/http";
import { assertDescribed, ContractViolation } from "./support/openapi";

/** Described, and served by Workers static assets rather than the app. */
const STATIC_ASSETS = ["GET /v3/openapi.json"];

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** The routes of the app src/index.ts serves (deploys leave out the development UAA's two). */
function served(): string[] {
  const routes = createApp([uaaDevRouter])
    .routes.filter((route) => route.method !== "ALL")
    .map((route) => `${route.method} ${route.path.replace(/:([^/]+)/g, "{$1}")}`);
  return [...new Set(routes)].sort();
}

function described(): string[] {
  const paths = (JSON.parse(env.TEST_OPENAPI) as { paths: Record<string, Record<string, unknown>> }).paths;
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      METHODS.filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`),
    )
    .sort();
}

describe("the OpenAPI document", () => {
  it("describes every route the app serves", () => {
    const routes = served();
    expect(routes).toHaveLength(37);
    expect(routes.filter((route) => !described().includes(route))).toEqual([]);
  });

  it("describes nothing the app does not serve, but its static assets", () => {
    expect(described().filter((operation) => !served().includes(operation))).toEqual(STATIC_ASSETS);
  });
});

const PACKAGE_GUID = "8c7b1a9e-3f1e-4f7e-9d55-5a0f1d2e3c4b";
const APP_GUID = "5e0f2c1d-9a8b-4c7d-8e6f-1a2b3c4d5e6f";
const REQUEST_ID = "0d4b7a3e-7c1f-4c2e-8d7b-2f1a6e9c5b30";

const page = {
  pagination: {
    total_results: 0,
    total_pages: 1,
    first: { href: `${BASE}/v3/packages?page=1&per_page=50` },
    last: { href: `${BASE}/v3/packages?page=1&per_page=50` },
    next: null,
    previous: null,
  },
  resources: [],
};

const dockerPackage = {
  guid: PACKAGE_GUID,
  created_at: "2026-01-02T03:04:05Z",
  updated_at: "2026-01-02T03:04:05Z",
  type: "docker",
  data: { image: "registry/image:1", username: null, password: null },
  state: "READY",
  relationships: { app: { data: { guid: APP_GUID } } },
  metadata: { labels: {}, annotations: {} },
  links: {
    self: { href: `${BASE}/v3/packages/${PACKAGE_GUID}` },
    app: { href: `${BASE}/v3/apps/${APP_GUID}` },
  },
};

function answer(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      "Content-Type": "application/json;charset=utf-8",
      "X-VCAP-Request-ID": REQUEST_ID,
      "Server-Timing": 'd1;desc="rt=1 rr=0 rw=0"',
      "X-USER-GUID": "user-7",
      ...headers,
    },
  });
}

const get = (path: string) => new Request(`${BASE}${path}`, { headers: { Authorization: "bearer t" } });

const rejection = (request: Request, response: Response) =>
  assertDescribed(request, response).then(
    () => undefined,
    (error: unknown) => (error instanceof ContractViolation ? error.message : error),
  );

describe("the contract check", () => {
  it("passes an exchange the document describes", async () => {
    expect(await rejection(get("/v3/packages?per_page=50"), answer(200, page))).toBeUndefined();
  });

  it("fails a response with a status the operation does not describe", async () => {
    expect(await rejection(get("/v3/packages"), answer(409, page))).toBe(
      `GET /v3/packages → 409: status 409 is not described: ${JSON.stringify(page)}`,
    );
  });

  it("fails a body the schema does not allow, naming where", async () => {
    const message = await rejection(get("/v3/packages"), answer(200, { ...page, resources: [{ guid: 7 }] }));
    expect(message).toMatch(/^GET \/v3\/packages → 200 \(GET \/v3\/packages\):\n {2}response body/);
    expect(message).toContain("/resources/0");
  });

  it("fails a response without a header the document requires", async () => {
    const response = answer(200, page);
    response.headers.delete("Server-Timing");
    expect(await rejection(get("/v3/packages"), response)).toContain(
      "response header Server-Timing is required",
    );
  });

  it("fails a successful request with a parameter the operation does not declare", async () => {
    expect(await rejection(get("/v3/packages?colour=blue"), answer(200, page))).toContain(
      "query parameter colour is not declared",
    );
  });

  it("fails a successful request whose body the operation does not accept", async () => {
    const patch = (body: unknown) =>
      new Request(`${BASE}/v3/packages/${PACKAGE_GUID}`, {
        method: "PATCH",
        headers: { Authorization: "bearer t", "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
    const accepted = { metadata: { labels: { tier: "web" } } };
    expect(await rejection(patch(accepted), answer(200, dockerPackage))).toBeUndefined();
    expect(await rejection(patch({ colour: "blue" }), answer(200, dockerPackage))).toBe(
      `PATCH /v3/packages/{guid} → 200 (PATCH /v3/packages/${PACKAGE_GUID}):\n` +
        '  request body: Property "colour" does not match additional properties schema.\n' +
        "  request body/colour: False boolean schema.",
    );
  });

  it("lets an error answer a request the document does not accept, if the operation is known", async () => {
    const errors = { errors: [{ detail: "bad", title: "CF-BadQueryParameter", code: 10005 }] };
    expect(await rejection(get("/v3/packages?colour=blue"), answer(400, errors))).toBeUndefined();
    expect(await rejection(get("/v3/packages?colour=blue"), answer(400, { errors: [] }))).toContain(
      "response body/errors",
    );
  });

  it("fails a request to an operation the document does not describe, unless answered 404 CF-NotFound", async () => {
    const unknown = { errors: [{ detail: "Unknown request", title: "CF-NotFound", code: 10000 }] };
    expect(await rejection(get("/v3/packets"), answer(404, unknown))).toBeUndefined();
    expect(await rejection(get("/v3/packets"), answer(200, page))).toBe(
      "GET /v3/packets: the OpenAPI document describes no such operation (openapi/paths/*.yaml), and it answered 200",
    );
  });
});
