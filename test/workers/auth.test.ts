// UAA token checks on the seed route: every way a token can fail, and the ways it must succeed.
import { env } from "cloudflare:workers";
import { generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { NOT_AUTHENTICATED } from "./support/errors";
import { createWorld, grant, newUser, type World } from "./support/fixtures";
import { call, callWithEnv, cfError } from "./support/http";
import { logLines } from "./support/logs";
import { packageCount } from "./support/packages";
import { token } from "./support/tokens";

const DOCKER = { type: "docker", url: "docker://cloudfoundry/runtime-ci" };
const INVALID_TOKEN = cfError(1000, "CF-InvalidAuthToken", "Invalid Auth Token");

let world: World;
let developer: string;
const path = () => `/v3/apps/${world.appGuid}/packages`;
const create = (authorization: string | undefined) =>
  call("POST", path(), {
    body: DOCKER,
    headers: authorization === undefined ? {} : { Authorization: authorization },
  });

beforeAll(async () => {
  world = await createWorld();
  developer = newUser("developer");
  await grant(developer, "space_developer", world);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const b64url = (value: object) =>
  btoa(JSON.stringify(value)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");

describe("missing or non-bearer credentials: 401 CF-NotAuthenticated", () => {
  it.each([
    ["no Authorization header", undefined],
    ["an empty header", ""],
    ["basic credentials", "Basic dXNlcjpwYXNz"],
    ["a token without a scheme", "eyJhbGciOiJIUzI1NiJ9.e30.sig"],
  ])("%s", async (_case, authorization) => {
    const reply = await create(authorization);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
  });
});

describe("bad tokens: 401 CF-InvalidAuthToken", () => {
  it.each<[string, () => Promise<string>]>([
    ["expired", () => token(developer, { expiresIn: -3600 })],
    ["the seed document's own expired token", async () => SEED_TOKEN],
    ["wrong audience", () => token(developer, { claims: { aud: ["uaa"] } })],
    ["no audience", () => token(developer, { claims: { aud: undefined } })],
    ["no exp", () => token(developer, { claims: { exp: undefined } })],
    ["bad signature", () => token(developer, { secret: "not-the-secret" })],
    ["tampered payload", async () => tamper(await token(developer))],
    ["alg none", async () => `${b64url({ alg: "none", typ: "JWT" })}.${b64url(claims(developer))}.`],
    ["garbage", async () => "garbage"],
    ["three garbage segments", async () => "a.b.c"],
    ["neither user_id nor client_id", () => token(developer, { claims: { user_id: undefined } })],
    ["RS256 signed by an unknown key", () => foreignRs256Token(developer)],
  ])("%s", async (_case, makeToken) => {
    const reply = await create(`bearer ${await makeToken()}`);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });

  it("HS256 signed with the RSA public key as secret (algorithm confusion)", async () => {
    const publicJwk = JSON.parse(env.UAA_JWKS!).keys[0];
    const confused = await new SignJWT(claims(developer))
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(JSON.stringify(publicJwk)));
    const reply = await create(`bearer ${confused}`);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });

  it("a bearer scheme with nothing after it", async () => {
    const reply = await create("bearer");
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });
});

describe("tokens whose claims CC refuses or no header can carry: 401 before anything is written", () => {
  const exp = () => Math.floor(Date.now() / 1000) + 600;
  it.each<[string, () => Promise<string>]>([
    ["exp as a float", () => token(developer, { claims: { exp: exp() + 0.5 } })],
    ["exp as a string", () => token(developer, { claims: { exp: String(exp()) as unknown as number } })],
    ["a user_id with CR LF", () => token(`${developer}\r\nSet-Cookie: x=1`)],
    ["a user_id with LF", () => token(`${developer}\n`)],
    ["a user_id with NUL", () => token(`${developer}\u0000`)],
    ["a user_id with another control character", () => token(`${developer}\u0007`)],
    ["a user_id with DEL", () => token(`${developer}\u007f`)],
    ["a user_id with a tab", () => token(`${developer}\tx`)],
    ["a user_id with surrounding spaces", () => token(` ${developer} `)],
    [
      "a client_id with CR, and no user_id",
      () => token(developer, { claims: { user_id: undefined, client_id: `${developer}\r` } }),
    ],
  ])("%s", async (_case, makeToken) => {
    const before = await packageCount(world.appGuid);
    const reply = await create(`bearer ${await makeToken()}`);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
    expect(reply.headers.get("X-USER-GUID")).toBeNull();
    expect(await packageCount(world.appGuid)).toBe(before);
  });

  it("a user_id of non-ASCII text, or with spaces inside it, is still a user", async () => {
    for (const user of [newUser("ünïcode"), newUser("with space")]) {
      await grant(user, "space_developer", world);
      const reply = await create(`bearer ${await token(user)}`);
      expect(reply.status).toBe(201);
      expect(reply.headers.get("X-USER-GUID")).toBe(user);
    }
  });
});

describe("good tokens", () => {
  it.each(["bearer", "Bearer", "BEARER"])("scheme %s is accepted", async (scheme) => {
    const reply = await create(`${scheme} ${await token(developer)}`);
    expect(reply.status).toBe(201);
    expect(reply.headers.get("X-USER-GUID")).toBe(developer);
  });

  it.each(["HS384", "HS512"])("accepts %s tokens signed with the symmetric secret", async (alg) => {
    const signed = await new SignJWT(claims(developer))
      .setProtectedHeader({ alg, typ: "JWT" })
      .sign(new TextEncoder().encode("tokensecret"));
    const reply = await create(`bearer ${signed}`);
    expect(reply.status).toBe(201);
  });

  it("accepts RS256 tokens signed by a configured UAA key", async () => {
    const reply = await create(`bearer ${await token(developer, { alg: "RS256" })}`);
    expect(reply.status).toBe(201);
  });

  it("takes the user from client_id when there is no user_id", async () => {
    const client = newUser("client");
    await grant(client, "space_developer", world);
    const reply = await create(
      `bearer ${await token(client, { claims: { user_id: undefined, client_id: client } })}`,
    );
    expect(reply.status).toBe(201);
    expect(reply.headers.get("X-USER-GUID")).toBe(client);
  });

  it("accepts scopes given as a space-separated string", async () => {
    const reply = await create(
      `bearer ${await token(developer, { claims: { scope: "cloud_controller.read cloud_controller.write" } })}`,
    );
    expect(reply.status).toBe(201);
  });
});

describe("tokens already verified", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("stop being accepted once they expire", async () => {
    const bearer = `bearer ${await token(developer, { expiresIn: 5 })}`;
    expect((await create(bearer)).status).toBe(201);
    vi.useFakeTimers({ now: Date.now() + 120_000, toFake: ["Date"] });
    const reply = await create(bearer);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });

  it("are not taken on another configuration's word", async () => {
    const bearer = await token(developer);
    expect((await create(`bearer ${bearer}`)).status).toBe(201);
    const elsewhere = await callWithEnv({ UAA_SYMMETRIC_SECRET: undefined }, "POST", path(), {
      body: DOCKER,
      token: bearer,
    });
    expect(elsewhere.status).toBe(401);
  });
});

describe("issuer", () => {
  const issuer = { UAA_ISSUER: "https://uaa.example.org/oauth/token" };

  it("rejects a token from another issuer when one is configured", async () => {
    const wrong = await token(developer, { claims: { iss: "https://evil.example.org/oauth/token" } });
    const reply = await callWithEnv(issuer, "POST", path(), { body: DOCKER, token: wrong });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });

  it("rejects a token without an issuer when one is configured", async () => {
    const reply = await callWithEnv(issuer, "POST", path(), { body: DOCKER, token: await token(developer) });
    expect(reply.status).toBe(401);
  });

  it("accepts the configured issuer", async () => {
    const good = await token(developer, { claims: { iss: issuer.UAA_ISSUER } });
    const reply = await callWithEnv(issuer, "POST", path(), { body: DOCKER, token: good });
    expect(reply.status).toBe(201);
  });
});

describe("keys", () => {
  it("fails closed: with no key configured every token is rejected", async () => {
    const reply = await callWithEnv(
      { UAA_SYMMETRIC_SECRET: undefined, UAA_JWKS: undefined, UAA_JWKS_URL: undefined },
      "POST",
      path(),
      { body: DOCKER, token: await token(developer) },
    );
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });

  it("accepts the local-development secret only in development", async () => {
    const reply = await callWithEnv({ ENVIRONMENT: "production" }, "POST", path(), {
      body: DOCKER,
      token: await token(developer),
    });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(INVALID_TOKEN);
  });

  it("rejects HS256 tokens when only RSA keys are configured", async () => {
    const reply = await callWithEnv({ UAA_SYMMETRIC_SECRET: undefined }, "POST", path(), {
      body: DOCKER,
      token: await token(developer),
    });
    expect(reply.status).toBe(401);
  });

  it("fetches UAA's token keys from UAA_JWKS_URL", async () => {
    const keys = env.UAA_JWKS!;
    const requested: string[] = [];
    vi.stubGlobal("fetch", async (input: RequestInfo | URL) => {
      requested.push(String(input instanceof Request ? input.url : input));
      return new Response(keys, { headers: { "Content-Type": "application/json" } });
    });
    const url = "https://uaa.fetch-test.example.org/token_keys";
    const reply = await callWithEnv({ UAA_JWKS: undefined, UAA_JWKS_URL: url }, "POST", path(), {
      body: DOCKER,
      token: await token(developer, { alg: "RS256" }),
    });
    expect(reply.status).toBe(201);
    expect(requested).toEqual([url]);
  });

  it("answers 502 CF-UaaUnavailable when UAA's keys cannot be fetched", async () => {
    vi.stubGlobal("fetch", async () => {
      throw new TypeError("network connection lost");
    });
    const reply = await callWithEnv(
      { UAA_JWKS: undefined, UAA_JWKS_URL: "https://uaa.down.example.org/token_keys" },
      "POST",
      path(),
      { body: DOCKER, token: await token(developer, { alg: "RS256" }) },
    );
    expect(reply.status).toBe(502);
    expect(reply.json).toEqual(
      cfError(20004, "CF-UaaUnavailable", "The UAA service is currently unavailable"),
    );
  });

  it("answers 502 CF-UaaUnavailable when UAA answers its keys' request with an error, and logs it", async () => {
    vi.stubGlobal("fetch", async () => new Response("upstream down", { status: 503 }));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const url = "https://uaa.failing.example.org/token_keys";
    const reply = await callWithEnv({ UAA_JWKS: undefined, UAA_JWKS_URL: url }, "POST", path(), {
      body: DOCKER,
      token: await token(developer, { alg: "RS256" }),
    });
    expect(reply.status).toBe(502);
    expect(reply.json).toEqual(
      cfError(20004, "CF-UaaUnavailable", "The UAA service is currently unavailable"),
    );
    expect(logLines(errors)).toContainEqual({
      level: "error",
      message: "UAA token keys not fetched",
      url,
      error: { message: "UAA answered 503" },
    });
  });

  it("answers 401, not 502, when UAA's keys arrive but none of them can verify the token", async () => {
    const [key] = JSON.parse(env.UAA_JWKS!).keys;
    // key_ops must be a list: WebCrypto refuses a string (a TypeError), so the key cannot be imported.
    const broken = JSON.stringify({ keys: [{ ...key, key_ops: "verify" }] });
    vi.stubGlobal(
      "fetch",
      async () => new Response(broken, { headers: { "Content-Type": "application/json" } }),
    );
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const reply = await callWithEnv(
      { UAA_JWKS: undefined, UAA_JWKS_URL: "https://uaa.broken-keys.example.org/token_keys" },
      "POST",
      path(),
      { body: DOCKER, token: await token(developer, { alg: "RS256" }) },
    );
    expect(reply.json).toEqual(cfError(1000, "CF-InvalidAuthToken", "Invalid Auth Token"));
    expect(reply.status).toBe(401);
    expect(errors).not.toHaveBeenCalled();
  });
});

const SEED_TOKEN =
  "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyX2lkIjoidWFhLWlkLTM3MCIsImVtYWlsIjoiZW1haWwtMjY3QHNvbWVkb21haW4uY29tIiwic2NvcGUiOlsiY2xvdWRfY29udHJvbGxlci5yZWFkIiwiY2xvdWRfY29udHJvbGxlci53cml0ZSJdLCJhdWQiOlsiY2xvdWRfY29udHJvbGxlciJdLCJleHAiOjE0NDI2MDE1NDh9.h8cggPbZ1VOkrWtk36k7NebYNPLfoJp__Mj5DG8n1E0";

function claims(user: string) {
  return {
    user_id: user,
    scope: ["cloud_controller.read", "cloud_controller.write"],
    aud: ["cloud_controller"],
    exp: Math.floor(Date.now() / 1000) + 600,
  };
}

function tamper(jwt: string): string {
  const [header, , signature] = jwt.split(".");
  return `${header}.${b64url({ ...claims("someone-else"), scope: ["cloud_controller.admin"] })}.${signature}`;
}

async function foreignRs256Token(user: string): Promise<string> {
  const { privateKey } = await generateKeyPair("RS256", { extractable: true });
  const kid = JSON.parse(env.UAA_JWKS!).keys[0].kid;
  return new SignJWT(claims(user)).setProtectedHeader({ alg: "RS256", kid }).sign(privateKey);
}
