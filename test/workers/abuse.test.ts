// Hostile input: every string this API stores is bounded before D1 sees it (CC's message where CC has a
// limit, ours in CC's words where it has none), and a body too large to be a message is refused whole.
// Nothing here may answer 500 or leave a row behind.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { developerWorld } from "./support/callers";
import { INVALID_APP, labelLimitBody, NOT_AUTHORIZED, unprocessableBody } from "./support/errors";
import { addApp, addPackage, createWorld, grant, newUser, type World } from "./support/fixtures";
import { BASE, call, callWithEnv, cfError, fetchWorker, type Reply, read } from "./support/http";
import { createdPackage, packageCount, packageJson, relationships } from "./support/packages";
import { createRole, spaceRole } from "./support/roles";
import { adminToken, token } from "./support/tokens";

const MiB = 1024 * 1024;
const TOO_LARGE = cfError(
  1001,
  "CF-MessageParseError",
  "Request invalid due to parse error: request body is larger than 1048576 bytes",
);

async function count(sql: string, ...binds: string[]): Promise<number> {
  const row = await env.DB.prepare(sql)
    .bind(...binds)
    .first();
  return Number(row?.n);
}

describe("a body over 1 MiB", () => {
  it.each([
    [
      "a docker image",
      (appGuid: string) => ({
        type: "docker",
        data: { image: "a".repeat(3 * MiB) },
        relationships: relationships(appGuid),
      }),
    ],
    [
      "a docker username",
      (appGuid: string) => ({
        type: "docker",
        data: { image: "i", username: "u".repeat(3 * MiB) },
        relationships: relationships(appGuid),
      }),
    ],
    [
      "an annotation value",
      (appGuid: string) => ({
        type: "docker",
        data: { image: "i" },
        relationships: relationships(appGuid),
        metadata: { annotations: { a: "v".repeat(3 * MiB) } },
      }),
    ],
  ])("is 400 before anything is read or written: %s of 3 MiB", async (_name, body) => {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const reply = await call("POST", "/v3/packages", { token: bearer, body: body(world.appGuid) });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(TOO_LARGE);
    expect(await packageCount(world.appGuid)).toBe(0);
  });

  it("is 400 on every JSON route, the 2015 url, an app, space or organization name and a role username", async () => {
    const world = await createWorld({ lifecycle: "docker" });
    const admin = await adminToken();
    const huge = "n".repeat(3 * MiB);
    const replies = await Promise.all([
      call("POST", `/v3/apps/${world.appGuid}/packages`, {
        token: admin,
        body: { type: "docker", url: huge },
      }),
      call("POST", "/v3/apps", {
        token: admin,
        body: { name: huge, relationships: { space: { data: { guid: world.spaceGuid } } } },
      }),
      call("POST", "/v3/spaces", {
        token: admin,
        body: { name: huge, relationships: { organization: { data: { guid: world.orgGuid } } } },
      }),
      call("POST", "/v3/organizations", { token: admin, body: { name: huge } }),
      call("POST", "/v3/roles", {
        token: admin,
        body: {
          type: "organization_user",
          relationships: {
            user: { data: { username: huge } },
            organization: { data: { guid: world.orgGuid } },
          },
        },
      }),
      call("POST", "/v3/resource_matches", { token: admin, body: { resources: [], padding: huge } }),
    ]);
    for (const reply of replies) {
      expect(reply.status).toBe(400);
      expect(reply.json).toEqual(TOO_LARGE);
    }
    expect(await packageCount(world.appGuid)).toBe(0);
    expect(await count("SELECT COUNT(*) AS n FROM apps WHERE space_guid = ?", world.spaceGuid)).toBe(1);
    expect(await count("SELECT COUNT(*) AS n FROM spaces WHERE organization_guid = ?", world.orgGuid)).toBe(
      1,
    );
  });

  it.each([
    ["declares its length", false],
    ["declares none (streamed), so only the bytes read can tell", true],
  ])("is refused when it %s", async (_, streamed) => {
    const { world, bearer } = await developerWorld();
    const text = JSON.stringify({
      type: "bits",
      relationships: relationships(world.appGuid),
      pad: "x".repeat(MiB),
    });
    const bytes = new TextEncoder().encode(text);
    const body = streamed
      ? new ReadableStream<Uint8Array>({
          start(controller) {
            for (let at = 0; at < bytes.length; at += 64 * 1024)
              controller.enqueue(bytes.slice(at, at + 64 * 1024));
            controller.close();
          },
        })
      : bytes;
    const request = new Request(`${BASE}/v3/packages`, {
      method: "POST",
      headers: { Authorization: `bearer ${bearer}`, "Content-Type": "application/json" },
      body,
    });
    const reply = await read(await fetchWorker(request));
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(TOO_LARGE);
  });

  it("leaves a body of exactly 1 MiB to the message's own checks", async () => {
    const { world, bearer } = await developerWorld();
    const body = { type: "bits", relationships: relationships(world.appGuid), x: "" };
    body.x = "x".repeat(MiB - JSON.stringify(body).length);
    expect(JSON.stringify(body).length).toBe(MiB);
    const reply = await call("POST", "/v3/packages", { token: bearer, body });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("Unknown field(s): 'x'"));
  });
});

