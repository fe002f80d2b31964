// Apart from the stand-in's router, so `GET /` can ask without pulling the stand-in into the production
// bundle (src/index.production.ts leaves the router out).
import type { Config } from "../config";

/** Whether this configuration serves the stand-in (and `GET /` may advertise it). */
export const developmentUaaServed = (config: Config) =>
  config.development && config.uaaSymmetricSecret !== undefined;
