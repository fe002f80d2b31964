// The request body is read to its end before a refusal goes out, whatever the route read of it, so the
// client's connection serves its next request; past the bound (MAX_PACKAGE_SIZE plus 1 MiB) it is given
// up instead. The body here is a stream that records how far it was read; test/socket covers the socket.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createDb, d1UsageOf } from "../../src/db/client";
import { bitsWorld, send, uploadRequest } from "./support/bits";
import { tokenFor } from "./support/callers";
import { NOT_AUTHENTICATED, NOT_AUTHORIZED, PARSE_ERROR } from "./support/errors";
import { addApp, addPackage, createWorld, grant, newUser } from "./support/fixtures";
import { BASE, call, callWithEnv, cfError, type Reply } from "./support/http";
import { logLines } from "./support/logs";
import { token } from "./support/tokens";

const MiB = 1024 * 1024;

/** `total` bytes in 64 KiB chunks, counting what was read and whether the reader gave up. */
function recordedBody(total: number, head: Uint8Array = new Uint8Array()) {
  const record = { read: 0, cancelled: false };
  let headSent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!headSent) {
        headSent = true;
        record.read += head.length;
        return controller.enqueue(head);
      }
      if (record.read >= total) return controller.close();
      const size = Math.min(64 * 1024, total - record.read);
      record.read += size;
      controller.enqueue(new Uint8Array(size));
    },
    cancel: () => {
      record.cancelled = true;
    },
  });
  return { stream, record };
}

describe("the request body is drained before the answer", () => {
  it("an upload refused before the route reads (401): read to its end", async () => {
    const { newPackage } = await bitsWorld();
    const { stream, record } = recordedBody(3 * MiB);
    const request = uploadRequest(await newPackage(), "", stream);
    request.headers.delete("Authorization");
    const reply = await send(request);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
    expect(record).toEqual({ read: 3 * MiB, cancelled: false });
  });

  it("an upload refused by the package check (403): read to its end", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const { stream, record } = recordedBody(3 * MiB);
    const reply = await send(uploadRequest(guid, await tokenFor(world, "space_auditor"), stream));
    expect(reply.json).toEqual(NOT_AUTHORIZED);
    expect(record).toEqual({ read: 3 * MiB, cancelled: false });
  });

  it("an upload refused mid-body (malformed multipart): the rest read to its end", async () => {
    const { developer, newPackage } = await bitsWorld();
    const head = new TextEncoder().encode("--x\r\nContent-Disposition: form-data\r\n\r\n");
    const { stream, record } = recordedBody(3 * MiB, head);
    const reply = await send(
      uploadRequest(await newPackage(), developer, stream, "multipart/form-data; boundary=x"),
    );
    expect(reply.json).toEqual(
      cfError(
        1001,
        "CF-MessageParseError",
        "Request invalid due to parse error: invalid multipart body (part without a form-data name)",
      ),
    );
    expect(record).toEqual({ read: 3 * MiB, cancelled: false });
  });

  it("a JSON body refused before it is parsed (401): read to its end", async () => {
    const { stream, record } = recordedBody(2 * MiB, new TextEncoder().encode('{"type":'));
    const reply = await send(
      new Request(`${BASE}/v3/packages`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: stream,
      }),
    );
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
    expect(record.read).toBe(2 * MiB);
  });

  it("a JSON body that does not parse: read to its end by the parser", async () => {
    const { developer } = await bitsWorld();
    const { stream, record } = recordedBody(MiB, new TextEncoder().encode('{"type":'));
    const reply = await send(
      new Request(`${BASE}/v3/packages`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `bearer ${developer}` },
        body: stream,
      }),
    );
    expect(reply.json).toEqual(PARSE_ERROR);
    expect(record).toEqual({ read: MiB, cancelled: false });
  });

  it("past MAX_PACKAGE_SIZE plus 1 MiB: the answer, and the rest of the body given up", async () => {
    const { developer, newPackage } = await bitsWorld();
    const { stream, record } = recordedBody(8 * MiB);
    const reply = await send(
      uploadRequest(await newPackage(), developer, stream, "multipart/form-data; boundary=x"),
      { MAX_PACKAGE_SIZE: String(MiB) },
    );
    expect(reply.json).toEqual(
      cfError(
        150001,
        "CF-AppPackageInvalid",
        `The app package is invalid: Package may not be larger than ${MiB} bytes`,
      ),
    );
    expect(record.cancelled).toBe(true);
    expect(record.read).toBeGreaterThan(2 * MiB);
    expect(record.read).toBeLessThan(8 * MiB);
  });
});

// D1 usage per request: the Server-Timing entry the app adds, and the counting D1 client behind it.
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

