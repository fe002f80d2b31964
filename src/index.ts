import { createApp } from "./app";
import type { Bindings } from "./env";
import { runMaintenance } from "./maintenance";

export type { Bindings } from "./env";

const app = createApp();

export default {
  fetch: app.fetch,
  scheduled: (_controller, env, ctx) => ctx.waitUntil(runMaintenance(env)),
} satisfies ExportedHandler<Bindings>;
