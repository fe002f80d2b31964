// The development UAA stand-in: UAA's wire format for the cf CLI's login and refresh, its tokens accepted
// by this API, every grant error as UAA answers it, and its absence in any non-development configuration.
import { decodeJwt } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { signAccessToken, signRefreshToken, type TokenSubject } from "../../src/uaa-dev/tokens";
import {
  CF_CLIENT_BASIC,
  CLI_USER_AGENT,
  cli,
  passwordGrant,
  refreshGrant,
  uaaRequest,
} from "./support/cf-cli";
import { createWorld, grant } from "./support/fixtures";
import { BASE, call, callWithEnv, cfError } from "./support/http";

const ISSUER = `${BASE}/oauth/token`;
const DEVELOPER_SCOPES = ["openid", "uaa.user", "cloud_controller.read", "cloud_controller.write"];
const DEVELOPER: TokenSubject = {
  userId: "uaa-id-370",
  userName: "demo-developer",
  email: "demo-developer@example.com",
  scopes: DEVELOPER_SCOPES,
};
const JTI = /^[0-9a-f]{32}$/;

const oauthError = (error: string, description: string) => ({ error, error_description: description });
const BAD_CREDENTIALS = oauthError("unauthorized", "Bad credentials");
const INVALID_REFRESH_TOKEN = oauthError("invalid_token", "Invalid refresh token.");

/** The claims UAA puts in a password-grant access token for the demo developer. */
function developerClaims(jti: string, iat: number, scopes = DEVELOPER_SCOPES) {
  return {
    jti,
    sub: "uaa-id-370",
    user_id: "uaa-id-370",
    user_name: "demo-developer",
    email: "demo-developer@example.com",
    origin: "uaa",
    client_id: "cf",
    cid: "cf",
    azp: "cf",
    grant_type: "password",
    aud: ["cf", "openid", "uaa", "cloud_controller"],
    iss: ISSUER,
    zid: "uaa",
    scope: scopes,
    iat,
    exp: iat + 1200,
  };
}

let spaceGuid: string;
beforeAll(async () => {
  const world = await createWorld();
  spaceGuid = world.spaceGuid;
  await grant("uaa-id-370", "space_developer", world);
});

describe("GET /login", () => {
  it("answers UAA's login info with the prompts cf login asks for", async () => {
    const reply = await cli(uaaRequest("GET", `${BASE}/login`));
    expect(reply.status).toBe(200);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.json).toEqual({
      app: { version: "77.0.0" },
      links: { uaa: BASE, login: BASE },
      zone_name: "uaa",
      prompts: { username: ["text", "Username"], password: ["password", "Password"] },
    });
  });
});

describe("POST /oauth/token, password grant", () => {
  it("issues a UAA access token this API accepts and a refresh token, never cached", async () => {
    const reply = await cli(passwordGrant(BASE, "demo-developer", "demo-password"));
    expect(reply.status).toBe(200);
    expect(reply.headers.get("Cache-Control")).toBe("no-store");
    expect(reply.json).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      refresh_token: expect.any(String),
      expires_in: 1200,
      scope: "openid uaa.user cloud_controller.read cloud_controller.write",
      jti: expect.stringMatching(JTI),
    });
    const claims = decodeJwt(reply.json.access_token);
    expect(Number.isInteger(claims.iat)).toBe(true);
    expect(claims).toEqual(developerClaims(reply.json.jti, claims.iat!));
    expect(Math.abs(claims.iat! - Date.now() / 1000)).toBeLessThan(60);
    expect(decodeJwt(reply.json.refresh_token).jti).toMatch(/^[0-9a-f]{32}-r$/);

    const spaces = await call("GET", "/v3/spaces", { token: reply.json.access_token });
    expect(spaces.status).toBe(200);
    expect(spaces.json.resources.map((s: { guid: string }) => s.guid)).toEqual([spaceGuid]);
  });

  it("gives the admin cloud_controller.admin", async () => {
    const reply = await cli(passwordGrant(BASE, "admin", "admin-password"));
    expect(reply.status).toBe(200);
    expect(reply.json.scope).toBe(
      "openid uaa.user cloud_controller.read cloud_controller.write cloud_controller.admin",
    );
    expect(decodeJwt(reply.json.access_token)).toMatchObject({
      user_id: "admin",
      user_name: "admin",
      email: "admin@example.com",
      origin: "uaa",
    });
  });

  it("accepts cf login --origin uaa", async () => {
    const reply = await cli(
      uaaRequest("POST", `${BASE}/oauth/token?login_hint=${encodeURIComponent('{"origin":"uaa"}')}`, {
        form: { grant_type: "password", username: "demo-developer", password: "demo-password" },
        authorization: CF_CLIENT_BASIC,
      }),
    );
    expect(reply.status).toBe(200);
  });

  it.each([
    ["a wrong password", "demo-developer", "koala"],
    ["an unknown user", "marissa", "demo-password"],
    ["no password", "demo-developer", ""],
  ])("refuses %s: 401 unauthorized, Bad credentials", async (_, username, password) => {
    const reply = await cli(passwordGrant(BASE, username, password));
    expect(reply.status).toBe(401);
    expect(reply.headers.get("Cache-Control")).toBe("no-store");
    expect(reply.json).toEqual(BAD_CREDENTIALS);
  });

  it("refuses another identity provider's origin", async () => {
    const reply = await cli(
      uaaRequest("POST", `${BASE}/oauth/token?login_hint=${encodeURIComponent('{"origin":"ldap"}')}`, {
        form: { grant_type: "password", username: "demo-developer", password: "demo-password" },
        authorization: CF_CLIENT_BASIC,
      }),
    );
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(
      oauthError(
        "unauthorized",
        "The origin provided in the login_hint does not match an active Identity Provider, that supports password grant.",
      ),
    );
  });
});

