// Callers by role, as CC's request specs name them: a token for a fresh user holding the role in a
// world, and the groups of roles the visibility tables share.
import { createWorld, grant, newUser, type RoleType, type World } from "./fixtures";
import { adminToken, token } from "./tokens";

/** Roles given by the token's scopes, not by a role in a world; all of them read everything. */
export const GLOBAL_READERS = ["admin", "admin_read_only", "global_auditor"] as const;

export type Caller = RoleType | (typeof GLOBAL_READERS)[number] | "no_role";

/** Roles that see a space and what is in it. */
export const SPACE_READERS: RoleType[] = [
  "space_developer",
  "space_manager",
  "space_auditor",
  "space_supporter",
  "organization_manager",
];

/** Organization roles that do not see its spaces. */
export const ORGANIZATION_ONLY: RoleType[] = [
  "organization_user",
  "organization_auditor",
  "organization_billing_manager",
];

/**
 * A token for a fresh user with `role` in `world`: world roles carry read and write scopes, global roles
 * cloud_controller.write beside their own, as CC's tests give them.
 */
export async function tokenFor(world: World, role: Caller): Promise<string> {
  const user = newUser(role);
  if (role === "admin") return adminToken(user);
  if (role === "admin_read_only" || role === "global_auditor") {
    return token(user, { scopes: [`cloud_controller.${role}`, "cloud_controller.write"] });
  }
  if (role !== "no_role") await grant(user, role, world);
  return token(user);
}

/** A fresh world with a space developer's token. */
export async function developerWorld(options?: Parameters<typeof createWorld>[0]) {
  const world = await createWorld(options);
  return { world, bearer: await tokenFor(world, "space_developer") };
}

/**
 * CC's role table where only space developers may act (upload, download): each role with its status,
 * `allowed` for developers, 403 for the space's other readers, 404 for roles that do not see the space.
 */
export const developersOnlyCases = (allowed: number) =>
  ([...SPACE_READERS, "organization_auditor", "organization_billing_manager"] as const).map(
    (role) =>
      [role, role === "space_developer" ? allowed : SPACE_READERS.includes(role) ? 403 : 404] as const,
  );