describe("string fields over their limits", () => {
  it("app name: CC's 255", async () => {
    const world = await createWorld();
    const admin = await adminToken();
    const create = (name: string) =>
      call("POST", "/v3/apps", {
        token: admin,
        body: { name, relationships: { space: { data: { guid: world.spaceGuid } } } },
      });
    const refused = await create("a".repeat(256));
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual(unprocessableBody("Name is too long (maximum is 255 characters)"));
    // Characters, not UTF-16 units: 255 emoji are 510 units and still fit.
    expect((await create("😀".repeat(255))).status).toBe(201);
  });

  it("space and organization names: CC's 255", async () => {
    const world = await createWorld();
    const admin = await adminToken();
    const space = await call("POST", "/v3/spaces", {
      token: admin,
      body: { name: "s".repeat(256), relationships: { organization: { data: { guid: world.orgGuid } } } },
    });
    expect(space.status).toBe(422);
    expect(space.json).toEqual(unprocessableBody("Name is too long (maximum is 255 characters)"));
    const organization = await call("POST", "/v3/organizations", {
      token: admin,
      body: { name: "o".repeat(256) },
    });
    expect(organization.status).toBe(422);
    expect(organization.json).toEqual(unprocessableBody("Name is too long (maximum is 255 characters)"));
  });

  it("docker image 4096 and username 255 on create, username 255 on update", async () => {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const create = (data: Record<string, string>) =>
      call("POST", "/v3/packages", {
        token: bearer,
        body: { type: "docker", data, relationships: relationships(world.appGuid) },
      });
    const refused = await create({ image: "i".repeat(4097), username: "u".repeat(256) });
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual(
      unprocessableBody(
        "Data Image is too long (maximum is 4096 characters), Data Username is too long (maximum is 255 characters)",
      ),
    );
    expect(await packageCount(world.appGuid)).toBe(0);

    const created = await create({ image: "i".repeat(4096), username: "u".repeat(255) });
    expect(created.status).toBe(201);
    expect(created.json.data.image).toBe("i".repeat(4096));
    const patched = await call("PATCH", `/v3/packages/${created.json.guid}`, {
      token: bearer,
      body: { username: "v".repeat(256) },
    });
    expect(patched.status).toBe(422);
    expect(patched.json).toEqual(unprocessableBody("Username is too long (maximum is 255 characters)"));
    const row = await env.DB.prepare("SELECT docker_username FROM packages WHERE guid = ?")
      .bind(created.json.guid)
      .first();
    expect(row?.docker_username).toBe("u".repeat(255));
  });

  it("the 2015 create's url is bounded as the image is", async () => {
    const { world, bearer } = await developerWorld({ lifecycle: "docker" });
    const reply = await call("POST", `/v3/apps/${world.appGuid}/packages`, {
      token: bearer,
      body: { type: "docker", url: "u".repeat(4097) },
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody("Url is too long (maximum is 4096 characters)"));
    expect(await packageCount(world.appGuid)).toBe(0);
  });

  it("annotation values: CC's 5000; an over-long annotation key is refused even with a blank value", async () => {
    const { world, bearer } = await developerWorld();
    const create = (annotations: Record<string, string | null>) =>
      call("POST", "/v3/packages", {
        token: bearer,
        body: { type: "bits", relationships: relationships(world.appGuid), metadata: { annotations } },
      });
    const value = await create({ a: "v".repeat(5001) });
    expect(value.status).toBe(422);
    expect(value.json).toEqual(
      unprocessableBody("Metadata annotation value error: 'vvvvvvvv...' is greater than 5000 characters"),
    );
    const longKey = "k".repeat(318);
    for (const blank of ["", null]) {
      const key = await create({ [longKey]: blank });
      expect(key.status).toBe(422);
      expect(key.json).toEqual(
        unprocessableBody("Metadata annotation key error: 'kkkkkkkk...' is greater than 63 characters"),
      );
    }
    // A blank value under an invalid key that a valid one could be as long as is still CC's no-op.
    expect((await create({ "k!": "" })).status).toBe(201);
    expect(await packageCount(world.appGuid)).toBe(1);
  });

  it("a role's user guid: CC's 200", async () => {
    const world = await createWorld();
    const reply = await call("POST", "/v3/roles", {
      token: await adminToken(),
      body: {
        type: "organization_user",
        relationships: {
          user: { data: { guid: "g".repeat(201) } },
          organization: { data: { guid: world.orgGuid } },
        },
      },
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(
      unprocessableBody("Relationships User guid must be between 1 and 200 characters"),
    );
  });
});

describe("annotations too large to read back", () => {
  const big = (prefix: string, count: number, char: string) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`${prefix}-${i}`, char.repeat(5000)]));

  it("200 annotations of 5,000 ASCII characters, CC's most, are stored and shown", async () => {
    const { world, bearer } = await developerWorld();
    const annotations = big("a", 200, "x");
    const created = await call("POST", "/v3/packages", {
      token: bearer,
      body: { type: "bits", relationships: relationships(world.appGuid), metadata: { annotations } },
    });
    expect(created.status).toBe(201);
    const shown = await call("GET", `/v3/packages/${created.json.guid}`, { token: bearer });
    expect(shown.status).toBe(200);
    expect(shown.json.metadata.annotations).toEqual(annotations);
  });

  it("PATCHes that would take them past 1,500,000 bytes are 422 and write nothing (D1 could not read them)", async () => {
    const { world, bearer } = await developerWorld();
    const created = await call("POST", "/v3/packages", {
      token: bearer,
      body: { type: "bits", relationships: relationships(world.appGuid) },
    });
    const guid = created.json.guid;
    const patch = (annotations: Record<string, string | null>) =>
      call("PATCH", `/v3/packages/${guid}`, { token: bearer, body: { metadata: { annotations } } });
    // 45 annotations of 5,000 four-byte characters: about 900,000 bytes each time.
    const first = big("first", 45, "😀");
    expect((await patch(first)).status).toBe(200);

    const refused = await patch(big("second", 45, "😀"));
    expect(refused.status).toBe(422);
    expect(refused.json).toEqual(
      unprocessableBody("Failed to add 45 annotations because it would exceed maximum size of 1500000 bytes"),
    );
    const shown = await call("GET", `/v3/packages/${guid}`, { token: bearer });
    expect(shown.status).toBe(200);
    expect(shown.json.metadata.annotations).toEqual(first);

    // Changes that grow nothing pass: replacing annotations by smaller ones, and deleting them.
    const replaced = await patch({ "first-0": "small", "first-1": null });
    expect(replaced.status).toBe(200);
    expect(Object.keys(replaced.json.metadata.annotations)).toHaveLength(44);
    expect(replaced.json.metadata.annotations["first-0"]).toBe("small");
  });
});

