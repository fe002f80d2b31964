// D1 usage per request: the Server-Timing entry the app adds, and the counting D1 client behind it.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb, d1UsageOf } from "../../src/db/client";
import { addApp, createWorld, grant, newUser } from "./support/fixtures";
import { call } from "./support/http";
import { token } from "./support/tokens";

const SEED_BODY = '{"type":"docker","url":"docker://cloudfoundry/runtime-ci"}';
const timing = (rt: number, rr: number, rw: number) => `d1;desc="rt=${rt} rr=${rr} rw=${rw}"`;

function seedCreate(appGuid: string, bearer?: string) {
  return call("POST", `/v3/apps/${appGuid}/packages`, {
    rawBody: SEED_BODY,
    contentType: "application/x-www-form-urlencoded",
    ...(bearer ? { token: bearer } : {}),
  });
}

/** What D1 itself reports for a bare single-row package insert: the floor of a create. */
async function bareInsertMeta(appGuid: string) {
  const { meta } = await env.DB.prepare(
    "INSERT INTO packages (guid, type, state, app_guid, created_at, updated_at) VALUES (?, 'docker', 'READY', ?, 1, 1)",
  )
    .bind(crypto.randomUUID(), appGuid)
    .run();
  return meta;
}

describe("Server-Timing on the seed route", () => {
  it("reports one round trip for a create, writing the rows of one package insert", async () => {
    const world = await createWorld();
    const user = newUser();
    await grant(user, "space_developer", world);
    const floor = await bareInsertMeta(await addApp(world.spaceGuid));

    const reply = await seedCreate(world.appGuid, await token(user));

    expect(reply.status).toBe(201);
    const match = /^d1;desc="rt=(\d+) rr=(\d+) rw=(\d+)"$/.exec(reply.headers.get("Server-Timing") ?? "");
    expect(match).not.toBeNull();
    const [, rt, rr, rw] = match!.map(Number);
    expect(rt).toBe(1);
    expect(rw).toBe(floor.rows_written);
    // The app access check and the guarded insert both read rows; neither reading is dropped.
    expect(rr).toBeGreaterThan(floor.rows_read);
  });

  it("no token: no round trip", async () => {
    const reply = await seedCreate(crypto.randomUUID());
    expect(reply.status).toBe(401);
    expect(reply.headers.get("Server-Timing")).toBe(timing(0, 0, 0));
  });

  it("unknown app: one round trip, the access read that names the refusal being in the guarded batch", async () => {
    const reply = await seedCreate(crypto.randomUUID(), await token(newUser()));
    expect(reply.status).toBe(404);
    expect(reply.headers.get("Server-Timing")).toMatch(/^d1;desc="rt=1 rr=\d+ rw=0"$/);
  });
});

describe("the counting D1 client", () => {
  async function appWithPackages(count: number): Promise<string> {
    const world = await createWorld();
    for (let i = 0; i < count; i++) await bareInsertMeta(world.appGuid);
    return world.appGuid;
  }
  const LIST = "SELECT id, guid AS id FROM packages WHERE app_guid = ? ORDER BY id";

  it("counts each call once and sums the rows D1 reports, whatever the method", async () => {
    const appGuid = await appWithPackages(3);
    const { meta } = await env.DB.prepare(LIST).bind(appGuid).all();
    expect(meta.rows_read).toBeGreaterThan(0);

    const db = createDb(env.DB);
    const statement = db.$client.prepare(LIST).bind(appGuid);
    await statement.all();
    await statement.first();
    await statement.raw();
    await statement.run();
    await db.$client.batch([statement, statement]);

    expect(d1UsageOf(db)).toEqual({ roundTrips: 5, rowsRead: 6 * meta.rows_read, rowsWritten: 0 });
  });

  it("returns what the bare binding returns, duplicate column names included", async () => {
    const appGuid = await appWithPackages(2);
    const bare = env.DB.prepare(LIST).bind(appGuid);
    const counted = createDb(env.DB).$client.prepare(LIST).bind(appGuid);

    expect(await counted.raw({ columnNames: true })).toEqual(await bare.raw({ columnNames: true }));
    expect((await counted.raw())[0]).toHaveLength(2);
    expect(await counted.first("id")).toEqual(await bare.first("id"));
    await expect(counted.first("missing")).rejects.toThrow("D1_COLUMN_NOTFOUND");
    expect((await counted.all()).results).toEqual((await bare.all()).results);
  });

  it("counts writes from run and from a batch", async () => {
    const appGuid = await appWithPackages(0);
    // The app's first package also creates its count row (a trigger): measure a later one.
    await bareInsertMeta(appGuid);
    const floor = await bareInsertMeta(appGuid);
    const db = createDb(env.DB);
    const insert = () =>
      db.$client
        .prepare(
          "INSERT INTO packages (guid, type, state, app_guid, created_at, updated_at) VALUES (?, 'docker', 'READY', ?, 1, 1)",
        )
        .bind(crypto.randomUUID(), appGuid);

    await insert().run();
    await db.$client.batch([insert(), insert()]);

    const usage = d1UsageOf(db);
    expect(usage).toMatchObject({ roundTrips: 2, rowsWritten: 3 * floor.rows_written });
    expect(usage.rowsRead).toBeGreaterThan(0);
  });
});
