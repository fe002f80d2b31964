// The contract check in workerd: the document comes in as the TEST_OPENAPI binding (vitest.config.ts).
import { env } from "cloudflare:workers";
import { contractFrom } from "../../support/openapi";

contractFrom(() => JSON.parse(env.TEST_OPENAPI));

export { assertDescribed, buffered, ContractViolation, exchange } from "../../support/openapi";
