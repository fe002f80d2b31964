// What each role write does, free of HTTP (CC's RoleCreate and RoleDelete actions).
import { auditEventQuery } from "../audit-events/store";
import { assertWritable } from "../authz/assert-writable";
import type { Db } from "../db/client";
import type { Deps } from "../env";
import { CfError, notFound, unprocessable } from "../http/errors";
import { startDeleteJob } from "../jobs/runner";
import type { JobRow } from "../jobs/store";
import { findOrganizationAccess } from "../organizations/store";
import type { User } from "../user";
import type { createRoleMessage } from "./messages";
import { findRoleAccess, findSpaceRoleTarget, insertRole, type RoleRow } from "./store";

type RoleMessage = ReturnType<typeof createRoleMessage.parse>;

// Users named by username need UAA lookups (CC's set_roles_by_username flag, off by default).
const byUsername = () => new CfError("FeatureDisabled", "set_roles_by_username");

const invalidTarget = (kind: "space" | "organization") => () =>
  unprocessable(`Invalid ${kind}. Ensure that the ${kind} exists and you have access to it.`);

/** The space or organization the role goes in, with the caller's access to it; 422 when there is none. */
async function findTarget(db: Db, user: User, message: RoleMessage) {
  if (message.spaceGuid) {
    const space = await findSpaceRoleTarget(db, user, message.spaceGuid, message.userGuid);
    if (!space) throw invalidTarget("space")();
    return { kind: "space" as const, where: { spaceGuid: message.spaceGuid }, ...space };
  }
  const organizationGuid = message.organizationGuid;
  const organization = organizationGuid && (await findOrganizationAccess(db, user, organizationGuid));
  if (!organizationGuid || !organization) throw invalidTarget("organization")();
  return { kind: "organization" as const, where: { organizationGuid }, ...organization };
}

/**
 * CC's `audit.user.<role>_add` / `_remove` event: about the role's user, in the role's space or
 * organization, with the request as given (CC's audit hash; none for a remove). CC names the user by the
 * username UAA gives it; this API has no UAA lookup, so the name is CC's fallback, "".
 */
function roleEvent(
  db: Db,
  user: User,
  change: "add" | "remove",
  role: Pick<RoleRow, "type" | "userGuid" | "spaceGuid" | "organizationGuid">,
  request: Record<string, unknown>,
) {
  return auditEventQuery(db, {
    type: `audit.user.${role.type}_${change}`,
    actor: user,
    target: {
      type: "user",
      guid: role.userGuid,
      name: "",
      spaceGuid: role.spaceGuid,
      organizationGuid: role.organizationGuid,
    },
    data: { request },
  });
}

/** POST /v3/roles: admins; managers of the organization; for space roles also managers of the space. */
export async function roleCreate(deps: Deps, user: User, message: RoleMessage): Promise<RoleRow> {
  const { db } = deps;
  const target = await findTarget(db, user, message);
  // CC asks only that the target exists before checking the caller's role in it.
  assertWritable(user, { ...target, readable: true }, invalidTarget(target.kind));
  if (!message.userGuid) throw byUsername();
  if (target.kind === "space" && !target.userInOrganization) {
    throw unprocessable(
      "Users cannot be assigned roles in a space if they do not have a role in that space's organization.",
    );
  }
  const role = await insertRole(db, { type: message.type, userGuid: message.userGuid, ...target.where }, [
    roleEvent(
      db,
      user,
      "add",
      {
        type: message.type,
        userGuid: message.userGuid,
        spaceGuid: message.spaceGuid ?? null,
        organizationGuid: message.spaceGuid ? null : (message.organizationGuid ?? null),
      },
      message.audited,
    ),
  ]);
  if (!role) {
    throw unprocessable(
      `User '${message.userGuid}' already has '${message.type}' role in ${target.kind} '${target.name}'.`,
    );
  }
  return role;
}

/** DELETE /v3/roles/:guid: the role.delete job, started. */
export async function roleDelete(deps: Deps, user: User, message: { guid: string }): Promise<JobRow> {
  const access = await findRoleAccess(deps.db, user, message.guid);
  assertWritable(user, access, () => notFound("Role"));
  if (access.role.type === "organization_user" && access.userHasSpaceRoles) {
    throw unprocessable(
      "Cannot delete organization_user role while user has roles in spaces in that organization.",
    );
  }
  return startDeleteJob(deps, user, "role", access.role.guid, [
    roleEvent(deps.db, user, "remove", access.role, {}),
  ]);
}
