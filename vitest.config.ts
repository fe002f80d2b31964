import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { exportJWK, generateKeyPair } from "jose";
import { defineConfig } from "vitest/config";
import { buildAssets } from "./scripts/assets.mjs";
import { loadOpenApi } from "./scripts/openapi.mjs";

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the workers project reads the configuration.
  buildAssets();
  const migrations = await readD1Migrations(fileURLToPath(new URL("./migrations", import.meta.url)));
  // A throwaway UAA signing key per run: the worker trusts its public half, tests sign with the private.
  const { publicKey, privateKey } = await generateKeyPair("RS256", { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: "uaa-test-key", alg: "RS256", use: "sig" };
  const privateJwk = { ...(await exportJWK(privateKey)), kid: "uaa-test-key", alg: "RS256" };
  return {
    test: {
      // Vitest's default on two cores is one worker: both, so a file's workerd start overlaps another's tests.
      maxWorkers: 2,
      projects: [
        {
          plugins: [
            cloudflareTest({
              main: "./src/index.ts",
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  TEST_RSA_PRIVATE_JWK: JSON.stringify(privateJwk),
                  // The contract every test exchange is checked against (test/workers/support/openapi.ts).
                  TEST_OPENAPI: JSON.stringify(loadOpenApi()),
                  ENVIRONMENT: "development",
                  UAA_SYMMETRIC_SECRET: "tokensecret",
                  UAA_JWKS: JSON.stringify({ keys: [publicJwk] }),
                  DOWNLOAD_SIGNING_KEY: "test-download-signing-key",
                },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/workers/**/*.test.ts"],
            setupFiles: ["./test/workers/apply-migrations.ts"],
          },
        },
        {
          // The API on a real socket (wrangler dev, and the built bundle on Miniflare), started by the tests.
          test: {
            name: "socket",
            environment: "node",
            // Alone, after the workers project and one file at a time: on two loaded cores, another
            // server starting beside it broke the connection reuse dev-server asserts (twice in two runs).
            sequence: { groupOrder: 1 },
            maxWorkers: 1,
            include: ["test/socket/**/*.test.ts"],
            testTimeout: 60_000,
            hookTimeout: 180_000,
          },
        },
      ],
    },
  };
});
