// An unexpected failure (here: D1 missing a table) is a 500 CF-UnknownError that leaks nothing and is
// logged with the request id. Storage is isolated per test file, so breaking the schema stays here.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorld, grant, newUser } from "./support/fixtures";
import { call } from "./support/http";
import { token } from "./support/tokens";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("unexpected failures", () => {
  it("answer 500 CF-UnknownError without SQL, stack or binding names, logged with the request id", async () => {
    const world = await createWorld();
    const user = newUser();
    await grant(user, "space_developer", world);
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    await env.DB.exec("DROP TABLE roles");

    const reply = await call("POST", `/v3/apps/${world.appGuid}/packages`, {
      body: { type: "bits" },
      token: await token(user),
      headers: { "X-VCAP-Request-ID": "trace-me" },
    });

    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({
      errors: [{ detail: "An unknown error occurred.", title: "UnknownError", code: 10001 }],
    });
    expect(reply.text).not.toMatch(/roles|select|D1|sqlite|DB/i);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    const requestId = reply.headers.get("X-VCAP-Request-ID")!;
    expect(requestId).toMatch(/^trace-me::/);
    expect(logged).toHaveBeenCalledWith(`request ${requestId} failed:`, expect.stringContaining("roles"));
  });
});
