// GET /v3/packages/:guid/droplets (B.14): CC's droplet JSON as lists show it, the droplet list filters,
// validation, the package's visibility (404 Package not found) and the cost of one D1 round trip.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type Caller, GLOBAL_READERS, SPACE_READERS, tokenFor } from "../support/callers";
import { badQueryBody, NOT_AUTHORIZED, notFoundBody } from "../support/errors";
import { addApp, createWorld, type Lifecycle, newUser } from "../support/fixtures";
import { BASE, call } from "../support/http";
import { addMetadata, iso, list, type Metadata, pagination, seedPackage } from "../support/list-seeds";
import { roundTrips } from "../support/packages";
import { adminToken, token } from "../support/tokens";

const T = 1_720_000_000;

interface SeededDroplet {
  guid: string;
  appGuid: string;
  packageGuid: string;
  state: string;
  lifecycle: Lifecycle;
  createdAt: number;
  labels: Metadata;
}

async function seedDroplet(
  world: { appGuid: string },
  packageGuid: string,
  seed: { state: string; createdAt: number; lifecycle?: Lifecycle; labels?: Metadata },
): Promise<SeededDroplet> {
  const droplet = {
    guid: crypto.randomUUID(),
    appGuid: world.appGuid,
    packageGuid,
    state: seed.state,
    lifecycle: seed.lifecycle ?? "buildpack",
    createdAt: seed.createdAt,
    labels: seed.labels ?? {},
  };
  await env.DB.prepare(
    "INSERT INTO droplets (guid, state, package_guid, app_guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(droplet.guid, droplet.state, packageGuid, world.appGuid, droplet.createdAt, droplet.createdAt)
    .run();
  await addMetadata(droplet.guid, droplet.labels);
  return droplet;
}

/** CC's DropletPresenter in a list, for a droplet with nothing recorded from staging. */
function dropletJson(d: SeededDroplet) {
  const self = `${BASE}/v3/droplets/${d.guid}`;
  return {
    guid: d.guid,
    created_at: iso(d.createdAt),
    updated_at: iso(d.createdAt),
    state: d.state,
    error: null,
    lifecycle: { type: d.lifecycle, data: {} },
    checksum: null,
    buildpacks: d.lifecycle === "docker" ? null : [],
    stack: null,
    image: null,
    execution_metadata: "[PRIVATE DATA HIDDEN IN LISTS]",
    process_types: { redacted_message: "[PRIVATE DATA HIDDEN IN LISTS]" },
    relationships: { app: { data: { guid: d.appGuid } } },
    metadata: { labels: d.labels, annotations: {} },
    links: {
      self: { href: self },
      app: { href: `${BASE}/v3/apps/${d.appGuid}` },
      assign_current_droplet: {
        href: `${BASE}/v3/apps/${d.appGuid}/relationships/current_droplet`,
        method: "PATCH",
      },
      package: { href: `${BASE}/v3/packages/${d.packageGuid}` },
      ...(d.state === "AWAITING_UPLOAD" && { upload: { href: `${self}/upload`, method: "POST" } }),
      ...(d.state === "STAGED" && d.lifecycle === "buildpack" && { download: { href: `${self}/download` } }),
    },
  };
}

/** A package with a FAILED droplet and a newer STAGED one, and a droplet of another package of the app. */
async function packageWithDroplets(options: { lifecycle?: Lifecycle } = {}) {
  const world = await createWorld(options);
  const pkg = await seedPackage(world.appGuid, { createdAt: T, state: "READY" });
  const other = await seedPackage(world.appGuid, { createdAt: T + 1, state: "READY" });
  const lifecycle = options.lifecycle;
  const failed = await seedDroplet(world, pkg.guid, {
    state: "FAILED",
    createdAt: T + 5,
    lifecycle,
    labels: { fruit: "strawberry" },
  });
  const staged = await seedDroplet(world, pkg.guid, {
    state: "STAGED",
    createdAt: T + 6,
    lifecycle,
    labels: { limes: "horse" },
  });
  await seedDroplet(world, other.guid, { state: "STAGED", createdAt: T + 7, lifecycle });
  return { world, pkg, failed, staged, path: `/v3/packages/${pkg.guid}/droplets` };
}

describe("listing a package's droplets", () => {
  it("cf start: states=STAGED&per_page=1&page=1, in one D1 round trip", async () => {
    const { world, staged, path } = await packageWithDroplets();
    const reply = await list(
      `${path}?states=STAGED&per_page=1&page=1`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=1&states=STAGED`, 1, 1),
      resources: [dropletJson(staged)],
    });
    expect(roundTrips(reply)).toBe(1);
  });

  it("lists only the package's droplets, in creation order, paged with order_by in the links", async () => {
    const { world, failed, staged, path } = await packageWithDroplets();
    const bearer = await tokenFor(world, "space_developer");

    expect((await list(path, bearer)).json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=50`, 2, 1),
      resources: [dropletJson(failed), dropletJson(staged)],
    });
    expect((await list(`${path}?order_by=-created_at&per_page=1&page=2`, bearer)).json).toEqual({
      pagination: pagination(path, (p) => `order_by=-created_at&page=${p}&per_page=1`, 2, 2, 2),
      resources: [dropletJson(failed)],
    });
  });

  it.each([
    ["docker", "STAGED"],
    ["cnb", "STAGED"],
    ["buildpack", "AWAITING_UPLOAD"],
    ["buildpack", "PROCESSING_UPLOAD"],
    ["buildpack", "EXPIRED"],
  ] as [Lifecycle, string][])("shows a %s droplet in %s as CC does", async (lifecycle, state) => {
    const world = await createWorld({ lifecycle });
    const pkg = await seedPackage(world.appGuid, { createdAt: T });
    const droplet = await seedDroplet(world, pkg.guid, { state, createdAt: T + 1, lifecycle });
    const reply = await list(`/v3/packages/${pkg.guid}/droplets`, await adminToken());
    expect(reply.json.resources).toEqual([dropletJson(droplet)]);
  });

  it("filters by guids, states, app_guids, space_guids, organization_guids, labels and timestamps", async () => {
    const { world, failed, staged, path } = await packageWithDroplets();
    const elsewhere = await createWorld();
    const bearer = await tokenFor(world, "space_manager");
    const cases: [string, SeededDroplet[]][] = [
      [`guids=${staged.guid},${crypto.randomUUID()}`, [staged]],
      ["states=FAILED,EXPIRED", [failed]],
      [`app_guids=${world.appGuid}`, [failed, staged]],
      [`app_guids=${await addApp(world.spaceGuid)}`, []],
      [`space_guids=${world.spaceGuid}`, [failed, staged]],
      [`space_guids=${elsewhere.spaceGuid}`, []],
      [`organization_guids=${world.orgGuid}`, [failed, staged]],
      [`organization_guids=${elsewhere.orgGuid}`, []],
      ["label_selector=fruit", [failed]],
      ["label_selector=limes in (horse),!fruit", [staged]],
      [`created_ats=${iso(T + 6)}`, [staged]],
      [`updated_ats[lt]=${iso(T + 6)}`, [failed]],
    ];
    for (const [query, expected] of cases) {
      const reply = await list(`${path}?${query}`, bearer);
      expect({ query, resources: reply.json.resources }).toEqual({
        query,
        resources: expected.map(dropletJson),
      });
    }
    expect(
      (await list(`${path}?label_selector=fruit%3Dstrawberry&space_guids=${world.spaceGuid}`, bearer)).json
        .pagination,
    ).toEqual(
      pagination(
        path,
        (p) => `label_selector=fruit%3Dstrawberry&page=${p}&per_page=50&space_guids=${world.spaceGuid}`,
        1,
        1,
      ),
    );
  });

  it("a page beyond the end is empty, with a previous link", async () => {
    const { world, path } = await packageWithDroplets();
    const reply = await list(`${path}?page=3`, await tokenFor(world, "space_auditor"));
    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=50`, 2, 1, 3),
      resources: [],
    });
  });
});

describe("validation (400 CF-BadQueryParameter, before the package is looked up)", () => {
  it.each([
    ["current=true", "Unknown query parameter(s): 'current'"],
    [
      "foo=1",
      "Unknown query parameter(s): 'foo'. Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'app_guid', 'app_guids', 'current', 'organization_guids', 'package_guid', 'space_guids', 'states', 'label_selector'",
    ],
    ["order_by=state", "Order by can only be: 'created_at', 'updated_at'"],
    ["per_page=5001", "Per page must be between 1 and 5000"],
    ["states[x]=STAGED", "States must be an array"],
    ["label_selector=!", "Invalid label_selector value"],
    [
      "created_ats[gt]=nope",
      "Created ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'",
    ],
  ])("%s → %s", async (query, detail) => {
    const reply = await list(`/v3/packages/${crypto.randomUUID()}/droplets?${query}`, await adminToken());
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQueryBody(detail));
  });

  it("accepts app_guid and package_guid, which the path decides", async () => {
    const { world, failed, staged, path } = await packageWithDroplets();
    const reply = await list(`${path}?package_guid=x&app_guid=y`, await tokenFor(world, "space_developer"));
    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=50`, 2, 1),
      resources: [dropletJson(failed), dropletJson(staged)],
    });
  });
});

