// Uploads, stored bits and cache seeding for the bits tests: raw request bodies (bytes or streams) sent
// through the worker's fetch, and what it left in R2 and D1 read back directly.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../../src/index";
import { tokenFor } from "./callers";
import { addPackage, createWorld, type PackageSeed, type World } from "./fixtures";
import { BASE, fetchWithEnv, fetchWorker, type Reply, read } from "./http";
import { BOUNDARY, buildZip, digest, type FormField, multipartBody } from "./zip";

/** Sends a prepared request; with `overrides`, through the handler with those vars, waiting for waitUntil work. */
export async function send(request: Request, overrides?: Partial<Cloudflare.Env>): Promise<Reply> {
  if (!overrides) return read(await fetchWorker(request));
  return read(await fetchWithEnv(request, overrides));
}

/** The cron trigger, as Cloudflare fires it, with vars (or bindings) overridden. */
export async function runScheduled(overrides: Partial<Cloudflare.Env> = {}): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController(), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
}

export function uploadRequest(
  guid: string,
  token: string,
  body: BodyInit,
  contentType = `multipart/form-data; boundary=${BOUNDARY}`,
): Request {
  return new Request(`${BASE}/v3/packages/${guid}/upload`, {
    method: "POST",
    headers: { Authorization: `bearer ${token}`, "Content-Type": contentType },
    body,
  });
}

// Multi-megabyte bodies through R2: slow on a loaded machine, so a generous timeout.
export const HEAVY = 60_000;

/** The form's bits field, as the cf CLI names it: `zip`, or a small zip of one file. */
export const bitsField = async (zip?: Uint8Array): Promise<FormField> => ({
  name: "bits",
  filename: "package.zip",
  data: zip ?? (await buildZip([{ name: "a.txt", data: "a\n" }])),
});

/** Uploads a form laid out as the cf CLI lays it out. */
export const upload = (
  guid: string,
  token: string,
  fields: FormField[],
  overrides?: Partial<Cloudflare.Env>,
) => send(uploadRequest(guid, token, multipartBody(fields)), overrides);

export interface BitsWorld {
  world: World;
  developer: string;
  /** A fresh bits package awaiting its upload. */
  newPackage: (seed?: PackageSeed) => Promise<string>;
}

export async function bitsWorld(): Promise<BitsWorld> {
  const world = await createWorld();
  const developer = await tokenFor(world, "space_developer");
  return { world, developer, newPackage: (seed) => addPackage(world.appGuid, seed) };
}

export async function storedBits(guid: string): Promise<Uint8Array | undefined> {
  const object = await env.BITS.get(`packages/${guid}`);
  return object ? new Uint8Array(await object.arrayBuffer()) : undefined;
}

export interface PackageDbRow {
  state: string;
  error: string | null;
  sha1: string | null;
  sha256: string | null;
  bits_size: number | null;
  created_at: number;
  updated_at: number;
}

export async function packageRow(guid: string): Promise<PackageDbRow> {
  const row = await env.DB.prepare(
    "SELECT state, error, sha1, sha256, bits_size, created_at, updated_at FROM packages WHERE guid = ?",
  )
    .bind(guid)
    .first<PackageDbRow>();
  if (!row) throw new Error(`no package ${guid}`);
  return row;
}

/** Sets a package's timestamps (epoch seconds), to age it without waiting. */
export async function setTimes(guid: string, createdAt: number, updatedAt = createdAt): Promise<void> {
  await env.DB.prepare("UPDATE packages SET created_at = ?, updated_at = ? WHERE guid = ?")
    .bind(createdAt, updatedAt, guid)
    .run();
}

/** Puts a file in the resource cache (R2 and D1) as an earlier upload would have; returns its sha1. */
export async function cacheResource(content: Uint8Array): Promise<string> {
  const sha1 = await digest("SHA-1", content);
  await env.BITS.put(`resources/${sha1}`, content);
  const now = Math.floor(Date.now() / 1000);
  await env.DB.prepare(
    "INSERT OR IGNORE INTO cached_resources (sha1, size, created_at, last_used_at) VALUES (?, ?, ?, ?)",
  )
    .bind(sha1, content.length, now, now)
    .run();
  return sha1;
}

/** Keys under `prefix` in the bits bucket. */
export async function bucketKeys(prefix: string): Promise<string[]> {
  const listed = await env.BITS.list({ prefix });
  return listed.objects.map((object) => object.key);
}

/** A request through the worker, the body read as bytes (zips are not text). */
export async function fetchBytes(
  request: Request,
): Promise<{ status: number; headers: Headers; body: Uint8Array }> {
  const response = await fetchWorker(request);
  return {
    status: response.status,
    headers: response.headers,
    body: new Uint8Array(await response.arrayBuffer()),
  };
}
