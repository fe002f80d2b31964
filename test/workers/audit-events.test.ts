// Audit events: what each package action records (exact bodies), GET /v3/audit_events and its filters,
// and who sees which events (CC's readable_event_dataset).
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { bitsField, runScheduled, send, upload } from "./support/bits";
import { GLOBAL_READERS, tokenFor } from "./support/callers";
import { badQueryBody, notFoundBody } from "./support/errors";
import { addPackage, createWorld, grant, newUser, type World } from "./support/fixtures";
import { BASE, call } from "./support/http";
import { type LogLine, logLines } from "./support/logs";
import { adminToken, token } from "./support/tokens";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** The events of `target` as an admin lists them, oldest first. */
async function eventsOf(target: string) {
  const reply = await call("GET", `/v3/audit_events?target_guids=${target}`, { token: await adminToken() });
  expect(reply.status).toBe(200);
  return reply.json.resources as Record<string, unknown>[];
}

/** A user with a role in `world`, their token, and the actor their events name. */
async function actorIn(world: World, role: "space_developer" | "space_auditor" = "space_developer") {
  const guid = newUser(role);
  await grant(guid, role, world);
  return { bearer: await token(guid), actor: { guid, type: "user", name: `${guid}@example.com` } };
}

/** The exact event CC presents for a package action on the world's app. */
function packageEvent(world: World, type: string, actor: object, data: object) {
  return {
    guid: expect.any(String),
    created_at: expect.stringMatching(ISO),
    updated_at: expect.stringMatching(ISO),
    type,
    actor,
    target: { guid: world.appGuid, type: "app", name: `app-${world.appGuid}` },
    data,
    space: { guid: world.spaceGuid },
    organization: { guid: world.orgGuid },
    links: { self: { href: expect.stringMatching(`^${BASE}/v3/audit_events/[0-9a-f-]{36}$`) } },
  };
}

