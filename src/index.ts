import { createApp } from "./app";
import type { Bindings } from "./env";
import { runMaintenance } from "./maintenance";

export type { Bindings } from "./env";
export { RequestCounter } from "./rate-limit/counter";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (_controller, env, ctx) => ctx.waitUntil(runMaintenance(env)),
} satisfies ExportedHandler<Bindings>;
