import type { D1Migration } from "cloudflare:test";

// The worker's own bindings come from worker-configuration.d.ts; the tests add theirs.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      TEST_RSA_PRIVATE_JWK: string;
      /** The OpenAPI document as JSON (scripts/openapi.mjs), for the contract checks. */
      TEST_OPENAPI: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../../src/index");
    }
  }
}
