// The worker `wrangler deploy --env staging|production` uploads: the API without the development UAA
// stand-in (src/uaa-dev), which no deployed environment serves.
import { createApp } from "./app";
import { createWorker } from "./worker";

export { RequestCounter } from "./rate-limit/counter";

export default createWorker(createApp());
