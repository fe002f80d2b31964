import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../../src/index";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      TEST_RSA_PRIVATE_JWK: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../../src/index");
    }
  }
}
