// CC's RoleCreateMessage: unknown fields, the relationships (user by guid or username, and either a space
// or an organization matching the role type), then the type; and RolesListMessage (without include).
import { ORGANIZATION_ROLE_TYPES, type RoleType, SPACE_ROLE_TYPES } from "../db/schema";
import {
  ccMessage,
  isNil,
  presenceMessages,
  relationshipGuid,
  relationshipsMessages,
  stringMessages,
  toOneRelationshipMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { isObject, type JsonObject } from "../http/validation";
import { listMessage } from "../lists/messages";

// CC's RoleTypes::ALL_ROLES, in its order (organization roles first), as its message prints them.
const ALL_ROLES: readonly RoleType[] = [
  "organization_auditor",
  "organization_manager",
  "organization_billing_manager",
  "organization_user",
  "space_auditor",
  "space_manager",
  "space_developer",
  "space_supporter",
];

const isOrganizationRole = (type: unknown) => ORGANIZATION_ROLE_TYPES.includes(type as never);
const isSpaceRole = (type: unknown) => SPACE_ROLE_TYPES.includes(type as never);

const dataOf = (relationship: unknown) => (isObject(relationship) ? relationship.data : undefined);
const present = (value: unknown) => !isNil(value);

/** CC's RoleCreateMessage::Relationships, whose later checks run only while earlier ones passed. */
function relationshipMessages(type: unknown, relationships: JsonObject): string[] {
  const { user, space, organization } = relationships;
  const userData = dataOf(user);
  const has = (key: string) => isObject(userData) && key in userData;
  const spaceData = dataOf(space);
  const organizationData = dataOf(organization);

  const base = unknownFieldsMessages(relationships, ["space", "user", "organization"]);
  const userMessages = [
    ...presenceMessages("user", user),
    ...(has("guid") && has("username") ? ["Username cannot be specified when identifying user by guid"] : []),
    ...(has("guid") && has("origin")
      ? ["User origin cannot be specified when identifying user by guid"]
      : []),
    ...(!has("username") && has("origin")
      ? ["User origin cannot be specified without specifying the username"]
      : []),
    ...(!has("username") && !has("guid") ? ["User must have a username or guid specified"] : []),
  ];
  const targetMessages = [
    ...(!present(spaceData) && !present(organizationData)
      ? ["must specify either a space or an organization."]
      : []),
    ...(present(spaceData) && isOrganizationRole(type)
      ? [`Space cannot be provided with the organization role type: '${type}'.`]
      : []),
    ...(present(organizationData) && isSpaceRole(type)
      ? [`Organization cannot be provided with the space role type: '${type}'.`]
      : []),
    ...(present(spaceData) && present(organizationData)
      ? ["cannot specify both an organization and a space."]
      : []),
  ];
  const targetsValid = base.length === 0 && targetMessages.length === 0;
  const userValid = userMessages.length === 0;
  return [
    ...base,
    ...userMessages,
    ...targetMessages,
    ...(targetsValid && !present(organization)
      ? [...presenceMessages("space", space), ...toOneRelationshipMessages("space", space)]
      : []),
    ...(targetsValid && !present(space)
      ? [
          ...presenceMessages("organization", organization),
          ...toOneRelationshipMessages("organization", organization),
        ]
      : []),
    ...(userValid && has("guid") ? toOneRelationshipMessages("user", user) : []),
    ...(userValid && has("username") && isObject(userData)
      ? stringMessages("username", userData.username)
      : []),
    ...(userValid && has("origin") && isObject(userData)
      ? stringMessages("user_origin", userData.origin, true)
      : []),
  ];
}

export const createRoleMessage = ccMessage(
  (body) => [
    ...unknownFieldsMessages(body, ["type", "relationships"]),
    ...relationshipsMessages(body.relationships, (relationships) =>
      relationshipMessages(body.type, relationships),
    ),
    ...(ALL_ROLES.includes(body.type as RoleType)
      ? []
      : [`Type must be one of the allowed types [${ALL_ROLES.map((role) => `"${role}"`).join(", ")}]`]),
  ],
  (body) => ({
    type: body.type as RoleType,
    userGuid: relationshipGuid(body.relationships, "user"),
    spaceGuid: relationshipGuid(body.relationships, "space"),
    organizationGuid: relationshipGuid(body.relationships, "organization"),
    // CC's audit_hash: the fields as given (only type and relationships get this far).
    audited: body,
  }),
);

const rolesList = listMessage({
  params: { organization_guids: "list", space_guids: "list", user_guids: "list", types: "list" },
  // CC orders roles by created_at.
  defaultOrderBy: "created_at",
});

export const rolesListQuery = rolesList.query;
/** The list query read into store filters, paging and the parameters its pagination links repeat. */
export const rolesListRequest = rolesList.request;