/** What D1 reports for a bare single-row audit event insert: what a create's event adds. */
async function bareEventMeta() {
  const { meta } = await env.DB.prepare(
    `INSERT INTO audit_events (guid, type, actor_guid, actor_type, actor_name, target_guid, target_type,
      target_name, space_guid, organization_guid, data, created_at, updated_at)
    VALUES (?, 'audit.app.package.create', 'u', 'user', '', ?, 'app', '', 's', 'o', '{}', 1, 1)`,
  )
    .bind(crypto.randomUUID(), crypto.randomUUID())
    .run();
  return meta;
}

describe("Server-Timing on the seed route", () => {
  // Since the seed create records CC's audit.app.package.create, its rows written are those of a
  // package insert plus an event insert, still in the one round trip.
  it("reports one round trip for a create, writing the rows of one package insert and its event", async () => {
    const world = await createWorld();
    const user = newUser();
    await grant(user, "space_developer", world);
    const floor = await bareInsertMeta(await addApp(world.spaceGuid));
    const event = await bareEventMeta();

    const reply = await seedCreate(world.appGuid, await token(user));

    expect(reply.status).toBe(201);
    const match = /^d1;desc="rt=(\d+) rr=(\d+) rw=(\d+)"$/.exec(reply.headers.get("Server-Timing") ?? "");
    expect(match).not.toBeNull();
    const [, rt, rr, rw] = match!.map(Number);
    expect(rt).toBe(1);
    expect(event.rows_written).toBeGreaterThan(0);
    expect(rw).toBe(floor.rows_written + event.rows_written);
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

// An unexpected failure (here: D1 missing a table) is a 500 CF-UnknownError that leaks nothing; in
// production it is logged as one JSON error line with its stack, and the request line follows. The table
// is renamed away and back, so the file's other tests keep it.
afterEach(() => {
  vi.restoreAllMocks();
});

// Production, without the local-development secret (which production ignores, logging that it did).
const PRODUCTION = { ENVIRONMENT: "production", UAA_SYMMETRIC_SECRET: undefined };

describe("unexpected failures", () => {
  it("answer 500 CF-UnknownError without SQL, stack or binding names; the logs say what and where", async () => {
    const world = await createWorld();
    const user = newUser();
    await grant(user, "space_developer", world);
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const infos = vi.spyOn(console, "log").mockImplementation(() => {});
    const bearer = await token(user, { alg: "RS256" });
    await env.DB.exec("ALTER TABLE roles RENAME TO roles_away");
    let reply: Reply;
    try {
      reply = await callWithEnv(PRODUCTION, "POST", `/v3/apps/${world.appGuid}/packages`, {
        body: { type: "bits" },
        token: bearer,
        headers: { "X-VCAP-Request-ID": "trace-me", "cf-ray": "8f1e2d3c4b5a6978-AMS" },
      });
    } finally {
      await env.DB.exec("ALTER TABLE roles_away RENAME TO roles");
    }

    expect(reply.status).toBe(500);
    expect(reply.json).toEqual({
      errors: [{ detail: "An unknown error occurred.", title: "UnknownError", code: 10001 }],
    });
    expect(reply.text).not.toMatch(/roles|select|D1|sqlite|DB|stack/i);
    expect(reply.headers.get("Content-Type")).toBe("application/json;charset=utf-8");
    const requestId = reply.headers.get("X-VCAP-Request-ID")!;
    expect(requestId).toMatch(/^trace-me::/);
    const [failure, ...otherErrors] = logLines(errors);
    expect(otherErrors).toEqual([]);
    expect(failure).toEqual({
      level: "error",
      message: "request failed",
      requestId,
      error: {
        name: "Error",
        message: expect.stringContaining("roles"),
        cause: expect.stringContaining("no such table: roles"),
        stack: expect.any(String),
      },
    });
    expect(logLines(infos)).toEqual([
      {
        level: "info",
        message: "request",
        requestId,
        method: "POST",
        route: "/v3/apps/:guid/packages",
        status: 500,
        durationMs: expect.any(Number),
        user,
        d1: { roundTrips: expect.any(Number), rowsRead: expect.any(Number), rowsWritten: 0 },
        cfRay: "8f1e2d3c4b5a6978-AMS",
      },
    ]);
  });

  it("in development: the error line, and no request line", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const infos = vi.spyOn(console, "log").mockImplementation(() => {});
    await env.DB.exec("ALTER TABLE roles RENAME TO roles_away");
    let reply: Reply;
    try {
      reply = await call("GET", "/v3/packages", { token: await token(newUser()) });
    } finally {
      await env.DB.exec("ALTER TABLE roles_away RENAME TO roles");
    }
    expect(reply.status).toBe(500);
    expect(logLines(errors)).toEqual([
      expect.objectContaining({
        message: "request failed",
        requestId: reply.headers.get("X-VCAP-Request-ID"),
      }),
    ]);
    expect(infos).not.toHaveBeenCalled();
  });
});
