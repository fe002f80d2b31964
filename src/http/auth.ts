// UAA bearer tokens. HS* tokens verify against the configured symmetric secret; RS* tokens against
// UAA's verification keys (an inline JWK set, or UAA's /token_keys fetched and cached per isolate,
// refetched on an unknown kid). Each family has its own verifier, so a token can never be checked with
// the other family's key (algorithm confusion). With no key configured, no token is valid.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  type JWTPayload,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import type { Config } from "../config";
import type { AppEnv } from "../env";
import type { User } from "../user";
import { CfError } from "./errors";
import { type HmacHash, hmacKey } from "./hmac";
import { logError } from "./log";

export const SCOPES = {
  read: "cloud_controller.read",
  write: "cloud_controller.write",
  admin: "cloud_controller.admin",
  adminReadOnly: "cloud_controller.admin_read_only",
  globalAuditor: "cloud_controller.global_auditor",
} as const;

const HMAC_ALGORITHMS = ["HS256", "HS384", "HS512"];
const RSA_ALGORITHMS = ["RS256", "RS384", "RS512"];
const AUDIENCE = "cloud_controller";
const CLOCK_TOLERANCE_SECONDS = 30;

/** UAA's /token_keys could not be fetched (no connection, or no 200): the one cause of a 502. */
class UaaKeysUnavailable extends Error {
  override readonly name = "UaaKeysUnavailable";
}

/** fetch for jose, tagging a failed fetch of UAA's keys so nothing else is taken for one. */
async function fetchUaaKeys(url: string, init: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (err) {
    logError("UAA token keys not fetched", err, { url });
    throw new UaaKeysUnavailable(url);
  }
  if (response.status !== 200) {
    logError("UAA token keys not fetched", `UAA answered ${response.status}`, { url });
    throw new UaaKeysUnavailable(url);
  }
  return response;
}

type KeySet = ReturnType<typeof createLocalJWKSet> | ReturnType<typeof createRemoteJWKSet>;
// Per isolate: a parsed inline set per config text, a remote set (with jose's cache) per URL.
const keySets = new Map<string, KeySet>();

function rsaKeys(config: Config): KeySet | undefined {
  const source = config.uaaJwks ?? config.uaaJwksUrl;
  if (!source) return undefined;
  let keys = keySets.get(source);
  if (!keys) {
    keys = config.uaaJwks
      ? createLocalJWKSet(JSON.parse(config.uaaJwks))
      : createRemoteJWKSet(new URL(source), {
          cacheMaxAge: 600_000,
          cooldownDuration: 30_000,
          [customFetch]: fetchUaaKeys,
        });
    keySets.set(source, keys);
  }
  return keys;
}

/** The token's `alg`, read without trusting anything else in it. */
function tokenAlgorithm(token: string): string | undefined {
  try {
    return decodeProtectedHeader(token).alg;
  } catch {
    return undefined;
  }
}

async function verify(token: string, config: Config): Promise<JWTPayload> {
  const alg = tokenAlgorithm(token);
  const options = {
    audience: AUDIENCE,
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: ["exp"],
    ...(config.uaaIssuer ? { issuer: config.uaaIssuer } : {}),
  };
  if (alg && HMAC_ALGORITHMS.includes(alg) && config.uaaSymmetricSecret) {
    const key = await hmacKey(config.uaaSymmetricSecret, `SHA-${alg.slice(2)}` as HmacHash);
    return (await jwtVerify(token, key, { ...options, algorithms: HMAC_ALGORITHMS })).payload;
  }
  const keys = alg && RSA_ALGORITHMS.includes(alg) ? rsaKeys(config) : undefined;
  if (keys) return (await jwtVerify(token, keys, { ...options, algorithms: RSA_ALGORITHMS })).payload;
  throw new CfError("InvalidAuthToken");
}

function scopesOf(payload: JWTPayload): Set<string> {
  const scope = payload.scope;
  if (Array.isArray(scope)) return new Set(scope.filter((s): s is string => typeof s === "string"));
  if (typeof scope === "string") return new Set(scope.split(" ").filter(Boolean));
  return new Set();
}

