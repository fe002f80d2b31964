// The deployed worker (src/index.production.ts, wrangler.toml's [env.*] main): the API the development
// entry serves, without the development UAA stand-in, even where the stand-in would answer.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import production from "../../src/index.production";
import { cli, passwordGrant, uaaRequest } from "./support/cf-cli";
import { createWorld } from "./support/fixtures";
import { BASE, call, cfError, type Reply, read } from "./support/http";
import { adminToken } from "./support/tokens";

async function callProduction(request: Request): Promise<Reply> {
  const ctx = createExecutionContext();
  const reply = await read(await production.fetch(request, env, ctx));
  await waitOnExecutionContext(ctx);
  return reply;
}

describe("the production entry", () => {
  let spaceGuid: string;
  beforeAll(async () => {
    spaceGuid = (await createWorld()).spaceGuid;
  });

  it("answers the API as the development entry does", async () => {
    const token = await adminToken();
    const paths = [
      ["/v3", 200],
      [`/v3/spaces/${spaceGuid}`, 200],
      ["/v3/packages/no-such-package", 404],
    ] as const;
    for (const [path, status] of paths) {
      const development = await call("GET", path, { token });
      const reply = await callProduction(
        new Request(`${BASE}${path}`, { headers: { Authorization: `bearer ${token}` } }),
      );
      expect(reply.status).toBe(status);
      expect(development.status).toBe(status);
      expect(reply.json).toEqual(development.json);
    }
  });

  it("has no UAA stand-in: its routes are unknown requests, though the development entry serves them", async () => {
    const grant = () => passwordGrant(BASE, "demo-developer", "demo-password");
    expect((await cli(grant())).status).toBe(200);
    const unknownRequest = cfError(10000, "CF-NotFound", "Unknown request");
    for (const request of [uaaRequest("GET", `${BASE}/login`), grant()]) {
      const reply = await callProduction(request);
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(unknownRequest);
    }
  });
});