describe("POST /oauth/token, client authentication and grant types", () => {
  const form = { grant_type: "password", username: "demo-developer", password: "demo-password" };

  it("requires client credentials", async () => {
    const reply = await cli(uaaRequest("POST", `${BASE}/oauth/token`, { form }));
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(
      oauthError("unauthorized", "Full authentication is required to access this resource"),
    );
  });

  it.each([
    ["another client", `Basic ${btoa("admin:adminsecret")}`],
    ["the cf client with a secret", `Basic ${btoa("cf:secret")}`],
    ["no secret separator", `Basic ${btoa("cf")}`],
    ["undecodable credentials", "Basic %%%"],
    ["a bearer token", "bearer abc"],
  ])("refuses %s: 401 Bad credentials", async (_, authorization) => {
    const reply = await cli(uaaRequest("POST", `${BASE}/oauth/token`, { form, authorization }));
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(BAD_CREDENTIALS);
  });

  it("refuses a token request body past 1 MiB with CF's 400, read no further", async () => {
    const reply = await cli(
      uaaRequest("POST", `${BASE}/oauth/token`, {
        form: { grant_type: "password", username: "demo-developer", password: "x".repeat(1_048_576) },
        authorization: CF_CLIENT_BASIC,
      }),
    );
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(
      cfError(
        1001,
        "CF-MessageParseError",
        "Request invalid due to parse error: request body is larger than 1048576 bytes",
      ),
    );
  });

  it("answers a missing grant type with 400 invalid_request", async () => {
    const reply = await cli(
      uaaRequest("POST", `${BASE}/oauth/token`, {
        form: { username: "demo-developer" },
        authorization: CF_CLIENT_BASIC,
      }),
    );
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(oauthError("invalid_request", "Missing grant type"));
  });

  it.each(["client_credentials", "authorization_code", "urn:ietf:params:oauth:grant-type:jwt-bearer"])(
    "answers the %s grant with 400 unsupported_grant_type",
    async (grantType) => {
      const reply = await cli(
        uaaRequest("POST", `${BASE}/oauth/token`, {
          form: { grant_type: grantType },
          authorization: CF_CLIENT_BASIC,
        }),
      );
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(oauthError("unsupported_grant_type", "Unsupported grant type"));
    },
  );
});

describe("POST /oauth/token, refresh_token grant", () => {
  const options = (validitySeconds: number, clientId = "cf") => ({
    secret: "tokensecret",
    issuer: ISSUER,
    clientId,
    validitySeconds,
  });

  it("issues a fresh access token for the refresh token's user and keeps the refresh token", async () => {
    const login = await cli(passwordGrant(BASE, "demo-developer", "demo-password"));
    const reply = await cli(refreshGrant(BASE, login.json.refresh_token));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      access_token: expect.any(String),
      token_type: "bearer",
      refresh_token: login.json.refresh_token,
      expires_in: 1200,
      scope: "openid uaa.user cloud_controller.read cloud_controller.write",
      jti: expect.stringMatching(JTI),
    });
    expect(reply.json.jti).not.toBe(login.json.jti);
    const claims = decodeJwt(reply.json.access_token);
    expect(claims).toEqual(developerClaims(reply.json.jti, claims.iat!));
    const spaces = await call("GET", "/v3/spaces", { token: reply.json.access_token });
    expect(spaces.status).toBe(200);
  });

  it("grants the scopes the refresh token carries", async () => {
    const narrow = await signRefreshToken({ ...DEVELOPER, scopes: ["cloud_controller.read"] }, options(600));
    const reply = await cli(refreshGrant(BASE, narrow));
    expect(reply.status).toBe(200);
    expect(reply.json.scope).toBe("cloud_controller.read");
    expect(decodeJwt(reply.json.access_token).aud).toEqual(["cf", "cloud_controller"]);
  });

  it.each([
    [
      "an empty refresh token",
      async () => "",
      oauthError("invalid_token", "Invalid refresh token (empty token)"),
    ],
    ["garbage", async () => "not-a-token", INVALID_REFRESH_TOKEN],
    [
      "an access token",
      async () => (await signAccessToken(DEVELOPER, options(600))).token,
      INVALID_REFRESH_TOKEN,
    ],
    [
      "a refresh token signed with another secret",
      () => signRefreshToken(DEVELOPER, { ...options(600), secret: "another-secret" }),
      INVALID_REFRESH_TOKEN,
    ],
    [
      "an expired refresh token",
      () => signRefreshToken(DEVELOPER, options(-60)),
      oauthError("invalid_token", "Invalid refresh token (expired)"),
    ],
    [
      "a refresh token of an unknown user",
      () => signRefreshToken({ ...DEVELOPER, userId: "gone-user" }, options(600)),
      oauthError("invalid_token", "Token bears a non-existent user ID: gone-user"),
    ],
  ])("refuses %s: 401 invalid_token", async (_, refreshToken, expected) => {
    const reply = await cli(refreshGrant(BASE, await refreshToken()));
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(expected);
  });

  it("refuses another client's refresh token: 400 invalid_grant", async () => {
    const reply = await cli(refreshGrant(BASE, await signRefreshToken(DEVELOPER, options(600, "portal"))));
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(oauthError("invalid_grant", "Wrong client for this refresh token: portal"));
  });

  it("never lets a refresh token pass as an access token", async () => {
    const login = await cli(passwordGrant(BASE, "demo-developer", "demo-password"));
    const reply = await call("GET", "/v3/spaces", { token: login.json.refresh_token });
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(cfError(1000, "CF-InvalidAuthToken", "Invalid Auth Token"));
  });
});