describe("who sees a package's droplets", () => {
  it.each([...GLOBAL_READERS, ...SPACE_READERS])("%s: 200", async (role) => {
    const { world, path } = await packageWithDroplets();
    const reply = await list(path, await tokenFor(world, role));
    expect(reply.status).toBe(200);
    expect(reply.json.resources).toHaveLength(2);
  });

  it.each<Caller>(["organization_auditor", "organization_billing_manager", "no_role"])(
    "%s: 404 Package not found",
    async (role) => {
      const { world, path } = await packageWithDroplets();
      const reply = await list(path, await tokenFor(world, role));
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual(notFoundBody("Package"));
    },
  );

  it("a missing package is 404 Package not found", async () => {
    const reply = await list(`/v3/packages/${crypto.randomUUID()}/droplets`, await adminToken());
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("Package"));
  });

  it("a package without droplets lists none", async () => {
    const world = await createWorld();
    const pkg = await seedPackage(world.appGuid, { createdAt: T });
    const path = `/v3/packages/${pkg.guid}/droplets`;
    const reply = await list(path, await tokenFor(world, "space_supporter"));
    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=50`, 0, 1),
      resources: [],
    });
  });

  it("needs a token (401) with a read scope (403)", async () => {
    const { path } = await packageWithDroplets();
    expect((await call("GET", path)).status).toBe(401);
    const reply = await list(path, await token(newUser(), { scopes: ["cloud_controller.write"] }));
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });
});
