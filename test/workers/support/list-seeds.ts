// Rows for the list tests, written straight to D1 with the timestamps and metadata a test needs, the
// JSON the API shows for them, and the list request itself.
import { env } from "cloudflare:workers";
import { createWorld } from "./fixtures";
import { call } from "./http";
import { packageJson } from "./packages";

export const iso = (seconds: number) => `${new Date(seconds * 1000).toISOString().slice(0, 19)}Z`;

export type Metadata = Record<string, string>;

export interface SeededPackage {
  guid: string;
  appGuid: string;
  type: "bits" | "docker";
  state: string;
  createdAt: number;
  updatedAt: number;
  labels: Metadata;
  annotations: Metadata;
}

/** Labels and annotations of any resource. */
export async function addMetadata(resourceGuid: string, labels: Metadata, annotations: Metadata = {}) {
  const rows = [
    ...Object.entries(labels).map(([key, value]) =>
      env.DB.prepare("INSERT INTO labels (resource_guid, key, value) VALUES (?, ?, ?)").bind(
        resourceGuid,
        key,
        value,
      ),
    ),
    ...Object.entries(annotations).map(([key, value]) =>
      env.DB.prepare("INSERT INTO annotations (resource_guid, key, value) VALUES (?, ?, ?)").bind(
        resourceGuid,
        key,
        value,
      ),
    ),
  ];
  if (rows.length) await env.DB.batch(rows);
}

export async function seedPackage(
  appGuid: string,
  seed: Partial<Omit<SeededPackage, "guid" | "appGuid">> & { createdAt: number },
): Promise<SeededPackage> {
  const type = seed.type ?? "bits";
  const pkg: SeededPackage = {
    guid: crypto.randomUUID(),
    appGuid,
    type,
    state: seed.state ?? (type === "docker" ? "READY" : "AWAITING_UPLOAD"),
    createdAt: seed.createdAt,
    updatedAt: seed.updatedAt ?? seed.createdAt,
    labels: seed.labels ?? {},
    annotations: seed.annotations ?? {},
  };
  await env.DB.prepare(
    `INSERT INTO packages (guid, type, state, app_guid, docker_image, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      pkg.guid,
      type,
      pkg.state,
      appGuid,
      type === "docker" ? "registry/image" : null,
      pkg.createdAt,
      pkg.updatedAt,
    )
    .run();
  await addMetadata(pkg.guid, pkg.labels, pkg.annotations);
  return pkg;
}

/** The package JSON CC shows for a seeded package. */
export const packageOf = (pkg: SeededPackage) =>
  packageJson({
    guid: pkg.guid,
    appGuid: pkg.appGuid,
    createdAt: iso(pkg.createdAt),
    updatedAt: iso(pkg.updatedAt),
    type: pkg.type,
    state: pkg.state,
    data: pkg.type === "docker" ? { image: "registry/image", username: null, password: null } : undefined,
    labels: pkg.labels,
    annotations: pkg.annotations,
  });

/**
 * A world whose app has three packages created at `t` and one second apart: docker READY, bits READY,
 * bits FAILED (the newest, updated at t + 10).
 */
export async function appWithPackages(t: number) {
  const world = await createWorld();
  const docker = await seedPackage(world.appGuid, { type: "docker", createdAt: t });
  const ready = await seedPackage(world.appGuid, { state: "READY", createdAt: t + 1 });
  const failed = await seedPackage(world.appGuid, { state: "FAILED", createdAt: t + 2, updatedAt: t + 10 });
  return { world, docker, ready, failed };
}

/** The list JSON of seeded packages, in the order given. */
export const resources = (...packages: SeededPackage[]) => packages.map(packageOf);

/** A list request as `bearer`. */
export const list = (path: string, bearer: string) => call("GET", path, { token: bearer });

/** CC's pagination envelope with absolute hrefs (`query` without page, which each link sets). */
export function pagination(
  path: string,
  query: (page: number) => string,
  totalResults: number,
  totalPages: number,
  page = 1,
) {
  const href = (p: number) => ({ href: `http://api.example.org${path}?${query(p)}` });
  return {
    total_results: totalResults,
    total_pages: totalPages,
    first: href(1),
    last: href(totalPages),
    next: page < totalPages ? href(page + 1) : null,
    previous: page > 1 ? href(page - 1) : null,
  };
}
