// A malformed var fails closed: every request answers 503 and the cron does nothing, with one log line
// naming the var and why — never its value.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { packageRow, runScheduled, setTimes } from "./support/bits";
import { addPackage, createWorld } from "./support/fixtures";
import { BASE, call, callWithEnv, cfError, read } from "./support/http";
import { logLines } from "./support/logs";
import { exchange } from "./support/openapi";

afterEach(() => vi.restoreAllMocks());

const UNAVAILABLE = cfError(10015, "CF-ServiceUnavailable", "The service is unavailable");

describe("a malformed var", () => {
  it("answers every request 503, logging once which var and why", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const misconfigured = { ...env, MAX_PACKAGE_SIZE: "9O MB" };
    for (const path of ["/", "/v3/packages"]) {
      const ctx = createExecutionContext();
      const request = new Request(new URL(path, BASE));
      const reply = await read(await exchange(request, (sent) => worker.fetch(sent, misconfigured, ctx)));
      await waitOnExecutionContext(ctx);
      expect(reply.status).toBe(503);
      expect(reply.json).toEqual(UNAVAILABLE);
    }
    expect(logLines(errors)).toEqual([
      {
        level: "error",
        message: "config invalid: every request answers 503",
        invalid: [{ var: "MAX_PACKAGE_SIZE", reason: "not a number" }],
        error: { message: "malformed vars" },
      },
    ]);
  });

  it("names each malformed var, and never logs a value", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await callWithEnv(
      {
        UAA_JWKS: "secret-looking {not json",
        DOWNLOAD_URL_TTL_SECONDS: "-5",
        UAA_JWKS_URL: "uaa/token_keys",
      },
      "GET",
      "/v3",
    );
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual(UNAVAILABLE);
    const [line] = logLines(errors);
    expect(line!.invalid).toEqual([
      { var: "UAA_JWKS_URL", reason: "not a URL" },
      { var: "UAA_JWKS", reason: "not a JSON Web Key Set" },
      { var: "DOWNLOAD_URL_TTL_SECONDS", reason: "not positive" },
    ]);
    expect(JSON.stringify(errors.mock.calls)).not.toMatch(/secret-looking|token_keys|-5/);
  });

  it("takes a key set with keys that are not JSON Web Keys as malformed", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await callWithEnv({ UAA_JWKS: '{"keys":["a key"]}' }, "GET", "/v3");
    expect(reply.status).toBe(503);
    expect(reply.json).toEqual(UNAVAILABLE);
    expect(logLines(errors)[0]!.invalid).toEqual([{ var: "UAA_JWKS", reason: "not a JSON Web Key Set" }]);
  });

  it("stops the cron from running its tasks", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const world = await createWorld();
    const stuck = await addPackage(world.appGuid, { state: "PROCESSING_UPLOAD" });
    await setTimes(stuck, Math.floor(Date.now() / 1000) - 3600);
    await runScheduled({ PACKAGE_STUCK_TIMEOUT_SECONDS: "60", MAX_PACKAGE_ENTRIES: "many" });
    expect((await packageRow(stuck)).state).toBe("PROCESSING_UPLOAD");
  });

  it("unset vars take their defaults; set ones are read", async () => {
    const reply = await callWithEnv(
      { MAX_PACKAGE_SIZE: undefined, EXTERNAL_URL: "https://api.example.com/" },
      "GET",
      "/v3",
    );
    expect(reply.status).toBe(200);
    expect(reply.json.links.self.href).toBe("https://api.example.com/v3");
    expect((await call("GET", "/healthz")).status).toBe(200);
  });
});
