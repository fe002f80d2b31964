import type { Config } from "./config";
import type { Db } from "./db/client";
import type { User } from "./http/auth";

/** Worker bindings and vars (wrangler.toml, .dev.vars, test bindings). */
export interface Bindings {
  DB: D1Database;
  BITS: R2Bucket;
  ENVIRONMENT?: string;
  EXTERNAL_URL?: string;
  UAA_SYMMETRIC_SECRET?: string;
  UAA_JWKS_URL?: string;
  UAA_JWKS?: string;
  UAA_ISSUER?: string;
  /** UAA's and the login server's URLs, advertised in the `GET /` links when set. */
  UAA_URL?: string;
  LOGIN_URL?: string;
  DOWNLOAD_SIGNING_KEY?: string;
  MAX_PACKAGE_SIZE?: string;
  MAX_VALID_PACKAGES_STORED?: string;
  PACKAGE_STUCK_TIMEOUT_SECONDS?: string;
  DOWNLOAD_URL_TTL_SECONDS?: string;
  RESOURCE_MIN_SIZE?: string;
  RESOURCE_CACHE_MAX_AGE_DAYS?: string;
  RESOURCE_CACHE_MAX_SIZE?: string;
  RESOURCE_CACHE_FILL_SUBREQUESTS?: string;
  MAX_UNZIPPED_PACKAGE_SIZE?: string;
  MAX_PACKAGE_ENTRIES?: string;
  RESOURCE_MAX_SIZE?: string;
}

export interface Variables {
  requestId: string;
  config: Config;
  db: Db;
  /** Set once a route has authenticated the caller. */
  user?: User;
}

export type AppEnv = { Bindings: Bindings; Variables: Variables };

/**
 * What an action is given besides the caller and the message: the bindings, the request's db (its D1
 * cost is the request's), the config, and `defer` for work that runs after the response (waitUntil).
 */
export interface Deps {
  env: Bindings;
  db: Db;
  config: Config;
  defer(work: Promise<unknown>): void;
}