describe("package actions record CC's events", () => {
  it("create: the request as given, the docker password redacted", async () => {
    const world = await createWorld({ lifecycle: "docker" });
    const { bearer, actor } = await actorIn(world);
    const created = await call("POST", "/v3/packages", {
      token: bearer,
      body: {
        type: "docker",
        data: { image: "registry/image:1", username: "robot", password: "s3cret" },
        relationships: { app: { data: { guid: world.appGuid } } },
      },
    });
    expect(created.status).toBe(201);
    // The event rides in the create's batch: still one D1 round trip.
    expect(created.headers.get("Server-Timing")).toMatch(/^d1;desc="rt=1 /);

    const events = await eventsOf(world.appGuid);
    expect(events).toEqual([
      packageEvent(world, "audit.app.package.create", actor, {
        package_guid: created.json.guid,
        request: {
          type: "docker",
          relationships: { app: { data: { guid: world.appGuid } } },
          data: { image: "registry/image:1", username: "robot", password: "***" },
        },
      }),
    ]);
    expect(JSON.stringify(events)).not.toContain("s3cret");
  });

  it("the 2015 seed create: CC's create event, the request as given (CC drops the app guid)", async () => {
    const world = await createWorld();
    const { bearer, actor } = await actorIn(world);
    const created = await call("POST", `/v3/apps/${world.appGuid}/packages`, {
      rawBody: '{"type":"docker","url":"docker://cloudfoundry/runtime-ci"}',
      contentType: "application/x-www-form-urlencoded",
      token: bearer,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get("Server-Timing")).toMatch(/^d1;desc="rt=1 /);
    const bits = await call("POST", `/v3/apps/${world.appGuid}/packages`, {
      body: { type: "bits" },
      token: bearer,
    });
    expect(bits.status).toBe(201);

    expect(await eventsOf(world.appGuid)).toEqual([
      packageEvent(world, "audit.app.package.create", actor, {
        package_guid: created.json.guid,
        request: { type: "docker", url: "docker://cloudfoundry/runtime-ci" },
      }),
      packageEvent(world, "audit.app.package.create", actor, {
        package_guid: bits.json.guid,
        request: { type: "bits" },
      }),
    ]);
  });

  it("a refused seed create records nothing", async () => {
    const world = await createWorld();
    const { bearer } = await actorIn(world, "space_auditor");
    const refused = await call("POST", `/v3/apps/${world.appGuid}/packages`, {
      body: { type: "bits" },
      token: bearer,
    });
    expect(refused.status).toBe(403);
    expect(await eventsOf(world.appGuid)).toEqual([]);
  });

  it("a refused create records nothing", async () => {
    const world = await createWorld();
    const { bearer } = await actorIn(world, "space_auditor");
    const refused = await call("POST", "/v3/packages", {
      token: bearer,
      body: { type: "bits", relationships: { app: { data: { guid: world.appGuid } } } },
    });
    expect(refused.status).toBe(403);
    expect(await eventsOf(world.appGuid)).toEqual([]);
  });

  it("copy: a create naming its source package, on the destination app", async () => {
    const world = await createWorld();
    const { bearer, actor } = await actorIn(world);
    const source = await addPackage(world.appGuid, { type: "docker" });
    const destination = { ...world, appGuid: crypto.randomUUID() };
    await env.DB.prepare(
      "INSERT INTO apps (guid, name, space_guid, created_at, updated_at) VALUES (?, ?, ?, 1, 1)",
    )
      .bind(destination.appGuid, `app-${destination.appGuid}`, world.spaceGuid)
      .run();

    const copied = await call("POST", `/v3/packages?source_guid=${source}`, {
      token: bearer,
      body: { relationships: { app: { data: { guid: destination.appGuid } } } },
    });
    expect(copied.status).toBe(201);

    expect(await eventsOf(destination.appGuid)).toEqual([
      packageEvent(destination, "audit.app.package.create", actor, {
        package_guid: copied.json.guid,
        request: { source_package_guid: source },
      }),
    ]);
  });

  it("upload, download and delete: the package's guid", async () => {
    const world = await createWorld();
    const { bearer, actor } = await actorIn(world);
    const guid = await addPackage(world.appGuid);

    expect((await upload(guid, bearer, [await bitsField()])).status).toBe(200);
    // A second upload is refused (bits already uploaded): no second event.
    expect((await upload(guid, bearer, [await bitsField()])).status).toBe(400);
    const download = await send(
      new Request(`${BASE}/v3/packages/${guid}/download`, {
        headers: { Authorization: `bearer ${bearer}` },
        redirect: "manual",
      }),
    );
    expect(download.status).toBe(302);
    expect(download.headers.get("Server-Timing")).toMatch(/^d1;desc="rt=1 /);
    const deleted = await call("DELETE", `/v3/packages/${guid}`, { token: bearer });
    expect(deleted.status).toBe(202);
    // The access read, then the job and its event in one batch.
    expect(deleted.headers.get("Server-Timing")).toMatch(/^d1;desc="rt=2 /);

    expect(await eventsOf(world.appGuid)).toEqual(
      ["upload", "download", "delete"].map((action) =>
        packageEvent(world, `audit.app.package.${action}`, actor, { package_guid: guid }),
      ),
    );
  });

  it("a refused download (not bits, not a developer) records nothing", async () => {
    const world = await createWorld();
    const docker = await addPackage(world.appGuid, { type: "docker" });
    const bits = await addPackage(world.appGuid, { state: "READY", sha1: "a", bitsSize: 1 });
    const { bearer } = await actorIn(world);
    const { bearer: auditor } = await actorIn(world, "space_auditor");

    expect((await call("GET", `/v3/packages/${docker}/download`, { token: bearer })).status).toBe(422);
    expect((await call("GET", `/v3/packages/${bits}/download`, { token: auditor })).status).toBe(403);
    expect(await eventsOf(world.appGuid)).toEqual([]);
  });
});

describe("GET /v3/audit_events", () => {
  /** A world with one event on its app, recorded by a developer creating a package. */
  async function worldWithEvent() {
    const world = await createWorld();
    const { bearer } = await actorIn(world);
    const created = await call("POST", "/v3/packages", {
      token: bearer,
      body: { type: "bits", relationships: { app: { data: { guid: world.appGuid } } } },
    });
    expect(created.status).toBe(201);
    const [event] = await eventsOf(world.appGuid);
    return { world, event: event as { guid: string } };
  }

  const VISIBLE = [
    ...GLOBAL_READERS,
    "space_developer",
    "space_auditor",
    "space_supporter",
    "organization_auditor",
  ];
  const INVISIBLE = [
    "space_manager",
    "organization_manager",
    "organization_user",
    "organization_billing_manager",
    "no_role",
  ];

  /** Shown and listed (by its target) to the caller when `visible`; else a 404 and an empty list. */
  async function expectSeen(event: { guid: string }, target: string, bearer: string, visible: boolean) {
    const shown = await call("GET", `/v3/audit_events/${event.guid}`, { token: bearer });
    const listed = await call("GET", `/v3/audit_events?target_guids=${target}`, { token: bearer });
    expect(listed.status).toBe(200);
    expect(shown.status).toBe(visible ? 200 : 404);
    expect(shown.json).toEqual(visible ? event : notFoundBody("Event"));
    expect(listed.json.resources).toEqual(visible ? [event] : []);
  }

  it.each([
    ...VISIBLE.map((role) => [role, true] as const),
    ...INVISIBLE.map((role) => [role, false] as const),
  ])("%s sees the event: %s", async (role, visible) => {
    const { world, event } = await worldWithEvent();
    const bearer = await tokenFor(world, role as Parameters<typeof tokenFor>[1]);

    await expectSeen(event, world.appGuid, bearer, visible);
  });

  /** A world with one organization-level event (no space): an admin adding an organization role. */
  async function worldWithOrganizationEvent() {
    const world = await createWorld();
    const user = newUser();
    const added = await call("POST", "/v3/roles", {
      token: await adminToken(),
      body: {
        type: "organization_user",
        relationships: { user: { data: { guid: user } }, organization: { data: { guid: world.orgGuid } } },
      },
    });
    expect(added.status).toBe(201);
    const [event] = await eventsOf(user);
    expect(event).toMatchObject({ space: null, organization: { guid: world.orgGuid } });
    return { world, event: event as { guid: string }, target: user };
  }

  // CC's readable_event_dataset: by space only through the event's space, so an organization's own
  // events are for global readers and its auditors.
  it.each([
    ...[...GLOBAL_READERS, "organization_auditor"].map((role) => [role, true] as const),
    ...[...INVISIBLE, "space_developer", "space_auditor", "space_supporter"].map(
      (role) => [role, false] as const,
    ),
  ])("an organization's event (no space): %s sees it: %s", async (role, visible) => {
    const { world, event, target } = await worldWithOrganizationEvent();
    const bearer = await tokenFor(world, role as Parameters<typeof tokenFor>[1]);

    await expectSeen(event, target, bearer, visible);
  });

  it("an event in another space of the organization: its auditor sees it, this space's roles do not", async () => {
    const { world, event } = await worldWithEvent();
    const otherSpace = { ...world, spaceGuid: crypto.randomUUID() };
    await env.DB.prepare(
      "INSERT INTO spaces (guid, name, organization_guid, created_at, updated_at) VALUES (?, 'other', ?, 1, 1)",
    )
      .bind(otherSpace.spaceGuid, world.orgGuid)
      .run();
    for (const [role, status] of [
      ["organization_auditor", 200],
      ["space_developer", 404],
      ["space_auditor", 404],
      ["space_supporter", 404],
    ] as const) {
      const shown = await call("GET", `/v3/audit_events/${event.guid}`, {
        token: await tokenFor(otherSpace, role),
      });
      expect(shown.status, role).toBe(status);
    }
  });

  it("cf events APP: the app's events, newest first, in CC's envelope", async () => {
    const { world, event } = await worldWithEvent();
    const admin = await adminToken();
    const query = `target_guids=${world.appGuid}&order_by=-created_at&per_page=50`;
    const reply = await call("GET", `/v3/audit_events?${query}`, { token: admin });
    const link = `${BASE}/v3/audit_events?order_by=-created_at&page=1&per_page=50&target_guids=${world.appGuid}`;
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      pagination: {
        total_results: 1,
        total_pages: 1,
        first: { href: link },
        last: { href: link },
        next: null,
        previous: null,
      },
      resources: [event],
    });
  });

  it("filters: types, target_guids and target_guids[not], space_guids, organization_guids, timestamps", async () => {
    const { world, event } = await worldWithEvent();
    const other = await worldWithEvent();
    const admin = await adminToken();
    const guidsOf = async (query: string) => {
      const reply = await call("GET", `/v3/audit_events?${query}`, { token: admin });
      expect(reply.status).toBe(200);
      return (reply.json.resources as { guid: string }[]).map((e) => e.guid);
    };
    const both = `space_guids=${world.spaceGuid},${other.world.spaceGuid}`;

    expect(await guidsOf(both)).toEqual([event.guid, other.event.guid]);
    expect(await guidsOf(`${both}&order_by=-created_at&per_page=1&page=2`)).toEqual([event.guid]);
    expect(await guidsOf(`organization_guids=${other.world.orgGuid}`)).toEqual([other.event.guid]);
    expect(await guidsOf(`${both}&target_guids[not]=${world.appGuid}`)).toEqual([other.event.guid]);
    expect(await guidsOf(`${both}&types=audit.app.package.create`)).toEqual([event.guid, other.event.guid]);
    expect(await guidsOf(`${both}&types=audit.app.package.delete`)).toEqual([]);
    expect(await guidsOf(`${both}&created_ats[lt]=2000-01-01T00:00:00Z`)).toEqual([]);
    expect(await guidsOf(`${both}&updated_ats[gt]=2000-01-01T00:00:00Z`)).toEqual([
      event.guid,
      other.event.guid,
    ]);
  });

  it("target_guids[not] is repeated in the links as Rails' to_query writes a hash of lists", async () => {
    const { world } = await worldWithEvent();
    const admin = await adminToken();
    const listed = await call("GET", `/v3/audit_events?target_guids[not]=${world.appGuid},x&per_page=1`, {
      token: admin,
    });
    const not = "target_guids%5Bnot%5D%5B%5D";
    expect(listed.json.pagination.first.href).toBe(
      `${BASE}/v3/audit_events?page=1&per_page=1&${not}=${world.appGuid}&${not}=x`,
    );
    // CC takes any other operator beside `not`, and repeats it too.
    const beside = await call("GET", `/v3/audit_events?target_guids[not]=a&target_guids[in]=b`, {
      token: admin,
    });
    expect(beside.status).toBe(200);
    expect(beside.json.pagination.first.href).toBe(
      `${BASE}/v3/audit_events?page=1&per_page=50&target_guids%5Bin%5D%5B%5D=b&${not}=a`,
    );
  });

  it.each([
    ["target_guids[in]=x", "Target guids target_guids has an invalid operator"],
    ["target_guids[]=x&target_guids[x]=y", "expected Hash (got Array) for param `target_guids'"],
  ])("%s → 400 %s", async (query, detail) => {
    const refused = await call("GET", `/v3/audit_events?${query}`, { token: await adminToken() });
    expect(refused.status).toBe(400);
    expect(refused.json).toEqual(badQueryBody(detail));
  });
});

describe("app, space, organization and role actions record CC's events", () => {
  /** An admin's token and the actor their events name. */
  async function admin() {
    const guid = newUser("admin");
    return { bearer: await adminToken(guid), actor: { guid, type: "user", name: `${guid}@example.com` } };
  }

  /** The exact event CC presents: `target` the resource, in `space` and `organization` (or null). */
  const event = (
    type: string,
    actor: object,
    target: object,
    data: object,
    space: string | null,
    organization: string,
  ) => ({
    guid: expect.any(String),
    created_at: expect.stringMatching(ISO),
    updated_at: expect.stringMatching(ISO),
    type,
    actor,
    target,
    data,
    space: space ? { guid: space } : null,
    organization: { guid: organization },
    links: { self: { href: expect.stringMatching(`^${BASE}/v3/audit_events/[0-9a-f-]{36}$`) } },
  });

  it("create and delete-request of an organization, a space and an app", async () => {
    const { bearer, actor } = await admin();
    const name = `org-${crypto.randomUUID()}`;
    const org = await call("POST", "/v3/organizations", { token: bearer, body: { name } });
    expect(org.status).toBe(201);
    const space = await call("POST", "/v3/spaces", {
      token: bearer,
      body: { name: "dev", relationships: { organization: { data: { guid: org.json.guid } } } },
    });
    expect(space.status).toBe(201);
    const app = await call("POST", "/v3/apps", {
      token: bearer,
      body: { name: "web", relationships: { space: { data: { guid: space.json.guid } } } },
    });
    expect(app.status).toBe(201);
    for (const path of [
      `/v3/apps/${app.json.guid}`,
      `/v3/spaces/${space.json.guid}`,
      `/v3/organizations/${org.json.guid}`,
    ]) {
      expect((await call("DELETE", path, { token: bearer })).status).toBe(202);
    }

    const orgTarget = { guid: org.json.guid, type: "organization", name };
    const spaceTarget = { guid: space.json.guid, type: "space", name: "dev" };
    const appTarget = { guid: app.json.guid, type: "app", name: "web" };
    const o = org.json.guid;
    const s = space.json.guid;
    expect(await eventsOf(o)).toEqual([
      event("audit.organization.create", actor, orgTarget, { request: { name, suspended: false } }, null, o),
      event("audit.organization.delete-request", actor, orgTarget, { request: { recursive: true } }, null, o),
    ]);
    expect(await eventsOf(s)).toEqual([
      event(
        "audit.space.create",
        actor,
        spaceTarget,
        { request: { name: "dev", relationships: { organization: { data: { guid: o } } } } },
        s,
        o,
      ),
      event("audit.space.delete-request", actor, spaceTarget, { request: { recursive: true } }, s, o),
    ]);
    expect(await eventsOf(app.json.guid)).toEqual([
      event(
        "audit.app.create",
        actor,
        appTarget,
        { request: { name: "web", relationships: { space: { data: { guid: s } } } } },
        s,
        o,
      ),
      event("audit.app.delete-request", actor, appTarget, {}, s, o),
    ]);
  });

  it("role create and delete: audit.user.<role>_add and _remove, about the role's user", async () => {
    const world = await createWorld();
    const { bearer, actor } = await admin();
    const user = newUser();
    // Recorded as given (CC's audit hash), an empty space relationship included.
    const relationships = {
      user: { data: { guid: user } },
      organization: { data: { guid: world.orgGuid } },
      space: { data: null },
    };
    const orgRole = await call("POST", "/v3/roles", {
      token: bearer,
      body: { relationships, type: "organization_user" },
    });
    expect(orgRole.status).toBe(201);
    const spaceRelationships = { user: { data: { guid: user } }, space: { data: { guid: world.spaceGuid } } };
    const spaceRole = await call("POST", "/v3/roles", {
      token: bearer,
      body: { type: "space_developer", relationships: spaceRelationships },
    });
    expect(spaceRole.status).toBe(201);
    // A role the user already has: refused, and not recorded.
    const again = await call("POST", "/v3/roles", {
      token: bearer,
      body: { type: "space_developer", relationships: spaceRelationships },
    });
    expect(again.status).toBe(422);
    expect((await call("DELETE", `/v3/roles/${spaceRole.json.guid}`, { token: bearer })).status).toBe(202);

    const target = { guid: user, type: "user", name: "" };
    expect(await eventsOf(user)).toEqual([
      event(
        "audit.user.organization_user_add",
        actor,
        target,
        { request: { type: "organization_user", relationships } },
        null,
        world.orgGuid,
      ),
      event(
        "audit.user.space_developer_add",
        actor,
        target,
        { request: { type: "space_developer", relationships: spaceRelationships } },
        world.spaceGuid,
        world.orgGuid,
      ),
      event(
        "audit.user.space_developer_remove",
        actor,
        target,
        { request: {} },
        world.spaceGuid,
        world.orgGuid,
      ),
    ]);
  });
});

describe("retention", () => {
  it("the cron deletes events older than AUDIT_EVENTS_CUTOFF_AGE_IN_DAYS, and keeps the rest", async () => {
    const world = await createWorld();
    const { bearer } = await actorIn(world);
    for (let i = 0; i < 2; i++) {
      const created = await call("POST", "/v3/packages", {
        token: bearer,
        body: { type: "bits", relationships: { app: { data: { guid: world.appGuid } } } },
      });
      expect(created.status).toBe(201);
    }
    const [old, recent] = (await eventsOf(world.appGuid)) as { guid: string }[];
    const day = 86_400;
    const ageBy = (guid: string, seconds: number) =>
      env.DB.prepare(
        "UPDATE audit_events SET created_at = created_at - ?, updated_at = updated_at - ? WHERE guid = ?",
      )
        .bind(seconds, seconds, guid)
        .run();
    await ageBy(old!.guid, 3 * day);
    await ageBy(recent!.guid, 2 * day - 60);

    const infos = vi.spyOn(console, "log").mockImplementation(() => {});
    let logged: LogLine[];
    try {
      await runScheduled({ AUDIT_EVENTS_CUTOFF_AGE_IN_DAYS: "2" });
      logged = logLines(infos);
    } finally {
      infos.mockRestore();
    }

    expect((await eventsOf(world.appGuid)).map((e) => e.guid)).toEqual([recent!.guid]);
    // The run's own count of what it deleted: this one event.
    expect(logged.find((line) => line.message === "maintenance")?.expiredAuditEvents).toBe(1);
  });

  it("by default, CC's 31 days", async () => {
    const world = await createWorld();
    const { bearer } = await actorIn(world);
    await call("POST", "/v3/packages", {
      token: bearer,
      body: { type: "bits", relationships: { app: { data: { guid: world.appGuid } } } },
    });
    const [event] = (await eventsOf(world.appGuid)) as { guid: string }[];
    const age = (days: number) =>
      env.DB.prepare("UPDATE audit_events SET created_at = ? WHERE guid = ?")
        .bind(Math.floor(Date.now() / 1000) - days * 86_400, event!.guid)
        .run();

    await age(30);
    await runScheduled();
    expect(await eventsOf(world.appGuid)).toHaveLength(1);
    await age(32);
    await runScheduled();
    expect(await eventsOf(world.appGuid)).toEqual([]);
  });
});
