// An unexpected failure (here: D1 missing a table) is a 500 CF-UnknownError that leaks nothing and is
// logged with the request id. The table is renamed away and back, so the file's other tests keep it.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWorld, grant, newUser } from "./support/fixtures";
import { call, type Reply } from "./support/http";
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
    const bearer = await token(user);
    await env.DB.exec("ALTER TABLE roles RENAME TO roles_away");
    let reply: Reply;
    try {
      reply = await call("POST", `/v3/apps/${world.appGuid}/packages`, {
        body: { type: "bits" },
        token: bearer,
        headers: { "X-VCAP-Request-ID": "trace-me" },
      });
    } finally {
      await env.DB.exec("ALTER TABLE roles_away RENAME TO roles");
    }

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
