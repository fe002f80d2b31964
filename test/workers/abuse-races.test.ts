// Races an attacker (or a busy team) can start: package creates while the creator's role comes and
// goes, and concurrent label additions near the limit. Each answer is CC's for one order of events,
// never a 500, and what is stored keeps CC's limits.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { developerWorld } from "./support/callers";
import { INVALID_APP, labelLimitBody, NOT_AUTHORIZED } from "./support/errors";
import { createWorld, grant, newUser, type World } from "./support/fixtures";
import { call, type Reply } from "./support/http";
import { createdPackage, packageCount, packageJson, relationships } from "./support/packages";
import { createRole, spaceRole } from "./support/roles";
import { adminToken, token } from "./support/tokens";

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
