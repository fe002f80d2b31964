/// <reference types="vite/client" />
// A cf CLI v8 session against `npm start`'s world (demo/demo-data.sql), request by request as the CLI
// sends them: cf api, cf login (development UAA), cf target, a token refresh, cf create-package (bits and
// docker) and cf packages over two pages. Each step asserts every field the CLI reads.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import demoData from "../../demo/demo-data.sql?raw";
import {
  ccRequest,
  cli,
  cliBitsUpload,
  decodeStoredToken,
  passwordGrant,
  refreshGrant,
  type StoredToken,
  uaaRequest,
} from "./support/cf-cli";
import { addPackage } from "./support/fixtures";
import { BASE, TIMESTAMP, UUID } from "./support/http";
import { packageJson } from "./support/packages";
import { buildZip, digest } from "./support/zip";

const DEMO = {
  org: "7b1b6b0e-2d61-4e4e-9d0a-2f5b0e1c1a01",
  space: "5c4b1a0e-3f72-4a8b-8d1e-6a2c9e0b7d02",
  app: "guid-be7aaa08-ee37-43e2-bd01-0233d74eb8cd",
  dockerApp: "0e5d1c2b-9a8f-4e7d-b6c5-a4b3c2d1e0f3",
};

/** What `cf login` leaves in the CLI's config. */
let session: { accessToken: StoredToken; refreshToken: string; loginUrl: string; v3: string };

beforeAll(async () => {
  const statements = demoData
    .split("\n")
    .filter((line) => !line.startsWith("--"))
    .join("\n")
    .split(";")
    .map((sql) => sql.trim())
    .filter(Boolean);
  await env.DB.batch(statements.map((sql) => env.DB.prepare(sql)));

  // cf api http://127.0.0.1:8787: the root document gives the v3 API and the login and UAA endpoints.
  const root = await cli(ccRequest("GET", `${BASE}/`));
  expect(root.status).toBe(200);
  expect(root.json).toEqual({
    links: {
      self: { href: BASE },
      cloud_controller_v3: { href: `${BASE}/v3`, meta: { version: "3.160.0" } },
      login: { href: BASE },
      uaa: { href: BASE },
    },
  });
  const loginUrl: string = root.json.links.login.href;

  // cf login: the prompts, then the password grant.
  const info = await cli(uaaRequest("GET", `${loginUrl}/login`));
  expect(info.status).toBe(200);
  expect(Object.keys(info.json.prompts)).toEqual(["username", "password"]);
  const grant = await cli(passwordGrant(loginUrl, "demo-developer", "demo-password"));
  expect(grant.status).toBe(200);
  session = {
    accessToken: `bearer ${grant.json.access_token}`,
    refreshToken: grant.json.refresh_token,
    loginUrl,
    v3: root.json.links.cloud_controller_v3.href,
  };
});

const get = (url: string, token = session.accessToken) => cli(ccRequest("GET", url, { token }));

describe("cf login", () => {
  it("stores a token whose user the CLI decodes: user_name, user_id, origin", () => {
    expect(decodeStoredToken(session.accessToken)).toMatchObject({
      user_name: "demo-developer",
      user_id: "uaa-id-370",
      origin: "uaa",
    });
  });

  it("then targets the only organization and its only space, as cf login does without -o and -s", async () => {
    const orgs = await get(`${session.v3}/organizations?order_by=name`);
    expect(orgs.status).toBe(200);
    expect(orgs.json.resources.map((org: { guid: string; name: string }) => [org.guid, org.name])).toEqual([
      [DEMO.org, "demo-org"],
    ]);
    const spaces = await get(`${session.v3}/spaces?order_by=name&organization_guids=${DEMO.org}`);
    expect(spaces.status).toBe(200);
    expect(
      spaces.json.resources.map((space: { guid: string; name: string }) => [space.guid, space.name]),
    ).toEqual([[DEMO.space, "demo-space"]]);
  });

  it("cf target -o demo-org -s demo-space finds the organization and the space", async () => {
    const orgs = await get(`${session.v3}/organizations?names=demo-org&page=1&per_page=1`);
    expect(orgs.status).toBe(200);
    expect(orgs.json.resources).toHaveLength(1);
    expect(orgs.json.resources[0]).toMatchObject({ guid: DEMO.org, name: "demo-org" });
    const spaces = await get(
      `${session.v3}/spaces?names=demo-space&organization_guids=${DEMO.org}&page=1&per_page=1`,
    );
    expect(spaces.status).toBe(200);
    expect(spaces.json.resources).toHaveLength(1);
    expect(spaces.json.resources[0]).toMatchObject({ guid: DEMO.space, name: "demo-space" });
  });

  it("refreshes as the CLI's auth wrapper does: '<token_type> <access_token>' becomes the stored token", async () => {
    const refreshed = await cli(refreshGrant(session.loginUrl, session.refreshToken));
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.token_type).toBe("bearer");
    expect(refreshed.json.refresh_token).toBe(session.refreshToken);
    const stored = `${refreshed.json.token_type} ${refreshed.json.access_token}` as StoredToken;
    expect(decodeStoredToken(stored)).toMatchObject({ user_name: "demo-developer", origin: "uaa" });
    const apps = await get(`${session.v3}/apps?names=demo-app&space_guids=${DEMO.space}`, stored);
    expect(apps.status).toBe(200);
  });
});

