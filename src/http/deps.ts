import type { Context } from "hono";
import type { AppEnv, Deps } from "../env";

/** The dependencies a route hands its action: nothing of Hono goes below the route. */
export const depsOf = (c: Context<AppEnv>): Deps => ({
  env: c.env,
  requestId: c.get("requestId"),
  db: c.get("db"),
  config: c.get("config"),
  defer: (work) => c.executionCtx.waitUntil(work),
});
