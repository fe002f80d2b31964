// GET /v3/packages and GET /v3/apps/:guid/packages (B.7): the CLI's and go-cfclient's exact queries,
// every filter with its pagination links, ordering and paging (validation and visibility: list-checks.test.ts).
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { developerWorld, tokenFor } from "../support/callers";
import { addApp, addPackage, createWorld } from "../support/fixtures";
import { call, type Reply } from "../support/http";
import {
  appWithPackages,
  iso,
  list,
  pagination,
  resources,
  type SeededPackage,
  seedPackage,
} from "../support/list-seeds";
import { roundTrips } from "../support/packages";
import { deleteAndWait } from "../support/resources";
import { adminToken } from "../support/tokens";

// Unfiltered totals come from per-app counts that triggers keep, and a page picks the cheaper way to
// find its rows. Both are checked through HTTP: total_results, and the D1 figures in Server-Timing.
// They come first in this file: "the caller sees most of them" needs few packages of other tests around.
const addPackages = async (appGuid: string, count: number) => {
  const guids: string[] = [];
  for (let i = 0; i < count; i++) guids.push(await addPackage(appGuid));
  return guids;
};

const rowsRead = (reply: Reply) => Number(/rr=(\d+)/.exec(reply.headers.get("Server-Timing") ?? "")?.[1]);

describe("totals", () => {
  it("follow creates, package deletes and app deletes", async () => {
    const { world, bearer } = await developerWorld();
    const otherApp = await addApp(world.spaceGuid);
    const [first] = await addPackages(world.appGuid, 3);
    await addPackages(otherApp, 2);
    const total = async () =>
      (await call("GET", "/v3/packages", { token: bearer })).json.pagination.total_results;

    expect(await total()).toBe(5);
    expect((await deleteAndWait(`/v3/packages/${first}`, bearer)).status).toBe(202);
    expect(await total()).toBe(4);
    expect((await deleteAndWait(`/v3/apps/${otherApp}`, bearer)).status).toBe(202);
    expect(await total()).toBe(2);
    const counts = await env.DB.prepare(
      "SELECT app_guid, total FROM app_package_counts WHERE app_guid IN (?, ?)",
    )
      .bind(world.appGuid, otherApp)
      .all();
    expect(counts.results).toEqual([{ app_guid: world.appGuid, total: 2 }]);
  });

  it("agree with counting rows when package filters apply", async () => {
    const { world, bearer } = await developerWorld();
    await addPackages(world.appGuid, 2);
    await addPackage(world.appGuid, { state: "READY" });
    const all = await call("GET", "/v3/packages?per_page=1", { token: bearer });
    const ready = await call("GET", "/v3/packages?states=READY", { token: bearer });
    expect(all.json.pagination.total_results).toBe(3);
    expect(all.json.pagination.total_pages).toBe(3);
    expect(ready.json.pagination.total_results).toBe(1);
  });
});

describe("round trips", () => {
  it.each<[string, (appGuid: string) => string, boolean, number]>([
    ["a developer's unfiltered list reads the counts, then the page", () => "/v3/packages", false, 2],
    ["a global reader's unfiltered list", () => "/v3/packages", true, 1],
    [
      "a list of the CLI's app_guids",
      (app) => `/v3/packages?app_guids=${app}&order_by=-created_at`,
      false,
      1,
    ],
    ["a list filtered by state", () => "/v3/packages?states=READY", false, 1],
    ["an app's list", (app) => `/v3/apps/${app}/packages`, false, 1],
  ])("%s: %i", async (_case, path, asAdmin, expected) => {
    const { world, bearer } = await developerWorld();
    await addPackages(world.appGuid, 2);
    const reply = await call("GET", path(world.appGuid), { token: asAdmin ? await adminToken() : bearer });
    expect(reply.status).toBe(200);
    expect(roundTrips(reply)).toBe(expected);
  });
});