describe("a body of tens of thousands of metadata deletions", () => {
  it("deletes the keys it names that exist, in one statement a kind, and leaves the rest", async () => {
    const { world, bearer } = await developerWorld();
    const created = await call("POST", "/v3/packages", {
      token: bearer,
      body: {
        type: "bits",
        relationships: relationships(world.appGuid),
        metadata: { labels: { keep: "1", k7: "2" }, annotations: { keep: "1", k29999: "2" } },
      },
    });
    const deletions = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, null]));
    const reply = await call("PATCH", `/v3/packages/${created.json.guid}`, {
      token: bearer,
      body: { metadata: { labels: deletions, annotations: deletions } },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.metadata).toEqual({ labels: { keep: "1" }, annotations: { keep: "1" } });
  });
});

// Races an attacker (or a busy team) can start: package creates while the creator's role comes and
// goes, and concurrent label additions near the limit. Each answer is CC's for one order of events,
// never a 500, and what is stored keeps CC's limits.
const ROUNDS = 8;
const CREATES_PER_ROUND = 12;
const CREATES = ROUNDS * CREATES_PER_ROUND;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Package creates by `user` in rounds; in each round the user's space_developer role is created through
 * the API (even rounds) or deleted (odd rounds) while the round's creates start one by one, a
 * millisecond apart, so some run before the change, some during it and some after.
 */