/** GetApplicationByNameAndSpace: one app by name in the targeted space; the CLI reads its guid. */
async function findApp(name: string, guid: string, lifecycle: string) {
  const reply = await get(`${session.v3}/apps?names=${name}&space_guids=${DEMO.space}`);
  expect(reply.status).toBe(200);
  expect(reply.json.pagination.total_results).toBe(1);
  expect(reply.json.resources[0]).toMatchObject({
    guid,
    name,
    state: "STOPPED",
    lifecycle: { type: lifecycle },
    relationships: { space: { data: { guid: DEMO.space } } },
  });
}

describe("cf create-package", () => {
  it("demo-app -p DIR: creates a bits package, uploads the CLI's zip, polls until READY", async () => {
    await findApp("demo-app", DEMO.app, "buildpack");
    const created = await cli(
      ccRequest("POST", `${session.v3}/packages`, {
        token: session.accessToken,
        body: `{"relationships":{"app":{"data":{"guid":"${DEMO.app}"}}},"type":"bits"}`,
      }),
    );
    expect(created.status).toBe(201);
    const guid: string = created.json.guid;
    expect(guid).toMatch(UUID);
    expect(created.json.created_at).toMatch(TIMESTAMP);
    expect(created.json).toEqual(
      packageJson({ guid, appGuid: DEMO.app, createdAt: created.json.created_at }),
    );

    const zip = await buildZip([
      { name: "app/", data: "" },
      { name: "app/index.html", data: "<h1>demo</h1>\n", deflate: true },
    ]);
    const { body, contentType } = cliBitsUpload(zip);
    const uploaded = await cli(
      ccRequest("POST", `${session.v3}/packages/${guid}/upload`, {
        token: session.accessToken,
        body,
        contentType,
      }),
    );
    expect(uploaded.status).toBe(200);

    // The CLI polls the package it created until READY, FAILED or EXPIRED.
    const polled = await get(`${session.v3}/packages/${guid}`);
    expect(polled.status).toBe(200);
    expect(polled.json).toEqual(
      packageJson({
        guid,
        appGuid: DEMO.app,
        createdAt: created.json.created_at,
        updatedAt: polled.json.updated_at,
        state: "READY",
        data: { error: null, checksum: { type: "sha256", value: await digest("SHA-256", zip) } },
      }),
    );
  });

  it("demo-docker-app --docker-image IMG: creates a READY docker package", async () => {
    await findApp("demo-docker-app", DEMO.dockerApp, "docker");
    const created = await cli(
      ccRequest("POST", `${session.v3}/packages`, {
        token: session.accessToken,
        body: `{"relationships":{"app":{"data":{"guid":"${DEMO.dockerApp}"}}},"type":"docker","data":{"image":"cloudfoundry/diego-docker-app"}}`,
      }),
    );
    expect(created.status).toBe(201);
    expect(created.json).toEqual(
      packageJson({
        guid: created.json.guid,
        appGuid: DEMO.dockerApp,
        createdAt: created.json.created_at,
        type: "docker",
        data: { image: "cloudfoundry/diego-docker-app", username: null, password: null },
      }),
    );
  });
});

describe("cf packages demo-app", () => {
  it("lists every package newest first, following absolute next links across pages", async () => {
    const existing = await get(`${session.v3}/packages?app_guids=${DEMO.app}`);
    const base = Math.floor(Date.now() / 1000) - 10_000;
    const seeded: string[] = [];
    for (let i = 0; i < 60; i++) {
      const guid = await addPackage(DEMO.app, { state: i % 2 ? "READY" : "FAILED" });
      await env.DB.prepare("UPDATE packages SET created_at = ?, updated_at = ? WHERE guid = ?")
        .bind(base + i, base + i, guid)
        .run();
      seeded.push(guid);
    }
    await findApp("demo-app", DEMO.app, "buildpack");

    const pages: { resources: { guid: string; state: string; created_at: string }[] }[] = [];
    let next: string | null = `${session.v3}/packages?app_guids=${DEMO.app}&order_by=-created_at`;
    while (next) {
      const reply = await get(next);
      expect(reply.status).toBe(200);
      pages.push(reply.json);
      next = reply.json.pagination.next?.href ?? null;
      if (next) expect(next.startsWith(`${BASE}/v3/packages?`)).toBe(true);
    }

    const listed = pages.flatMap((page) => page.resources);
    const total = existing.json.pagination.total_results + seeded.length;
    expect(pages.map((page) => page.resources.length)).toEqual([50, total - 50]);
    expect(new Set(listed.map((pkg) => pkg.guid)).size).toBe(total);
    // Newest first: the seeded packages, oldest created last, come after those created just now.
    expect(listed.slice(-seeded.length).map((pkg) => pkg.guid)).toEqual([...seeded].reverse());
    for (const pkg of listed) {
      // The CLI shows guid, the state in lower case and created_at parsed as RFC 3339.
      expect(pkg.guid).toMatch(UUID);
      expect(["AWAITING_UPLOAD", "PROCESSING_UPLOAD", "READY", "FAILED", "EXPIRED", "COPYING"]).toContain(
        pkg.state,
      );
      expect(pkg.created_at).toMatch(TIMESTAMP);
    }
  });
});
