// Roles as CC shows them and as clients ask for them, for the role tests.
import { BASE, call } from "./http";
import { anyTimestamp } from "./resources";

/** Where a role is: its space or its organization. */
export type RoleTarget = { space: string } | { organization: string };

/**
 * CC's role JSON: the target's relationship comes after the user's and the other one is null, in CC's key
 * order; the role links to its target.
 */
export function roleBody(guid: string, type: string, user: string, target: RoleTarget) {
  const [kind, other, targetGuid] =
    "space" in target
      ? (["space", "organization", target.space] as const)
      : (["organization", "space", target.organization] as const);
  return {
    guid,
    created_at: anyTimestamp(),
    updated_at: anyTimestamp(),
    type,
    relationships: {
      user: { data: { guid: user } },
      [kind]: { data: { guid: targetGuid } },
      [other]: { data: null },
    },
    links: {
      self: { href: `${BASE}/v3/roles/${guid}` },
      [kind]: { href: `${BASE}/v3/${kind}s/${targetGuid}` },
    },
  };
}

export const userData = (guid: string) => ({ data: { guid } });
export const orgRole = (type: string, user: string, organizationGuid: string) => ({
  type,
  relationships: { user: userData(user), organization: { data: { guid: organizationGuid } } },
});
export const spaceRole = (type: string, user: string, spaceGuid: string) => ({
  type,
  relationships: { user: userData(user), space: { data: { guid: spaceGuid } } },
});

export const createRole = (bearer: string, body: unknown) =>
  call("POST", "/v3/roles", { token: bearer, body });