async function createWhileRoleToggles(world: World, user: string): Promise<Reply[]> {
  const bearer = await token(user);
  const admin = await adminToken();
  const create = async (delay: number) => {
    await pause(delay);
    return call("POST", "/v3/packages", {
      token: bearer,
      body: {
        type: "bits",
        relationships: relationships(world.appGuid),
        metadata: { labels: { by: "race" } },
      },
    });
  };
  const toggle = async (round: number) => {
    if (round % 2 === 0) {
      const role = await createRole(admin, spaceRole("space_developer", user, world.spaceGuid));
      expect(role.status).toBe(201);
    } else {
      await env.DB.prepare("DELETE FROM roles WHERE user_guid = ? AND type = 'space_developer'")
        .bind(user)
        .run();
    }
  };
  const replies: Reply[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const creates = Array.from({ length: CREATES_PER_ROUND }, (_, i) => create(i));
    const [, ...answered] = await Promise.all([toggle(round), ...creates]);
    replies.push(...answered);
  }
  return replies;
}

/** The statuses seen, each with how often; every reply checked against the body its status must have. */
function tally(replies: Reply[], appGuid: string, refusal: { status: number; body: unknown }) {
  const seen: Record<number, number> = {};
  for (const reply of replies) {
    seen[reply.status] = (seen[reply.status] ?? 0) + 1;
    if (reply.status === 201) {
      expect(reply.json).toEqual(
        packageJson({
          guid: reply.json.guid,
          appGuid,
          createdAt: reply.json.created_at,
          labels: { by: "race" },
        }),
      );
    } else {
      expect({ status: reply.status, body: reply.json }).toEqual(refusal);
    }
  }
  return seen;
}

// Many requests each: time enough for a loaded machine.
describe("package creates racing role changes", { timeout: 30_000 }, () => {
  it("a space auditor whose developer role comes and goes: 201 or 403, never 500", async () => {
    const world = await createWorld();
    const user = newUser("racer");
    await grant(user, "organization_user", world);
    await grant(user, "space_auditor", world);

    const replies = await createWhileRoleToggles(world, user);

    const seen = tally(replies, world.appGuid, { status: 403, body: NOT_AUTHORIZED });
    expect((seen[201] ?? 0) + (seen[403] ?? 0)).toBe(CREATES);
    // Every 201 is a package, with its label; no refused create left a row.
    expect(await packageCount(world.appGuid)).toBe(seen[201] ?? 0);
    const labelled = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM labels l JOIN packages p ON p.guid = l.resource_guid WHERE p.app_guid = ?",
    )
      .bind(world.appGuid)
      .first();
    expect(Number(labelled?.n)).toBe(seen[201] ?? 0);
  });

  it("an organization user who sees the space only through that role: 201 or 422, never 500", async () => {
    const world = await createWorld();
    const user = newUser("racer");
    await grant(user, "organization_user", world);

    const replies = await createWhileRoleToggles(world, user);

    const seen = tally(replies, world.appGuid, { status: 422, body: INVALID_APP });
    expect((seen[201] ?? 0) + (seen[422] ?? 0)).toBe(CREATES);
    expect(await packageCount(world.appGuid)).toBe(seen[201] ?? 0);
  });
});

