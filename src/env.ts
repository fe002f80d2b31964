import type { Config, ConfigVars } from "./config";
import type { Db } from "./db/client";
import type { RequestCounter } from "./rate-limit/counter";
import type { User } from "./user";

/** Worker bindings, and the vars config.ts reads. */
export interface Bindings extends ConfigVars {
  DB: D1Database;
  BITS: R2Bucket;
  /** One counter per rate-limited caller (src/rate-limit/counter.ts). */
  REQUEST_COUNTER: DurableObjectNamespace<RequestCounter>;
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
  /** The request's X-VCAP-Request-ID, carried into the logs of work deferred past the response. */
  requestId: string;
  db: Db;
  config: Config;
  defer(work: Promise<unknown>): void;
}
