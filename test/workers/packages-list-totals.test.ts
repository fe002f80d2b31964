// Unfiltered totals come from per-app counts that triggers keep, and a page picks the cheaper way to
// find its rows. Both are checked through HTTP: total_results, and the D1 figures in Server-Timing.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { addApp, addPackage, createWorld, grant, newUser } from "./support/fixtures";
import { call, type Reply } from "./support/http";
import { roundTrips } from "./support/packages";
import { deleteAndWait } from "./support/resources";
import { adminToken, token } from "./support/tokens";

async function developer() {
  const world = await createWorld();
  const user = newUser("developer");
  await grant(user, "space_developer", world);
  return { world, bearer: await token(user) };
}

const addPackages = async (appGuid: string, count: number) => {
  const guids: string[] = [];
  for (let i = 0; i < count; i++) guids.push(await addPackage(appGuid));
  return guids;
};

const rowsRead = (reply: Reply) => Number(/rr=(\d+)/.exec(reply.headers.get("Server-Timing") ?? "")?.[1]);

describe("totals", () => {
  it("follow creates, package deletes and app deletes", async () => {
    const { world, bearer } = await developer();
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
    const { world, bearer } = await developer();
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
    const { world, bearer } = await developer();
    await addPackages(world.appGuid, 2);
    const reply = await call("GET", path(world.appGuid), { token: asAdmin ? await adminToken() : bearer });
    expect(reply.status).toBe(200);
    expect(roundTrips(reply)).toBe(expected);
  });
});

describe("finding a page's rows", () => {
  it("walks packages in order when the caller sees most of them, stopping when the page is full", async () => {
    const { world, bearer } = await developer();
    const guids = await addPackages(world.appGuid, 150);
    const reply = await call("GET", "/v3/packages?per_page=5", { token: bearer });
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual(guids.slice(0, 5));
    // Sorting all 150 visible packages would read them all.
    expect(rowsRead(reply)).toBeLessThan(60);
  });

  it("finds a few visible packages among many through the app index", async () => {
    const crowd = await developer();
    await addPackages(crowd.world.appGuid, 150);
    const { world, bearer } = await developer();
    const guids = await addPackages(world.appGuid, 2);
    const reply = await call("GET", "/v3/packages?per_page=5", { token: bearer });
    expect(reply.json.resources.map((r: { guid: string }) => r.guid)).toEqual(guids);
    // Walking in order would pass over every other package first.
    expect(rowsRead(reply)).toBeLessThan(60);
  });
});
