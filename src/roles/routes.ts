// /v3/roles as CC serves it: create (admins; managers of the organization; for space roles also managers
// of the space), show and list (roles in spaces and organizations the caller sees), delete (as a job).
import { Hono } from "hono";
import { assertWritable } from "../authz/access";
import type { Db } from "../db/client";
import type { AppEnv } from "../env";
import { currentUser, requireRead, requireWrite, type User } from "../http/auth";
import { CfError, notFound, unprocessable } from "../http/errors";
import { paginatedList } from "../http/pagination";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { jsonBody, queryParams } from "../http/validation";
import { acceptJob } from "../jobs/accept";
import { createRoleMessage, rolesListQuery, rolesListRequest } from "./messages";
import { presentRole } from "./presenter";
import {
  findOrganizationRoleTarget,
  findRole,
  findRoleAccess,
  findSpaceRoleTarget,
  insertRole,
  listRoles,
  type RoleRow,
} from "./store";

type RoleMessage = ReturnType<typeof createRoleMessage.parse>;

// Users named by username need UAA lookups (CC's set_roles_by_username flag, off by default).
const byUsername = () => new CfError("FeatureDisabled", "set_roles_by_username");

async function createSpaceRole(
  db: Db,
  user: User,
  message: RoleMessage,
  spaceGuid: string,
): Promise<RoleRow> {
  const target = await findSpaceRoleTarget(db, user, spaceGuid, message.userGuid);
  const invalidSpace = () =>
    unprocessable("Invalid space. Ensure that the space exists and you have access to it.");
  if (!target) throw invalidSpace();
  // CC asks only that the space exists before checking the caller's role in it.
  assertWritable(user, { ...target, readable: true }, invalidSpace);
  if (!message.userGuid) throw byUsername();
  if (!target.userInOrganization) {
    throw unprocessable(
      "Users cannot be assigned roles in a space if they do not have a role in that space's organization.",
    );
  }
  const role = await insertRole(db, { type: message.type, userGuid: message.userGuid, spaceGuid });
  if (!role)
    throw unprocessable(
      `User '${message.userGuid}' already has '${message.type}' role in space '${target.name}'.`,
    );
  return role;
}

async function createOrganizationRole(db: Db, user: User, message: RoleMessage): Promise<RoleRow> {
  const invalidOrganization = () =>
    unprocessable("Invalid organization. Ensure that the organization exists and you have access to it.");
  const organizationGuid = message.organizationGuid;
  const target = organizationGuid && (await findOrganizationRoleTarget(db, user, organizationGuid));
  if (!organizationGuid || !target) throw invalidOrganization();
  assertWritable(user, { ...target, readable: true }, invalidOrganization);
  if (!message.userGuid) throw byUsername();
  const role = await insertRole(db, { type: message.type, userGuid: message.userGuid, organizationGuid });
  if (!role) {
    throw unprocessable(
      `User '${message.userGuid}' already has '${message.type}' role in organization '${target.name}'.`,
    );
  }
  return role;
}

export const rolesRouter = new Hono<AppEnv>()
  .post("/v3/roles", requireWrite, jsonBody(createRoleMessage), async (c) => {
    const user = currentUser(c);
    const db = c.get("db");
    const message = c.req.valid("json");
    const role = message.spaceGuid
      ? await createSpaceRole(db, user, message, message.spaceGuid)
      : await createOrganizationRole(db, user, message);
    return jsonResponse(c, 201, presentRole(role, externalUrl(c)));
  })
  .get("/v3/roles", requireRead, queryParams(rolesListQuery), async (c) => {
    const { filters, paging, links } = rolesListRequest(c.req.valid("query"));
    const { roles, total } = await listRoles(c.get("db"), currentUser(c), filters, paging);
    const baseUrl = externalUrl(c);
    const resources = roles.map((role) => presentRole(role, baseUrl));
    return jsonResponse(c, 200, paginatedList(c, "/v3/roles", links, paging, total, resources));
  })
  .get("/v3/roles/:guid", requireRead, async (c) => {
    const role = await findRole(c.get("db"), currentUser(c), c.req.param("guid"));
    if (!role) throw notFound("Role");
    return jsonResponse(c, 200, presentRole(role, externalUrl(c)));
  })
  .delete("/v3/roles/:guid", requireWrite, async (c) => {
    const user = currentUser(c);
    const access = await findRoleAccess(c.get("db"), user, c.req.param("guid"));
    if (!access) throw notFound("Role");
    assertWritable(user, access, () => notFound("Role"));
    if (access.role.type === "organization_user" && access.userHasSpaceRoles) {
      throw unprocessable(
        "Cannot delete organization_user role while user has roles in spaces in that organization.",
      );
    }
    return acceptJob(c, {
      operation: "role.delete",
      resourceType: "role",
      resourceGuid: access.role.guid,
      userGuid: user.guid,
    });
  });
