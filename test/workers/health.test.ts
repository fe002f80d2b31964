// GET /healthz (liveness, no token, no D1) and GET /readyz (D1 and R2 reachable), as a load balancer calls them.
import { afterEach, describe, expect, it, vi } from "vitest";
import { call, callWithEnv } from "./support/http";

afterEach(() => vi.restoreAllMocks());

/** A binding whose every call fails, as one does when its service is down. */
function failing<T extends object>(): T {
  return new Proxy({} as T, {
    get: () => () => {
      throw new Error("binding unavailable");
    },
  });
}

describe("GET /healthz", () => {
  it("answers 200 OK without a token and without a D1 round trip", async () => {
    const reply = await call("GET", "/healthz");
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("OK");
    expect(reply.headers.get("Server-Timing")).toBe('d1;desc="rt=0 rr=0 rw=0"');
  });

  it("answers even when D1 and R2 are down", async () => {
    const reply = await callWithEnv({ DB: failing(), BITS: failing() }, "GET", "/healthz");
    expect(reply.status).toBe(200);
    expect(reply.text).toBe("OK");
  });
});

describe("GET /readyz", () => {
  it("answers 200 when D1 and R2 answer", async () => {
    const reply = await call("GET", "/readyz");
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ status: "ok", checks: { d1: "ok", r2: "ok" } });
    expect(reply.headers.get("Server-Timing")).toBe('d1;desc="rt=1 rr=0 rw=0"');
  });

  it("answers 503 naming D1 when D1 fails, and logs why", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await callWithEnv({ DB: failing() }, "GET", "/readyz");
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ status: "unavailable", checks: { d1: "unavailable", r2: "ok" } });
    const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(logged).toContainEqual(
      expect.objectContaining({ level: "error", message: "readiness check failed", part: "d1" }),
    );
  });

  it("answers 503 naming R2 when R2 fails", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await callWithEnv({ BITS: failing() }, "GET", "/readyz");
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({ status: "unavailable", checks: { d1: "ok", r2: "unavailable" } });
  });

  it("answers 503 naming both when both fail", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await callWithEnv({ DB: failing(), BITS: failing() }, "GET", "/readyz");
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual({
      status: "unavailable",
      checks: { d1: "unavailable", r2: "unavailable" },
    });
  });
});