describe("configuration", () => {
  it("signs for the configured issuer, which the API then requires", async () => {
    const issuer = "https://uaa.example.com/oauth/token";
    const env = { UAA_ISSUER: issuer };
    const token = await callWithEnv(env, "POST", "/oauth/token", {
      rawBody: "grant_type=password&password=demo-password&username=demo-developer",
      contentType: "application/x-www-form-urlencoded",
      headers: { Authorization: CF_CLIENT_BASIC },
    });
    expect(token.status).toBe(200);
    expect(decodeJwt(token.json.access_token).iss).toBe(issuer);
    const spaces = await callWithEnv(env, "GET", "/v3/spaces", { token: token.json.access_token });
    expect(spaces.status).toBe(200);
  });

  it("links the stand-in from GET / in development when no UAA is configured", async () => {
    const reply = await call("GET", "/");
    expect(reply.json.links.login).toEqual({ href: BASE });
    expect(reply.json.links.uaa).toEqual({ href: BASE });
    const external = await callWithEnv({ EXTERNAL_URL: "https://api.example.com" }, "GET", "/");
    expect(external.json.links.login).toEqual({ href: "https://api.example.com" });
    expect(external.json.links.uaa).toEqual({ href: "https://api.example.com" });
    const login = await callWithEnv({ EXTERNAL_URL: "https://api.example.com" }, "GET", "/login");
    expect(login.json.links).toEqual({ uaa: "https://api.example.com", login: "https://api.example.com" });
  });

  const UNKNOWN_REQUEST = cfError(10000, "CF-NotFound", "Unknown request");
  const routes = [
    ["GET", "/login"],
    ["POST", "/oauth/token"],
  ] as const;
  const tokenRequest = {
    rawBody: "grant_type=password&password=demo-password&username=demo-developer",
    contentType: "application/x-www-form-urlencoded",
    headers: { Authorization: CF_CLIENT_BASIC, "User-Agent": CLI_USER_AGENT },
  };

  it.each([
    ["production (wrangler.toml's vars)", { ENVIRONMENT: "production", UAA_SYMMETRIC_SECRET: undefined }],
    [
      "production with a symmetric secret",
      { ENVIRONMENT: "production", UAA_SYMMETRIC_SECRET: "prod-secret" },
    ],
    ["production with the development secret", { ENVIRONMENT: "production" }],
    ["no ENVIRONMENT at all", { ENVIRONMENT: undefined }],
    ["a staging environment", { ENVIRONMENT: "staging" }],
    ["development without a token secret", { UAA_SYMMETRIC_SECRET: "" }],
  ])("is absent in %s: each route is an unknown request, GET / links no UAA", async (_, env) => {
    for (const [method, path] of routes) {
      const reply = await callWithEnv(env, method, path, method === "POST" ? tokenRequest : {});
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(UNKNOWN_REQUEST);
    }
    const root = await callWithEnv(env, "GET", "/");
    expect(root.json.links.login).toBeNull();
    expect(root.json.links.uaa).toBeNull();
  });

  it("leaves a configured UAA alone in development", async () => {
    const reply = await callWithEnv(
      { UAA_URL: "https://uaa.example.com", LOGIN_URL: "https://login.example.com" },
      "GET",
      "/",
    );
    expect(reply.json.links.login).toEqual({ href: "https://login.example.com" });
    expect(reply.json.links.uaa).toEqual({ href: "https://uaa.example.com" });
  });
});
