// `npm run test:browser`: the tests that drive Debian's Chromium (/usr/bin/chromium), apart from `npm test`
// because a machine with only Node has no browser; .ci/run installs Chromium and runs them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    name: "browser",
    environment: "node",
    include: ["test/browser/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
