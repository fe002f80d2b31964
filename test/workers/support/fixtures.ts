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

export interface World {
  orgGuid: string;
  spaceGuid: string;
  appGuid: string;
}

export async function createWorld(
  options: { orgStatus?: "active" | "suspended"; appGuid?: string; lifecycle?: "buildpack" | "docker" } = {},
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

export async function addApp(
  spaceGuid: string,
  lifecycle: "buildpack" | "docker" = "buildpack",
): Promise<string> {
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