describe("finding a page's rows", () => {
  it("walks packages in order when the caller sees most of them, stopping when the page is full", async () => {
    const { world, bearer } = await developerWorld();
    const guids = await addPackages(world.appGuid, 150);
    const reply = await call("GET", "/v3/packages?per_page=5", { token: bearer });
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual(guids.slice(0, 5));
    // Sorting all 150 visible packages would read them all.
    expect(rowsRead(reply)).toBeLessThan(60);
  });

  it("finds a few visible packages among many through the app index", async () => {
    const crowd = await developerWorld();
    await addPackages(crowd.world.appGuid, 150);
    const { world, bearer } = await developerWorld();
    const guids = await addPackages(world.appGuid, 2);
    const reply = await call("GET", "/v3/packages?per_page=5", { token: bearer });
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual(guids);
    // Walking in order would pass over every other package first.
    expect(rowsRead(reply)).toBeLessThan(60);
  });
});

const T = 1_700_000_000;
const _VALID =
  "Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'states', 'types', 'app_guids', 'app_guid', 'space_guids', 'organization_guids', 'label_selector'";

describe("the cf CLI's and go-cfclient's queries", () => {
  it("cf packages: app_guids=G&order_by=-created_at, newest first, in one D1 round trip", async () => {
    const { world, docker, ready, failed } = await appWithPackages(T);
    const reply = await list(
      `/v3/packages?app_guids=${world.appGuid}&order_by=-created_at`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      pagination: pagination(
        "/v3/packages",
        (p) => `app_guids=${world.appGuid}&order_by=-created_at&page=${p}&per_page=50`,
        3,
        1,
      ),
      resources: resources(failed, ready, docker),
    });
    expect(roundTrips(reply)).toBe(1);
  });

  it("restage: the newest READY package, one a page", async () => {
    const { world, docker, ready } = await appWithPackages(T);
    const reply = await list(
      `/v3/packages?app_guids=${world.appGuid}&states=READY&order_by=-created_at&per_page=1&page=1`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.json).toEqual({
      pagination: pagination(
        "/v3/packages",
        (p) => `app_guids=${world.appGuid}&order_by=-created_at&page=${p}&per_page=1&states=READY`,
        2,
        2,
      ),
      resources: resources(ready),
    });
    expect(reply.json.resources[0].guid).not.toBe(docker.guid);
  });

  it("stage-package --package-guid: guids=P&app_guids=G&per_page=1&page=1", async () => {
    const { world, ready } = await appWithPackages(T);
    const reply = await list(
      `/v3/packages?guids=${ready.guid}&app_guids=${world.appGuid}&per_page=1&page=1`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.json).toEqual({
      pagination: pagination(
        "/v3/packages",
        (p) => `app_guids=${world.appGuid}&guids=${ready.guid}&page=${p}&per_page=1`,
        1,
        1,
      ),
      resources: resources(ready),
    });
  });

  it("go-cfclient ListForApp: page=1&per_page=50 on the app's list, in creation order", async () => {
    const { world, docker, ready, failed } = await appWithPackages(T);
    const reply = await list(
      `/v3/apps/${world.appGuid}/packages?page=1&per_page=50`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.json).toEqual({
      pagination: pagination(`/v3/apps/${world.appGuid}/packages`, (p) => `page=${p}&per_page=50`, 3, 1),
      resources: resources(docker, ready, failed),
    });
    expect(roundTrips(reply)).toBe(1);
  });
});

