import type { Config } from "./config";
import type { Db } from "./db/client";
import type { User } from "./user";

/**
 * Worker bindings, vars and secrets as `npm run types` generates them (worker-configuration.d.ts, from
 * wrangler.toml and .dev.vars.example); config.ts reads the vars.
 */
export type Bindings = Env;

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
