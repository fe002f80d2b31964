// `npm start` (wrangler dev), as a developer runs it, with a port and a persistence directory of its own.
import { describe } from "vitest";
import { describeConnectionReuse, SERVER_VARS } from "./support/cases";
import { startDevServer } from "./support/servers";

describe("npm start -- --port --persist-to", () => {
  describeConnectionReuse(() => startDevServer(SERVER_VARS), { bundle: false });
});