describe("filters", () => {
  const created = encodeURIComponent(iso(T + 1));
  it.each([
    [
      "states=READY,FAILED",
      (s: Seeds) => [s.docker, s.ready, s.failed],
      "page=P&per_page=50&states=READY%2CFAILED",
    ],
    [
      "states=FAILED, AWAITING_UPLOAD",
      (s: Seeds) => [s.failed],
      "page=P&per_page=50&states=FAILED%2CAWAITING_UPLOAD",
    ],
    ["states=UNKNOWN", () => [], "page=P&per_page=50&states=UNKNOWN"],
    ["types=docker", (s: Seeds) => [s.docker], "page=P&per_page=50&types=docker"],
    ["created_ats=CREATED", (s: Seeds) => [s.ready], `created_ats=${created}&page=P&per_page=50`],
    [
      "created_ats[lt]=CREATED",
      (s: Seeds) => [s.docker],
      `created_ats%5Blt%5D=${created}&page=P&per_page=50`,
    ],
    [
      "created_ats[lte]=CREATED",
      (s: Seeds) => [s.docker, s.ready],
      `created_ats%5Blte%5D=${created}&page=P&per_page=50`,
    ],
    [
      "created_ats[gt]=CREATED",
      (s: Seeds) => [s.failed],
      `created_ats%5Bgt%5D=${created}&page=P&per_page=50`,
    ],
    [
      "created_ats[gte]=CREATED",
      (s: Seeds) => [s.ready, s.failed],
      `created_ats%5Bgte%5D=${created}&page=P&per_page=50`,
    ],
    [
      "updated_ats=UPDATED",
      (s: Seeds) => [s.failed],
      `page=P&per_page=50&updated_ats=${encodeURIComponent(iso(T + 10))}`,
    ],
  ])("%s", async (filter, expected, link) => {
    const seeds = await appWithPackages(T);
    const query = filter.replace("CREATED", iso(T + 1)).replace("UPDATED", iso(T + 10));
    const path = `/v3/apps/${seeds.world.appGuid}/packages`;
    const reply = await list(`${path}?${query}`, await tokenFor(seeds.world, "space_developer"));

    const matching = expected(seeds);
    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => link.replace("page=P", `page=${p}`), matching.length, 1),
      resources: resources(...matching),
    });
  });

  it("created_ats: a list of seconds and a range of two operators", async () => {
    const seeds = await appWithPackages(T);
    const bearer = await tokenFor(seeds.world, "space_developer");
    const path = `/v3/apps/${seeds.world.appGuid}/packages`;

    const equal = await list(`${path}?created_ats=${iso(T)},${iso(T + 2)}`, bearer);
    expect(equal.json.resources).toEqual(resources(seeds.docker, seeds.failed));
    expect(equal.json.pagination.first.href).toBe(
      `http://api.example.org${path}?created_ats=${encodeURIComponent(`${iso(T)},${iso(T + 2)}`)}&page=1&per_page=50`,
    );

    const range = await list(`${path}?created_ats[gt]=${iso(T)}&created_ats[lt]=${iso(T + 2)}`, bearer);
    expect(range.json.resources).toEqual(resources(seeds.ready));
    expect(range.json.pagination.first.href).toBe(
      `http://api.example.org${path}?created_ats%5Bgt%5D=${encodeURIComponent(iso(T))}&created_ats%5Blt%5D=${encodeURIComponent(iso(T + 2))}&page=1&per_page=50`,
    );
  });

  it("guids, app_guids, space_guids and organization_guids select across apps, spaces and orgs", async () => {
    const one = await appWithPackages(T);
    const otherApp = await addApp(one.world.spaceGuid);
    const inOtherApp = await seedPackage(otherApp, { createdAt: T + 3 });
    const two = await appWithPackages(T);
    const admin = await adminToken();
    const cases: [string, SeededPackage[]][] = [
      [`guids=${one.ready.guid},${two.ready.guid}`, [one.ready, two.ready]],
      [`app_guids=${otherApp},${two.world.appGuid}`, [inOtherApp, two.docker, two.ready, two.failed]],
      [`space_guids=${one.world.spaceGuid}`, [one.docker, one.ready, one.failed, inOtherApp]],
      [`organization_guids=${two.world.orgGuid}&types=bits`, [two.ready, two.failed]],
      [`organization_guids=${two.world.orgGuid}&space_guids=${one.world.spaceGuid}`, []],
    ];
    for (const [query, expected] of cases) {
      const reply = await list(`/v3/packages?${query}`, admin);
      expect({ query, resources: reply.json.resources }).toEqual({
        query,
        resources: resources(...expected),
      });
    }
  });

  it("a guid list longer than D1's 100 parameters is one parameter", async () => {
    const { world, ready } = await appWithPackages(T);
    const guids = [...Array.from({ length: 150 }, () => crypto.randomUUID()), ready.guid];
    const reply = await list(
      `/v3/packages?guids=${guids.join(",")}`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.status).toBe(200);
    expect(reply.json.resources).toEqual(resources(ready));
  });

  it("combined filters keep every filter in the first, last, next and previous links", async () => {
    const { world, ready, failed } = await appWithPackages(T);
    const reply = await list(
      `/v3/packages?types=bits&app_guids=${world.appGuid}&states=READY,FAILED&order_by=created_at&per_page=1&page=2`,
      await tokenFor(world, "space_developer"),
    );

    expect(reply.json).toEqual({
      pagination: pagination(
        "/v3/packages",
        (p) =>
          `app_guids=${world.appGuid}&order_by=%2Bcreated_at&page=${p}&per_page=1&states=READY%2CFAILED&types=bits`,
        2,
        2,
        2,
      ),
      resources: resources(failed),
    });
    expect(ready.createdAt).toBeLessThan(failed.createdAt);
  });
});

