// CC's rate limiter: per user by token, per IP address without one, CC's headers and 429 bodies; off
// unless configured; the root, /v3 and admins are not limited.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { NOT_AUTHENTICATED } from "./support/errors";
import { callWithEnv, cfError } from "./support/http";
import { logLines } from "./support/logs";
import { adminToken, READ_WRITE, token } from "./support/tokens";

const LIMITS = {
  RATE_LIMIT_GENERAL: "2",
  RATE_LIMIT_UNAUTHENTICATED: "1",
  RATE_LIMIT_RESET_INTERVAL_MINUTES: "60",
};
const RATE_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After"];

const headersOf = (reply: { headers: Headers }) =>
  Object.fromEntries(RATE_HEADERS.map((name) => [name, reply.headers.get(name)]));

/** The reset a window opened now announces: now plus the interval, in epoch seconds (a second's slack). */
function expectReset(value: string | null, from: number) {
  const reset = Number(value);
  expect(reset).toBeGreaterThanOrEqual(from + 3600);
  expect(reset).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 3600);
}

const ip = () => `203.0.113.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID()}`;

describe("per user", () => {
  it("counts a user's requests, says what is left, and refuses the one past the limit with CC's 429", async () => {
    const from = Math.floor(Date.now() / 1000);
    const bearer = await token(crypto.randomUUID(), { scopes: READ_WRITE });
    const first = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
    expect(first.status).toBe(200);
    expect(headersOf(first)).toEqual({
      "X-RateLimit-Limit": "2",
      "X-RateLimit-Remaining": "1",
      "X-RateLimit-Reset": first.headers.get("X-RateLimit-Reset"),
      "Retry-After": null,
    });
    expectReset(first.headers.get("X-RateLimit-Reset"), from);
    const second = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
    expect(second.status).toBe(200);
    expect(second.headers.get("X-RateLimit-Remaining")).toBe("0");
    const refused = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Content-Type")).toBe("text/plain; charset=utf-8");
    expect(headersOf(refused)).toEqual({
      "X-RateLimit-Limit": "2",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": first.headers.get("X-RateLimit-Reset"),
      "Retry-After": first.headers.get("X-RateLimit-Reset"),
    });
    expect(refused.json).toEqual({
      errors: [{ detail: "Rate Limit Exceeded", title: "CF-RateLimitExceeded", code: 10013 }],
    });
    // Another user has a count of their own.
    const other = await callWithEnv(LIMITS, "GET", "/v3/packages", {
      token: await token(crypto.randomUUID(), { scopes: READ_WRITE }),
    });
    expect(other.status).toBe(200);
    expect(other.headers.get("X-RateLimit-Remaining")).toBe("1");
  });

  it("does not limit admins", async () => {
    const bearer = await adminToken(crypto.randomUUID());
    for (let i = 0; i < 3; i++) {
      const reply = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
      expect(reply.status).toBe(200);
      expect(headersOf(reply)).toEqual(Object.fromEntries(RATE_HEADERS.map((name) => [name, null])));
    }
  });

  it("does not limit read-only admins either", async () => {
    const bearer = await token(crypto.randomUUID(), { scopes: ["cloud_controller.admin_read_only"] });
    for (let i = 0; i < 3; i++) {
      const reply = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
      expect(reply.status).toBe(200);
      expect(headersOf(reply)).toEqual(Object.fromEntries(RATE_HEADERS.map((name) => [name, null])));
    }
  });

  it("does not limit users when only RATE_LIMIT_UNAUTHENTICATED is set, though addresses are", async () => {
    const only = { RATE_LIMIT_UNAUTHENTICATED: "1" };
    const bearer = await token(crypto.randomUUID(), { scopes: READ_WRITE });
    const headers = { "CF-Connecting-IP": ip() };
    for (let i = 0; i < 3; i++) {
      const reply = await callWithEnv(only, "GET", "/v3/packages", { token: bearer, headers });
      expect(reply.status).toBe(200);
      expect(headersOf(reply)).toEqual(Object.fromEntries(RATE_HEADERS.map((name) => [name, null])));
    }
    expect((await callWithEnv(only, "GET", "/v3/packages", { headers })).status).toBe(401);
    expect((await callWithEnv(only, "GET", "/v3/packages", { headers })).status).toBe(429);
  });
});

describe("windows", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("start counting again once the reset time has passed, with a new reset", async () => {
    // Valid past the window's end, so the caller is still a user there and not an address.
    const bearer = await token(crypto.randomUUID(), { scopes: READ_WRITE, expiresIn: 7200 });
    for (let i = 0; i < 2; i++) await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
    const refused = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
    expect(refused.status).toBe(429);
    const reset = Number(refused.headers.get("X-RateLimit-Reset"));
    vi.useFakeTimers({ now: (reset + 1) * 1000, toFake: ["Date"] });
    const again = await callWithEnv(LIMITS, "GET", "/v3/packages", { token: bearer });
    expect(again.status).toBe(200);
    expect(headersOf(again)).toEqual({
      "X-RateLimit-Limit": "2",
      "X-RateLimit-Remaining": "1",
      "X-RateLimit-Reset": String(reset + 1 + 3600),
      "Retry-After": null,
    });
  });
});

