// What each entry exports as its worker: the app's fetch and the cron's maintenance run.
import type { Hono } from "hono/tiny";
import type { AppEnv, Bindings } from "./env";
import { runMaintenance } from "./maintenance";

export const createWorker = (app: Hono<AppEnv>) =>
  ({
    fetch: app.fetch,
    scheduled: (_controller, env, ctx) => ctx.waitUntil(runMaintenance(env)),
  }) satisfies ExportedHandler<Bindings>;
