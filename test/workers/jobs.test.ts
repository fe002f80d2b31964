// GET /v3/jobs/:guid through a package delete's lifecycle: PROCESSING → COMPLETE, and a FAILED job.
// Jobs whose run was lost are picked up by the worker's scheduled handler.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { tokenFor } from "./support/callers";
import { notFoundBody } from "./support/errors";
import { createWorld, grant, newUser, type World } from "./support/fixtures";
import { BASE, call, callWithEnv } from "./support/http";
import { token } from "./support/tokens";

const STALLED = 600;

/** A job row whose first run was lost: PROCESSING, untouched for ten minutes. */
async function stalledJob(operation: string, resourceGuid: string, userGuid: string): Promise<string> {
  const guid = crypto.randomUUID();
  const t = Math.floor(Date.now() / 1000) - STALLED;
  await env.DB.prepare(
    `INSERT INTO jobs (guid, operation, state, resource_type, resource_guid, user_guid, errors, warnings, created_at, updated_at)
     VALUES (?, ?, 'PROCESSING', 'package', ?, ?, '[]', '[]', ?, ?)`,
  )
    .bind(guid, operation, resourceGuid, userGuid, t, t)
    .run();
  return guid;
}

async function runScheduledHandler(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ scheduledTime: Date.now(), cron: "*/5 * * * *" }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

async function packageOf(world: World, bearer: string): Promise<string> {
  const reply = await call("POST", "/v3/packages", {
    token: bearer,
    body: {
      type: "bits",
      relationships: { app: { data: { guid: world.appGuid } } },
      metadata: { labels: { a: "b" } },
    },
  });
  return reply.json.guid;
}

const jobJson = (guid: string, state: string, extra: { links?: object; errors?: object[] } = {}) => ({
  guid,
  created_at: expect.stringMatching(/Z$/),
  updated_at: expect.stringMatching(/Z$/),
  operation: "package.delete",
  state,
  errors: extra.errors ?? [],
  warnings: [],
  links: { self: { href: `${BASE}/v3/jobs/${guid}` }, ...extra.links },
});

describe("a package delete job", () => {
  it("is PROCESSING with a link to the package until it runs, then COMPLETE without it", async () => {
    const world = await createWorld();
    const user = newUser();
    const bearer = await token(user);
    const developer = await tokenFor(world, "space_developer");
    const pkg = await packageOf(world, developer);
    const job = await stalledJob("package.delete", pkg, user);

    const processing = await call("GET", `/v3/jobs/${job}`, { token: bearer });
    expect(processing.status).toBe(200);
    expect(processing.json).toEqual(
      jobJson(job, "PROCESSING", { links: { package: { href: `${BASE}/v3/packages/${pkg}` } } }),
    );

    await runScheduledHandler();

    const complete = await call("GET", `/v3/jobs/${job}`, { token: bearer });
    expect(complete.json).toEqual(jobJson(job, "COMPLETE"));
    expect(complete.json.updated_at >= processing.json.updated_at).toBe(true);
    expect((await call("GET", `/v3/packages/${pkg}`, { token: developer })).status).toBe(404);
  });

  it("completes again when its package is already gone: deleting is idempotent", async () => {
    const world = await createWorld();
    const developer = newUser();
    const bearer = await token(developer);
    await grant(developer, "space_developer", world);
    const pkg = await packageOf(world, bearer);
    const deleted = await callWithEnv({}, "DELETE", `/v3/packages/${pkg}`, { token: bearer });
    expect(deleted.status).toBe(202);
    const again = await stalledJob("package.delete", pkg, developer);

    await runScheduledHandler();

    expect((await call("GET", `/v3/jobs/${again}`, { token: bearer })).json).toEqual(
      jobJson(again, "COMPLETE"),
    );
  });

  it("is FAILED with CF's error when its operation cannot run", async () => {
    const user = newUser();
    const job = await stalledJob("package.explode", crypto.randomUUID(), user);

    await runScheduledHandler();

    const reply = await call("GET", `/v3/jobs/${job}`, { token: await token(user) });
    expect(reply.json).toEqual({
      ...jobJson(job, "FAILED", {
        errors: [{ detail: "An unknown error occurred.", title: "CF-UnknownError", code: 10001 }],
      }),
      operation: "package.explode",
    });
  });
});

describe("who sees a job", () => {
  it("404 Job not found for another user; global readers see it; 401 without a token", async () => {
    const owner = newUser();
    const job = await stalledJob("package.delete", crypto.randomUUID(), owner);

    const stranger = await call("GET", `/v3/jobs/${job}`, { token: await token(newUser()) });
    expect(stranger.status).toBe(404);
    expect(stranger.json).toEqual(notFoundBody("Job"));

    const auditor = await token(newUser(), { scopes: ["cloud_controller.global_auditor"] });
    expect((await call("GET", `/v3/jobs/${job}`, { token: auditor })).json.guid).toBe(job);

    const anonymous = await call("GET", `/v3/jobs/${job}`);
    expect(anonymous.status).toBe(401);
  });
});
