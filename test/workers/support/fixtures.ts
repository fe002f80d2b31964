// Organizations, spaces, apps and roles written straight to D1, so each test starts from the world it
// describes. Assertions still go through HTTP.
import { env } from "cloudflare:workers";

const now = () => Math.floor(Date.now() / 1000);

export type RoleType =
  | "space_developer"
  | "space_manager"
  | "space_auditor"
  | "space_supporter"
  | "organization_manager"
  | "organization_auditor"
  | "organization_billing_manager"
  | "organization_user";

export type Lifecycle = "buildpack" | "docker" | "cnb";

export interface World {
  orgGuid: string;
  spaceGuid: string;
  appGuid: string;
}

export async function createWorld(
  options: { orgStatus?: "active" | "suspended"; appGuid?: string; lifecycle?: Lifecycle } = {},
): Promise<World> {
  const orgGuid = crypto.randomUUID();
  const spaceGuid = crypto.randomUUID();
  const appGuid = options.appGuid ?? crypto.randomUUID();
  const t = now();
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO organizations (guid, name, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(orgGuid, `org-${orgGuid}`, options.orgStatus ?? "active", t, t),
    env.DB.prepare(
      "INSERT INTO spaces (guid, name, organization_guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    ).bind(spaceGuid, `space-${spaceGuid}`, orgGuid, t, t),
    env.DB.prepare(
      "INSERT INTO apps (guid, name, space_guid, lifecycle_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).bind(appGuid, `app-${appGuid}`, spaceGuid, options.lifecycle ?? "buildpack", t, t),
  ]);
  return { orgGuid, spaceGuid, appGuid };
}

export async function addApp(spaceGuid: string, lifecycle: Lifecycle = "buildpack"): Promise<string> {
  const appGuid = crypto.randomUUID();
  const t = now();
  await env.DB.prepare(
    "INSERT INTO apps (guid, name, space_guid, lifecycle_type, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(appGuid, `app-${appGuid}`, spaceGuid, lifecycle, t, t)
    .run();
  return appGuid;
}

/** Gives `user` a role in the world's space (space_*) or organization (organization_*). */
export async function grant(user: string, type: RoleType, world: World): Promise<void> {
  const t = now();
  const inSpace = type.startsWith("space_");
  await env.DB.batch([
    env.DB.prepare("INSERT OR IGNORE INTO users (guid, created_at) VALUES (?, ?)").bind(user, t),
    env.DB.prepare(
      "INSERT INTO roles (guid, type, user_guid, organization_guid, space_guid, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).bind(
      crypto.randomUUID(),
      type,
      user,
      inSpace ? null : world.orgGuid,
      inSpace ? world.spaceGuid : null,
      t,
      t,
    ),
  ]);
}

/** A fresh user guid, so tests sharing a file's database never see each other's roles. */
export const newUser = (label = "user") => `${label}-${crypto.randomUUID()}`;

export interface PackageSeed {
  type?: "bits" | "docker";
  state?: "AWAITING_UPLOAD" | "PROCESSING_UPLOAD" | "READY" | "FAILED" | "COPYING" | "EXPIRED";
  dockerImage?: string | null;
  sha1?: string | null;
  sha256?: string | null;
  bitsSize?: number | null;
  error?: string | null;
}

/** A package row of `appGuid` (bits, AWAITING_UPLOAD unless told), for tests that need one in a given state. */
export async function addPackage(appGuid: string, seed: PackageSeed = {}): Promise<string> {
  const guid = crypto.randomUUID();
  const t = now();
  const type = seed.type ?? "bits";
  await env.DB.prepare(
    `INSERT INTO packages (guid, type, state, app_guid, docker_image, sha1, sha256, bits_size, error, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      guid,
      type,
      seed.state ?? (type === "docker" ? "READY" : "AWAITING_UPLOAD"),
      appGuid,
      seed.dockerImage ?? (type === "docker" ? "registry/image:latest" : null),
      seed.sha1 ?? null,
      seed.sha256 ?? null,
      seed.bitsSize ?? null,
      seed.error ?? null,
      t,
      t,
    )
    .run();
  return guid;
}
