// UAA-shaped tokens for local development: the claims UAA puts in a password-grant access token (the cf
// CLI decodes user_name, user_id and origin from it; this API reads user_id, scope, aud and exp), HS256
// with the development secret. Shared by the development UAA and `npm run token`, so it imports nothing
// that needs the Workers runtime.
//
// Refresh tokens are JWTs as in UAA's `jwt` refresh format (jti ending in "-r"), signed with a key
// derived from the secret: one can never pass as an access token here, nor an access token as one.
import { errors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { hmacKey } from "../http/hmac";

/** UAA's origin key of its internal user store, and its default zone. */
export const UAA_ORIGIN = "uaa";
const ZONE_ID = "uaa";
const REFRESH_TOKEN_SUFFIX = "-r";

export interface TokenSubject {
  userId: string;
  userName: string;
  email: string;
  scopes: readonly string[];
}

export interface TokenOptions {
  secret: string;
  /** UAA's token endpoint URL (`iss`). */
  issuer: string;
  clientId: string;
  validitySeconds: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const tokenId = () => crypto.randomUUID().replaceAll("-", "");
const encoder = new TextEncoder();

/** UAA's audience: the client and the resource of each scope (its name up to the last dot). */
function audience(clientId: string, scopes: readonly string[]): string[] {
  const resources = scopes.map((scope) =>
    scope.includes(".") ? scope.slice(0, scope.lastIndexOf(".")) : scope,
  );
  return [...new Set([clientId, ...resources])];
}

function userClaims(subject: TokenSubject, options: TokenOptions) {
  return {
    sub: subject.userId,
    user_id: subject.userId,
    user_name: subject.userName,
    email: subject.email,
    origin: UAA_ORIGIN,
    client_id: options.clientId,
    cid: options.clientId,
    azp: options.clientId,
    grant_type: "password",
    aud: audience(options.clientId, subject.scopes),
    iss: options.issuer,
    zid: ZONE_ID,
  };
}

function sign(claims: JWTPayload, key: Uint8Array): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(key);
}

export interface AccessToken {
  token: string;
  claims: JWTPayload & { jti: string; exp: number; scope: string[] };
}

/** A UAA access token for `subject`, valid for `options.validitySeconds` (exp and iat are integers). */
export async function signAccessToken(subject: TokenSubject, options: TokenOptions): Promise<AccessToken> {
  const iat = nowSeconds();
  const claims = {
    jti: tokenId(),
    ...userClaims(subject, options),
    scope: [...subject.scopes],
    iat,
    exp: iat + options.validitySeconds,
  };
  return { token: await sign(claims, encoder.encode(options.secret)), claims };
}

async function refreshKey(secret: string): Promise<Uint8Array> {
  const key = await hmacKey(secret);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, encoder.encode("uaa-dev refresh tokens")));
}

export async function signRefreshToken(subject: TokenSubject, options: TokenOptions): Promise<string> {
  const iat = nowSeconds();
  const claims = {
    jti: `${tokenId()}${REFRESH_TOKEN_SUFFIX}`,
    ...userClaims(subject, options),
    granted_scopes: [...subject.scopes],
    revocable: false,
    iat,
    exp: iat + options.validitySeconds,
  };
  return sign(claims, await refreshKey(options.secret));
}

export interface RefreshTokenClaims {
  userId: string;
  clientId: string;
  scopes: string[];
}

/** Why a refresh token was refused, in UAA's words. */
export class InvalidRefreshToken extends Error {}

const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");

export async function verifyRefreshToken(token: string, secret: string): Promise<RefreshTokenClaims> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, await refreshKey(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp"],
    }));
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw new InvalidRefreshToken("Invalid refresh token (expired)");
    throw new InvalidRefreshToken("Invalid refresh token.");
  }
  const { jti, user_id: userId, cid: clientId, granted_scopes: scopes } = payload;
  if (
    typeof jti !== "string" ||
    !jti.endsWith(REFRESH_TOKEN_SUFFIX) ||
    typeof userId !== "string" ||
    typeof clientId !== "string" ||
    !isStringArray(scopes)
  ) {
    throw new InvalidRefreshToken("Invalid refresh token.");
  }
  return { userId, clientId, scopes };
}
