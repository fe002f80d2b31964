// The built bundle on plain Miniflare with production vars, as the bench serves it.
import { describe } from "vitest";
import { describeConnectionReuse, SERVER_VARS } from "./support/cases";
import { serveForTests, startBundleServer } from "./support/servers";

describe("the production bundle on Miniflare", () => {
  describeConnectionReuse(
    serveForTests(() => startBundleServer(SERVER_VARS)),
    { bundle: true },
  );
});