// A copy reads its destination's access, then inserts: an app deleted between the two must refuse the
// copy, as a create is refused, not fail on the packages → apps foreign key. The real D1, with the
// deletion put deterministically between the request's two batches.
function deletingAppAfterFirstBatch(appGuid: string): D1Database {
  let deleted = false;
  return new Proxy(env.DB, {
    get(db, key) {
      if (key !== "batch") {
        const value = Reflect.get(db, key);
        return typeof value === "function" ? value.bind(db) : value;
      }
      return async (statements: D1PreparedStatement[]) => {
        const results = await db.batch(statements);
        if (!deleted) {
          deleted = true;
          // What the app delete job does, at once: the app's packages, then the app.
          await db.batch([
            db.prepare("DELETE FROM packages WHERE app_guid = ?").bind(appGuid),
            db.prepare("DELETE FROM apps WHERE guid = ?").bind(appGuid),
          ]);
        }
        return results;
      };
    },
  });
}

describe("a package copy whose destination app is deleted while it runs", () => {
  it("is refused as a copy into a missing app (422), not a 500, and leaves no package", async () => {
    const world = await createWorld();
    const source = await addPackage(world.appGuid, { type: "docker" });
    const destination = await addApp(world.spaceGuid);

    const reply = await callWithEnv(
      { DB: deletingAppAfterFirstBatch(destination) },
      "POST",
      `/v3/packages?source_guid=${source}`,
      { token: await adminToken(), body: { relationships: relationships(destination) } },
    );

    expect({ status: reply.status, body: reply.json }).toEqual({ status: 422, body: INVALID_APP });
    expect(await packageCount(destination)).toBe(0);
    expect(await packageCount(world.appGuid)).toBe(1);
  });
});

// Many requests each: time enough for a loaded machine.
describe("label additions racing to the limit", { timeout: 30_000 }, () => {
  it("10 PATCHes of 5 new labels on a package with 45: one lands, the others get CC's 422", async () => {
    const { world, bearer } = await developerWorld();
    const existing = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`base-${i}`, "v"]));
    // Several packages raced at once, so the PATCHes' reads and writes interleave.
    const guids = await Promise.all(
      Array.from(
        { length: 6 },
        async () => (await createdPackage(world, bearer, { metadata: { labels: existing } })).guid,
      ),
    );
    const patch = (guid: string, writer: number) =>
      call("PATCH", `/v3/packages/${guid}`, {
        token: bearer,
        body: {
          metadata: {
            labels: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`w${writer}-${i}`, "v"])),
          },
        },
      });

    const replies = await Promise.all(
      guids.map((guid) => Promise.all(Array.from({ length: 10 }, (_, w) => patch(guid, w)))),
    );

    for (const [index, guid] of guids.entries()) {
      const winners = replies[index]!.filter((reply) => reply.status === 200);
      expect(winners).toHaveLength(1);
      for (const reply of replies[index]!.filter((r) => r.status !== 200)) {
        expect(reply.status).toBe(422);
        expect(reply.json).toEqual(labelLimitBody(5));
      }
      const shown = await call("GET", `/v3/packages/${guid}`, { token: bearer });
      expect(Object.keys(shown.json.metadata.labels)).toHaveLength(50);
      expect(shown.json.metadata.labels).toEqual(winners[0]!.json.metadata.labels);
    }
  });

  it("replacing and deleting labels at the limit still succeeds beside the refused additions", async () => {
    const { world, bearer } = await developerWorld();
    const full = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`base-${i}`, "v"]));
    const pkg = await createdPackage(world, bearer, { metadata: { labels: full } });
    const patch = (labels: Record<string, string | null>) =>
      call("PATCH", `/v3/packages/${pkg.guid}`, { token: bearer, body: { metadata: { labels } } });

    const [add, replace, swap] = await Promise.all([
      patch({ extra: "v" }),
      patch({ "base-0": "changed" }),
      patch({ "base-1": null, swapped: "in" }),
    ]);

    expect(add.status).toBe(422);
    expect(add.json).toEqual(labelLimitBody(1));
    expect(replace.status).toBe(200);
    expect(swap.status).toBe(200);
    const shown = await call("GET", `/v3/packages/${pkg.guid}`, { token: bearer });
    expect(Object.keys(shown.json.metadata.labels)).toHaveLength(50);
    expect(shown.json.metadata.labels["base-0"]).toBe("changed");
    expect(shown.json.metadata.labels.swapped).toBe("in");
    expect(shown.json.metadata.labels.extra).toBeUndefined();
    expect(await packageCount(world.appGuid)).toBe(1);
  });
});
