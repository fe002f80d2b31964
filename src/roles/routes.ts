// /v3/roles as CC serves it: create (admins; managers of the organization; for space roles also managers
// of the space), show and list (roles in spaces and organizations the caller sees), delete (as a job).
import { Hono } from "hono";
import { assertWritable } from "../authz/access";
import type { Db } from "../db/client";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite, type User } from "../http/auth";
import { CfError, notFound, unprocessable } from "../http/errors";
import { listResponse, showResource } from "../http/resources";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptDelete } from "../jobs/accept";
import { findOrganizationAccess } from "../organizations/store";
import { createRoleMessage, rolesListQuery, rolesListRequest } from "./messages";
import { presentRole } from "./presenter";
import { findRole, findRoleAccess, findSpaceRoleTarget, insertRole, listRoles, type RoleRow } from "./store";

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

async function createRole(db: Db, user: User, message: RoleMessage): Promise<RoleRow> {
  const target = await findTarget(db, user, message);
  // CC asks only that the target exists before checking the caller's role in it.
  assertWritable(user, { ...target, readable: true }, invalidTarget(target.kind));
  if (!message.userGuid) throw byUsername();
  if (target.kind === "space" && !target.userInOrganization) {
    throw unprocessable(
      "Users cannot be assigned roles in a space if they do not have a role in that space's organization.",
    );
  }
  const role = await insertRole(db, { type: message.type, userGuid: message.userGuid, ...target.where });
  if (!role) {
    throw unprocessable(
      `User '${message.userGuid}' already has '${message.type}' role in ${target.kind} '${target.name}'.`,
    );
  }
  return role;
}

export const rolesRouter = new Hono<AppEnv>()
  .post("/v3/roles", requireWrite, jsonBody(createRoleMessage), async (c) => {
    const role = await createRole(c.get("db"), currentUser(c), c.req.valid("json"));
    return jsonResponse(c, 201, presentRole(role, externalUrl(c)));
  })
  .get("/v3/roles", requireRead, queryParams(rolesListQuery), async (c) => {
    const request = rolesListRequest(c.req.valid("query"));
    const page = await listRoles(c.get("db"), currentUser(c), request.filters, request.paging);
    return listResponse(c, "/v3/roles", request, page, presentRole);
  })
  .get("/v3/roles/:guid", requireRead, showResource("Role", findRole, presentRole))
  .delete("/v3/roles/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const access = await findRoleAccess(c.get("db"), user, c.req.param("guid"));
    assertWritable(user, access, () => notFound("Role"));
    if (access.role.type === "organization_user" && access.userHasSpaceRoles) {
      throw unprocessable(
        "Cannot delete organization_user role while user has roles in spaces in that organization.",
      );
    }
    return acceptDelete(c, "role", access.role.guid);
  });
