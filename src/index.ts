// The worker `npm start`, the tests and the bench run: the API with the development UAA stand-in, which
// answers only under ENVIRONMENT=development. Deploys build src/index.production.ts (wrangler.toml).
import { createApp } from "./app";
import { uaaDevRouter } from "./uaa-dev/routes";
import { createWorker } from "./worker";

export type { Bindings } from "./env";
export { RequestCounter } from "./rate-limit/counter";

export default createWorker(createApp([uaaDevRouter]));
