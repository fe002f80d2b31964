// GET / and GET /v3: CC's link documents, served without a token.
import { describe, expect, it } from "vitest";
import { BASE, call, callWithEnv } from "./support/http";

describe("GET /", () => {
  it("links the v3 API on the request's origin; login and uaa are null when not configured", async () => {
    // Development links its UAA stand-in instead (uaa-dev.test.ts).
    const reply = await callWithEnv({ ENVIRONMENT: "production" }, "GET", "/");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.json).toEqual({
      links: {
        self: { href: BASE },
        cloud_controller_v3: { href: `${BASE}/v3`, meta: { version: "3.160.0" } },
        login: null,
        uaa: null,
      },
    });
  });

  it("links the configured external URL, login server and UAA", async () => {
    const reply = await callWithEnv(
      {
        EXTERNAL_URL: "https://api.example.com/",
        UAA_URL: "https://uaa.example.com",
        LOGIN_URL: "https://login.example.com",
      },
      "GET",
      "/",
    );
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      links: {
        self: { href: "https://api.example.com" },
        cloud_controller_v3: { href: "https://api.example.com/v3", meta: { version: "3.160.0" } },
        login: { href: "https://login.example.com" },
        uaa: { href: "https://uaa.example.com" },
      },
    });
  });

  it("links only what is configured", async () => {
    const reply = await callWithEnv({ UAA_URL: "https://uaa.example.com" }, "GET", "/");
    expect(reply.json.links.login).toBeNull();
    expect(reply.json.links.uaa).toEqual({ href: "https://uaa.example.com" });
  });
});

describe("GET /v3", () => {
  const links = (base: string) => ({
    links: {
      self: { href: `${base}/v3` },
      apps: { href: `${base}/v3/apps` },
      audit_events: { href: `${base}/v3/audit_events` },
      droplets: { href: `${base}/v3/droplets` },
      jobs: { href: `${base}/v3/jobs` },
      organizations: { href: `${base}/v3/organizations` },
      packages: { href: `${base}/v3/packages` },
      resource_matches: { href: `${base}/v3/resource_matches` },
      roles: { href: `${base}/v3/roles` },
      spaces: { href: `${base}/v3/spaces` },
    },
  });

  it("lists the v3 resources, self first, with no token needed", async () => {
    const reply = await call("GET", "/v3");
    expect(reply.status).toBe(200);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.json).toEqual(links(BASE));
    expect(Object.keys(reply.json.links)[0]).toBe("self");
  });

  it("uses the external URL when configured", async () => {
    const reply = await callWithEnv({ EXTERNAL_URL: "https://api.example.com" }, "GET", "/v3");
    expect(reply.json).toEqual(links("https://api.example.com"));
  });
});
