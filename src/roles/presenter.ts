// CC's RolePresenter without the user link (this API serves no /v3/users). A space role names its space
// and no organization; an organization role the reverse, with CC's key order for each.
import { timestamp } from "../http/timestamp";
import type { RoleRow } from "./store";

function relationshipsOf(role: RoleRow) {
  const user = { data: { guid: role.userGuid } };
  return role.spaceGuid !== null
    ? { user, space: { data: { guid: role.spaceGuid } }, organization: { data: null } }
    : { user, organization: { data: { guid: role.organizationGuid } }, space: { data: null } };
}

export function presentRole(role: RoleRow, baseUrl: string) {
  const target =
    role.spaceGuid !== null
      ? { space: { href: `${baseUrl}/v3/spaces/${role.spaceGuid}` } }
      : { organization: { href: `${baseUrl}/v3/organizations/${role.organizationGuid}` } };
  return {
    guid: role.guid,
    created_at: timestamp(role.createdAt),
    updated_at: timestamp(role.updatedAt),
    type: role.type,
    relationships: relationshipsOf(role),
    links: { self: { href: `${baseUrl}/v3/roles/${role.guid}` }, ...target },
  };
}