describe("per IP address, without a valid token", () => {
  it("counts the address, then answers CC's IP-based 429", async () => {
    const headers = { "CF-Connecting-IP": ip() };
    const first = await callWithEnv(LIMITS, "GET", "/v3/packages", { headers });
    expect(first.status).toBe(401);
    expect(first.json).toEqual(NOT_AUTHENTICATED);
    expect(first.headers.get("X-RateLimit-Limit")).toBe("1");
    expect(first.headers.get("X-RateLimit-Remaining")).toBe("0");
    const refused = await callWithEnv(LIMITS, "GET", "/v3/packages", {
      headers: { ...headers, Authorization: "bearer not-a-token" },
    });
    expect(refused.status).toBe(429);
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
  });
});

describe("when UAA cannot be reached", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("answers 502 CF-UaaUnavailable every time, never counting the token's caller as an unauthenticated IP", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("network connection lost");
    });
    vi.spyOn(console, "error").mockImplementation(() => {});
    const overrides = {
      ...LIMITS,
      UAA_JWKS: undefined,
      UAA_JWKS_URL: "https://uaa.down-rate-limit.example.org/token_keys",
    };
    const bearer = await token(crypto.randomUUID(), { scopes: READ_WRITE, alg: "RS256" });
    const headers = { "CF-Connecting-IP": ip() };
    for (let i = 0; i < 2; i++) {
      const reply = await callWithEnv(overrides, "GET", "/v3/packages", { token: bearer, headers });
      expect(reply.status).toBe(502);
      expect(reply.json).toEqual(
        cfError(20004, "CF-UaaUnavailable", "The UAA service is currently unavailable"),
      );
      expect(headersOf(reply)).toEqual(Object.fromEntries(RATE_HEADERS.map((name) => [name, null])));
    }
  });
});

describe("when the counter cannot answer", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it("answers 503 CF-ServiceUnavailable, not a 500, and logs why", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const overloaded = {
      idFromName: () => ({}),
      get: () => ({
        count: async () => {
          throw new Error("Durable Object is overloaded. Too many requests queued.");
        },
      }),
    } as unknown as Cloudflare.Env["REQUEST_COUNTER"];
    const reply = await callWithEnv({ ...LIMITS, REQUEST_COUNTER: overloaded }, "GET", "/v3/packages", {
      token: await token(crypto.randomUUID(), { scopes: READ_WRITE }),
    });
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual(cfError(10015, "CF-ServiceUnavailable", "The service is unavailable"));
    expect(headersOf(reply)).toEqual(Object.fromEntries(RATE_HEADERS.map((name) => [name, null])));
    expect(logLines(errors)).toEqual([
      expect.objectContaining({
        level: "error",
        message: "rate limit counter unavailable",
        error: expect.objectContaining({
          message: "Durable Object is overloaded. Too many requests queued.",
        }),
      }),
    ]);
  });
});

describe("exemptions", () => {
  it.each(["/", "/v3", "/healthz", "/readyz"])("%s is never limited", async (path) => {
    const headers = { "CF-Connecting-IP": ip() };
    for (let i = 0; i < 3; i++) {
      const reply = await callWithEnv(LIMITS, "GET", path, { headers });
      expect(reply.status).toBe(200);
      expect(reply.headers.get("X-RateLimit-Limit")).toBeNull();
    }
  });

  it("is off unless configured: no headers, no refusal", async () => {
    const bearer = await token(crypto.randomUUID(), { scopes: READ_WRITE });
    for (let i = 0; i < 4; i++) {
      const reply = await callWithEnv({}, "GET", "/v3/packages", { token: bearer });
      expect(reply.status).toBe(200);
      expect(headersOf(reply)).toEqual(Object.fromEntries(RATE_HEADERS.map((name) => [name, null])));
    }
  });
});

describe("what the counters keep", () => {
  it("nothing once a window ends: its object's alarm deletes the window an address left", async () => {
    const address = ip();
    const reply = await callWithEnv(LIMITS, "GET", "/v3/packages", {
      headers: { "CF-Connecting-IP": address },
    });
    expect(reply.status).toBe(401);
    const counter = env.REQUEST_COUNTER.get(env.REQUEST_COUNTER.idFromName(`ip:${address}`));
    const [kept, alarm] = await runInDurableObject(counter, async (_, state) => [
      [...(await state.storage.list()).keys()],
      await state.storage.getAlarm(),
    ]);
    expect(kept).toEqual(["window"]);
    // At the end of the window the reset header announced, and a second after it.
    expect(alarm).toBe((Number(reply.headers.get("X-RateLimit-Reset")) + 1) * 1000);

    expect(await runDurableObjectAlarm(counter)).toBe(true);
    expect(await runInDurableObject(counter, async (_, state) => (await state.storage.list()).size)).toBe(0);
  });
});