type Seeds = Awaited<ReturnType<typeof appWithPackages>>;

describe("ordering and paging", () => {
  it("orders by created_at or updated_at either way, ties broken by creation in the same direction", async () => {
    const world = await createWorld();
    const a = await seedPackage(world.appGuid, { createdAt: T + 5, updatedAt: T + 7 });
    const b = await seedPackage(world.appGuid, { createdAt: T + 5, updatedAt: T + 6 });
    const c = await seedPackage(world.appGuid, { createdAt: T + 1, updatedAt: T + 7 });
    const bearer = await tokenFor(world, "space_developer");
    const cases: [string, SeededPackage[]][] = [
      ["", [a, b, c]],
      ["order_by=created_at", [c, a, b]],
      ["order_by=%2Bcreated_at", [c, a, b]],
      ["order_by=-created_at", [b, a, c]],
      ["order_by=updated_at", [b, a, c]],
      ["order_by=-updated_at", [c, a, b]],
    ];
    for (const [query, expected] of cases) {
      const reply = await list(`/v3/apps/${world.appGuid}/packages?${query}`, bearer);
      expect({ query, guids: reply.json.resources.map((r: { guid: string }) => r.guid) }).toEqual({
        query,
        guids: expected.map((p) => p.guid),
      });
    }
  });

  it("a page beyond the end is empty, with the real total and a previous link", async () => {
    const { world } = await appWithPackages(T);
    const path = `/v3/apps/${world.appGuid}/packages`;
    const reply = await list(`${path}?per_page=2&page=7`, await tokenFor(world, "space_developer"));

    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=2`, 3, 2, 7),
      resources: [],
    });
    expect(reply.json.pagination.previous.href).toBe(`http://api.example.org${path}?page=6&per_page=2`);
  });

  it.each([
    ["per_page=5000", 200],
    ["per_page=1", 200],
    // The largest page CC takes at per_page 50 (page * per_page within 2^63 - 1).
    ["page=184467440737095516", 200],
  ])("accepts %s", async (query, status) => {
    const { world } = await appWithPackages(T);
    const reply = await list(
      `/v3/apps/${world.appGuid}/packages?${query}`,
      await tokenFor(world, "space_developer"),
    );
    expect(reply.status).toBe(status);
  });

  it("an empty list has one page and no next or previous link", async () => {
    const world = await createWorld();
    const path = `/v3/apps/${world.appGuid}/packages`;
    const reply = await list(path, await tokenFor(world, "space_developer"));
    expect(reply.json).toEqual({
      pagination: pagination(path, (p) => `page=${p}&per_page=50`, 0, 1),
      resources: [],
    });
  });
});