/** Decodes the caller from the Authorization header, or throws 401 as CC does. */
export async function authenticate(authorization: string | undefined, config: Config): Promise<User> {
  const match = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) {
    // A header that does not start with "bearer" counts as no token at all.
    if (/^bearer\b/i.test(authorization ?? "")) throw new CfError("InvalidAuthToken");
    throw new CfError("NotAuthenticated");
  }
  const token = match[1]!;
  const verified = verifiedTokens(config);
  const known = verified.get(token);
  if (known && Date.now() < known.validUntil) return known.user;
  const payload = await verifiedPayload(token, config);
  const user = userOf(payload);
  // exp is required, so every token verified here has one.
  remember(verified, token, { user, validUntil: (payload.exp! + CLOCK_TOLERANCE_SECONDS) * 1000 });
  return user;
}

async function verifiedPayload(token: string, config: Config): Promise<JWTPayload> {
  let payload: JWTPayload;
  try {
    payload = await verify(token, config);
  } catch (err) {
    if (err instanceof CfError) throw err;
    if (err instanceof UaaKeysUnavailable || err instanceof joseErrors.JWKSTimeout) {
      throw new CfError("UaaUnavailable");
    }
    throw new CfError("InvalidAuthToken");
  }
  // jose takes any number; UAA issues, and CC accepts, only whole seconds.
  if (!Number.isInteger(payload.exp)) throw new CfError("InvalidAuthToken");
  return payload;
}

// The caller's guid is stored in rows and echoed in X-USER-GUID: one with a control character (CR, LF,
// NUL, ...) or surrounding whitespace cannot make that trip intact, so such a token names no user.
const USABLE_GUID = /^(?!\s)[^\p{Cc}]+(?<!\s)$/u;

function userOf(payload: JWTPayload): User {
  const guid = [payload.user_id, payload.client_id].find(
    (v): v is string => typeof v === "string" && v !== "",
  );
  if (!guid || !USABLE_GUID.test(guid)) throw new CfError("InvalidAuthToken");
  const scopes = scopesOf(payload);
  const admin = scopes.has(SCOPES.admin);
  const globalSecretReader = admin || scopes.has(SCOPES.adminReadOnly);
  return {
    guid,
    email: typeof payload.email === "string" ? payload.email : "",
    scopes,
    admin,
    globalSecretReader,
    globalReader: globalSecretReader || scopes.has(SCOPES.globalAuditor),
  };
}

// Tokens already verified in this isolate, until they expire: a client sends the same token for many
// requests, and verifying it again costs more than the D1 read behind most of them. Kept per config,
// so a token is never taken on another configuration's word (keys, issuer), and bounded.
interface VerifiedToken {
  user: User;
  validUntil: number;
}
const MAX_VERIFIED_TOKENS = 1000;
const verifiedByConfig = new WeakMap<Config, Map<string, VerifiedToken>>();

function verifiedTokens(config: Config): Map<string, VerifiedToken> {
  let verified = verifiedByConfig.get(config);
  if (!verified) {
    verified = new Map();
    verifiedByConfig.set(config, verified);
  }
  return verified;
}

function remember(verified: Map<string, VerifiedToken>, token: string, entry: VerifiedToken): void {
  // Maps keep insertion order: the first key is the oldest entry.
  if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value!);
  verified.set(token, entry);
}

async function authenticated(c: Context<AppEnv>): Promise<User> {
  const user = await authenticate(c.req.header("Authorization"), c.get("config"));
  c.set("user", user);
  return user;
}

/** Route guard for reads: a valid token (401) with a read scope (403). */
export const requireRead = createMiddleware<AppEnv>(async (c, next) => {
  const user = await authenticated(c);
  if (!user.globalReader && !user.scopes.has(SCOPES.read)) throw new CfError("NotAuthorized");
  await next();
});

/** Route guard for writes: a valid token (401) with the write or admin scope (403). */
export const requireWrite = createMiddleware<AppEnv>(async (c, next) => {
  const user = await authenticated(c);
  if (!user.admin && !user.scopes.has(SCOPES.write)) throw new CfError("NotAuthorized");
  await next();
});

/** Route guard for admin-only operations (creating organizations, for one). */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const user = await authenticated(c);
  if (!user.admin) throw new CfError("NotAuthorized");
  await next();
});

/** The authenticated caller; only valid behind one of the guards above. */
export function currentUser(c: Context<AppEnv>): User {
  const user = c.get("user");
  if (!user) throw new Error("route is missing an authentication guard");
  return user;
}
