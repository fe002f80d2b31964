// Shared by the package endpoint tests: the JSON CC shows for a package, a package made through the API,
// the app's package count in D1, and the D1 round trips a response reports.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { World } from "./fixtures";
import { BASE, call, type Reply } from "./http";

export interface ExpectedPackage {
  guid: string;
  appGuid: string;
  createdAt: string;
  /** Defaults to createdAt, as at creation. */
  updatedAt?: string;
  type?: "bits" | "docker";
  state?: string;
  data?: Record<string, unknown>;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export const FRESH_BITS_DATA = { error: null, checksum: { type: "sha256", value: null } };

/** Today's package JSON (CC's PackagePresenter), in CC's key order. */
export function packageJson(expected: ExpectedPackage) {
  const type = expected.type ?? "bits";
  const self = `${BASE}/v3/packages/${expected.guid}`;
  const bitsLinks =
    type === "bits"
      ? { upload: { href: `${self}/upload`, method: "POST" }, download: { href: `${self}/download` } }
      : {};
  return {
    guid: expected.guid,
    created_at: expected.createdAt,
    updated_at: expected.updatedAt ?? expected.createdAt,
    type,
    data: expected.data ?? FRESH_BITS_DATA,
    state: expected.state ?? (type === "bits" ? "AWAITING_UPLOAD" : "READY"),
    relationships: { app: { data: { guid: expected.appGuid } } },
    metadata: { labels: expected.labels ?? {}, annotations: expected.annotations ?? {} },
    links: { self: { href: self }, ...bitsLinks, app: { href: `${BASE}/v3/apps/${expected.appGuid}` } },
  };
}

/** A create body's relationship to an app. */
export const relationships = (appGuid: unknown) => ({ app: { data: { guid: appGuid } } });

export const createPackage = (bearer: string, body: unknown) =>
  call("POST", "/v3/packages", { token: bearer, body });

/** Creates a package through the API, with its created_at and updated_at a minute in the past. */
export async function createdPackage(world: World, bearer: string, extra: Record<string, unknown> = {}) {
  const reply = await createPackage(bearer, {
    type: "bits",
    relationships: relationships(world.appGuid),
    ...extra,
  });
  expect(reply.status).toBe(201);
  await env.DB.prepare(
    "UPDATE packages SET created_at = created_at - 60, updated_at = updated_at - 60 WHERE guid = ?",
  )
    .bind(reply.json.guid)
    .run();
  return (await call("GET", `/v3/packages/${reply.json.guid}`, { token: bearer })).json;
}

/** How many packages the app has, read straight from D1. */
export async function packageCount(appGuid: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM packages WHERE app_guid = ?")
    .bind(appGuid)
    .first();
  return Number(row?.n);
}

/** The D1 round trips a response reports in its Server-Timing entry. */
export function roundTrips(reply: Reply): number | undefined {
  const match = /d1;desc="rt=(\d+)/.exec(reply.headers.get("Server-Timing") ?? "");
  return match ? Number(match[1]) : undefined;
}
