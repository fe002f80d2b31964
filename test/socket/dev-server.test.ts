// `npm start` (wrangler dev), as a developer runs it, with a port and a persistence directory of its own.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { loadOpenApi } from "../../scripts/openapi.mjs";
import { describeConnectionReuse, SERVER_VARS } from "./support/cases";
import { KeepAliveClient } from "./support/client";
import { serveForTests, startDevServer } from "./support/servers";

const swaggerUi = (file: string) =>
  readFileSync(createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`), "utf8");

describe("npm start -- --port --persist-to", () => {
  const server = serveForTests(() => startDevServer(SERVER_VARS));
  describeConnectionReuse(server, { bundle: false });

  // The static assets scripts/assets.mjs builds into public/, served before the worker runs.
  describe("the OpenAPI document and the /docs reference page", () => {
    const get = (path: string) => fetch(new URL(path, server().origin), { redirect: "manual" });

    it("GET /v3/openapi.json answers the document joined from openapi/, as JSON", async () => {
      const response = await get("/v3/openapi.json");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("application/json");
      const document = await response.json();
      expect(document).toEqual(loadOpenApi());
      expect(document).toMatchObject({ openapi: "3.1.0" });
    });

    it("GET /docs answers the page, openapi/docs.html", async () => {
      const response = await get("/docs");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(await response.text()).toBe(readFileSync("openapi/docs.html", "utf8"));
    });

    it.each(["swagger-ui-bundle.js", "swagger-ui.css"])(
      "GET /docs/swagger-ui/%s answers swagger-ui-dist's file",
      async (file) => {
        const response = await get(`/docs/swagger-ui/${file}`);
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toBe(
          file.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
        );
        expect(await response.text()).toBe(swaggerUi(file));
      },
    );

    // html_handling = "auto-trailing-slash": the page has one address, the others send the browser there.
    it.each(["/docs/", "/docs.html"])("GET %s redirects to /docs", async (path) => {
      const response = await get(path);
      expect(response.status).toBe(307);
      expect(response.headers.get("location")).toBe("/docs");
    });

    it("a path under /docs that is no asset reaches the worker: CF's 404", async () => {
      const response = await get("/docs/swagger-ui/");
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({
        errors: [{ detail: "Unknown request", title: "CF-NotFound", code: 10000 }],
      });
    });
  });
});

// The rate limiter needs the REQUEST_COUNTER Durable Object, which wrangler dev binds from wrangler.toml
// (the bench's bundle server binds none). Its own server: a limit of 2 would refuse the other tests.
describe("npm start with RATE_LIMIT_UNAUTHENTICATED=2", () => {
  const server = serveForTests(() => startDevServer({ ...SERVER_VARS, RATE_LIMIT_UNAUTHENTICATED: "2" }));

  it("counts unauthenticated requests in CC's headers, answers an upload past the limit 429 before reading it, and the connection serves on", async () => {
    const client = new KeepAliveClient(server().origin);
    const upload = () =>
      client.send({
        method: "POST",
        path: `/v3/packages/${crypto.randomUUID()}/upload`,
        headers: { "Content-Type": "multipart/form-data; boundary=socket-test-boundary" },
        body: randomBytes(3 * 1024 * 1024),
      });
    const limits = (reply: Awaited<ReturnType<typeof upload>>) => ({
      status: reply.status,
      limit: reply.headers["x-ratelimit-limit"],
      remaining: reply.headers["x-ratelimit-remaining"],
    });
    try {
      const first = await upload();
      expect(limits(first)).toEqual({ status: 401, limit: "2", remaining: "1" });
      const second = await client.send({ method: "GET", path: "/v3/packages" });
      expect(limits(second)).toEqual({ status: 401, limit: "2", remaining: "0" });

      const refused = await upload();
      expect(limits(refused)).toEqual({ status: 429, limit: "2", remaining: "0" });
      expect(refused.headers["retry-after"]).toBe(refused.headers["x-ratelimit-reset"]);
      expect(Number(refused.headers["x-ratelimit-reset"])).toBeGreaterThan(Date.now() / 1000);
      expect(refused.headers["content-type"]).toBe("text/plain; charset=utf-8");
      expect(refused.json).toEqual({
        errors: [
          {
            detail:
              "Rate Limit Exceeded: Unauthenticated requests from this IP address have exceeded the limit. Please log in.",
            title: "CF-IPBasedRateLimitExceeded",
            code: 10014,
          },
        ],
      });
      expect(refused.socket).toBe(first.socket);

      // /v3 is never limited: the same socket still answers it.
      const root = await client.send({ method: "GET", path: "/v3" });
      expect(root.status).toBe(200);
      expect(root.reusedSocket).toBe(true);
      expect(root.socket).toBe(refused.socket);
    } finally {
      client.close();
    }
  });
});
