// The original document: POST /v3/apps/:guid/packages (2015), request and response byte for byte.
import { beforeAll, describe, expect, it } from "vitest";
import { createWorld, grant } from "./support/fixtures";
import { call, TIMESTAMP, UUID } from "./support/http";
import { token } from "./support/tokens";

const SEED_APP = "guid-be7aaa08-ee37-43e2-bd01-0233d74eb8cd";
const SEED_BODY = '{\n  "type": "docker",\n  "url": "docker://cloudfoundry/runtime-ci"\n}';

function seedResponse(guid: string, createdAt: string): string {
  return `{
  "guid": "${guid}",
  "type": "docker",
  "hash": {
    "type": "sha1",
    "value": null
  },
  "url": "docker://cloudfoundry/runtime-ci",
  "state": "READY",
  "error": null,
  "created_at": "${createdAt}",
  "updated_at": null,
  "_links": {
    "self": {
      "href": "/v3/packages/${guid}"
    },
    "app": {
      "href": "/v3/apps/${SEED_APP}"
    }
  }
}`;
}

beforeAll(async () => {
  const world = await createWorld({ appGuid: SEED_APP });
  await grant("uaa-id-370", "space_developer", world);
});

describe("the seed request", () => {
  it("answers exactly as the 2015 document shows", async () => {
    const seedToken = await token("uaa-id-370", {
      claims: { email: "email-267@somedomain.com" },
      scopes: ["cloud_controller.read", "cloud_controller.write"],
    });
    const reply = await call("POST", `/v3/apps/${SEED_APP}/packages`, {
      rawBody: SEED_BODY,
      contentType: "application/x-www-form-urlencoded",
      headers: { Authorization: `bearer ${seedToken}`, Host: "example.org", Cookie: "" },
    });

    expect(reply.status).toBe(201);
    const { guid, created_at: createdAt } = reply.json;
    expect(guid).toMatch(UUID);
    expect(createdAt).toMatch(TIMESTAMP);
    expect(reply.text).toBe(seedResponse(guid, createdAt));
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    expect(reply.headers.get("Content-Length")).toBe("463");
    expect(reply.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(reply.headers.get("X-VCAP-Request-ID")).toMatch(UUID);
  });

  it("stores the package so it can be read back", async () => {
    const seedToken = await token("uaa-id-370");
    const created = await call("POST", `/v3/apps/${SEED_APP}/packages`, {
      rawBody: SEED_BODY,
      contentType: "application/x-www-form-urlencoded",
      token: seedToken,
    });
    const row = await import("cloudflare:workers").then(({ env }) =>
      env.DB.prepare("SELECT type, state, docker_image, app_guid FROM packages WHERE guid = ?")
        .bind(created.json.guid)
        .first(),
    );
    expect(row).toEqual({
      type: "docker",
      state: "READY",
      docker_image: "docker://cloudfoundry/runtime-ci",
      app_guid: SEED_APP,
    });
  });
});
