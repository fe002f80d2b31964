// A development-only UAA stand-in: the part of UAA the cf CLI uses to log in and to refresh its token
// (`GET /login` for the prompts, `POST /oauth/token` with the password and refresh_token grants, client
// `cf` with an empty secret). Served only with ENVIRONMENT=development and a token secret; everywhere
// else each route answers exactly as a path this API does not know. Deployments use their UAA, and their
// bundle (src/index.production.ts) leaves the stand-in out.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { CfError } from "../http/errors";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { readCappedText } from "../http/validation";
import { presentLoginInfo, presentOAuthError, presentTokenGrant } from "./presenter";
import { developmentUaaServed } from "./served";
import {
  InvalidRefreshToken,
  signAccessToken,
  signRefreshToken,
  type TokenOptions,
  type TokenSubject,
  UAA_ORIGIN,
  verifyRefreshToken,
} from "./tokens";
import { type DevelopmentUser, findUserById, findUserByName } from "./users";

/** The cf CLI's OAuth client: `cf` with an empty secret. */
const CF_CLIENT = "cf";
/** cf-deployment's lifetimes for the cf client: 20 minutes, 2 weeks. */
const ACCESS_TOKEN_VALIDITY = 1200;
const REFRESH_TOKEN_VALIDITY = 1_209_600;

const developmentOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!developmentUaaServed(c.get("config"))) throw new CfError("NotFound");
  await next();
});

class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

const badCredentials = () => new OAuthError(401, "unauthorized", "Bad credentials");

/** UAA authenticates the client first: HTTP Basic, as the cf CLI sends it (`Basic Y2Y6`). */
function authenticateClient(authorization: string | undefined): string {
  if (!authorization) {
    throw new OAuthError(401, "unauthorized", "Full authentication is required to access this resource");
  }
  const match = /^basic\s+(\S+)$/i.exec(authorization);
  let credentials: string;
  try {
    credentials = atob(match?.[1] ?? "");
  } catch {
    throw badCredentials();
  }
  // client_id:client_secret; the cf client's secret is empty.
  if (credentials !== `${CF_CLIENT}:`) throw badCredentials();
  return CF_CLIENT;
}

/** `cf login --origin X` sends login_hint={"origin":"X"}; this stand-in has only UAA's own users. */
function checkLoginHint(loginHint: string | undefined): void {
  if (loginHint === undefined) return;
  let origin: unknown;
  try {
    origin = (JSON.parse(loginHint) as { origin?: unknown } | null)?.origin;
  } catch {
    origin = undefined;
  }
  if (origin !== UAA_ORIGIN) {
    throw new OAuthError(
      401,
      "unauthorized",
      "The origin provided in the login_hint does not match an active Identity Provider, that supports password grant.",
    );
  }
}

const subjectOf = (user: DevelopmentUser, scopes: readonly string[]): TokenSubject => ({
  userId: user.id,
  userName: user.userName,
  email: user.email,
  scopes,
});

async function grantTokens(c: Context<AppEnv>, clientId: string, form: URLSearchParams) {
  const config = c.get("config");
  const options = (validitySeconds: number): TokenOptions => ({
    secret: config.uaaSymmetricSecret!,
    issuer: config.uaaIssuer ?? `${externalUrl(c)}/oauth/token`,
    clientId,
    validitySeconds,
  });
  const grantType = form.get("grant_type");
  let subject: TokenSubject;
  let refreshToken: string;
  if (grantType === "password") {
    checkLoginHint(form.get("login_hint") ?? c.req.query("login_hint"));
    const user = findUserByName(form.get("username") ?? "");
    if (!user || user.password !== form.get("password")) throw badCredentials();
    subject = subjectOf(user, user.scopes);
    refreshToken = await signRefreshToken(subject, options(REFRESH_TOKEN_VALIDITY));
  } else if (grantType === "refresh_token") {
    refreshToken = form.get("refresh_token") ?? "";
    if (!refreshToken) throw new OAuthError(401, "invalid_token", "Invalid refresh token (empty token)");
    const claims = await verifyRefreshToken(refreshToken, config.uaaSymmetricSecret!).catch(
      (err: unknown) => {
        throw err instanceof InvalidRefreshToken ? new OAuthError(401, "invalid_token", err.message) : err;
      },
    );
    if (claims.clientId !== clientId) {
      throw new OAuthError(400, "invalid_grant", `Wrong client for this refresh token: ${claims.clientId}`);
    }
    const user = findUserById(claims.userId);
    if (!user) {
      throw new OAuthError(401, "invalid_token", `Token bears a non-existent user ID: ${claims.userId}`);
    }
    // UAA keeps the refresh token (no rotation) and grants the scopes it carries.
    subject = subjectOf(user, claims.scopes);
  } else if (grantType) {
    throw new OAuthError(400, "unsupported_grant_type", "Unsupported grant type");
  } else {
    throw new OAuthError(400, "invalid_request", "Missing grant type");
  }
  const access = await signAccessToken(subject, options(ACCESS_TOKEN_VALIDITY));
  return presentTokenGrant({
    accessToken: access.token,
    refreshToken,
    expiresIn: ACCESS_TOKEN_VALIDITY,
    scopes: access.claims.scope,
    jti: access.claims.jti,
  });
}

export const uaaDevRouter = new Hono<AppEnv>()
  .get("/login", developmentOnly, (c) => jsonResponse(c, 200, presentLoginInfo(externalUrl(c))))
  .post("/oauth/token", developmentOnly, async (c) => {
    // Tokens and their errors must never be cached (RFC 6749, 5.1).
    c.header("Cache-Control", "no-store");
    c.header("Pragma", "no-cache");
    try {
      const clientId = authenticateClient(c.req.header("Authorization"));
      const form = new URLSearchParams(await readCappedText(c.req.raw));
      return jsonResponse(c, 200, await grantTokens(c, clientId, form));
    } catch (err) {
      if (!(err instanceof OAuthError)) throw err;
      return jsonResponse(c, err.status, presentOAuthError(err.error, err.description));
    }
  });
