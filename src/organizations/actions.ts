// What each organization write does, free of HTTP (CC's OrganizationCreate and OrganizationDelete).
import { resourceEvent } from "../audit-events/store";
import type { Deps } from "../env";
import { CfError, notFound, unprocessable } from "../http/errors";
import { startDeleteJob } from "../jobs/runner";
import type { JobRow } from "../jobs/store";
import { assertMetadataLimits, NO_METADATA } from "../metadata/messages";
import type { User } from "../user";
import type { createOrganizationMessage } from "./messages";
import { findOrganization, insertOrganization, type OrganizationView } from "./store";

/** POST /v3/organizations: admins only (the route's guard). */
export async function organizationCreate(
  deps: Deps,
  user: User,
  message: ReturnType<typeof createOrganizationMessage.parse>,
): Promise<OrganizationView> {
  assertMetadataLimits(NO_METADATA, message.metadata);
  const organization = await insertOrganization(deps.db, message, message.metadata, (guid) => [
    resourceEvent(
      deps.db,
      user,
      "create",
      { type: "organization", guid },
      {
        request: { name: message.name, suspended: message.suspended },
      },
    ),
  ]);
  if (!organization) throw unprocessable(`Organization '${message.name}' already exists.`);
  return organization;
}

/** DELETE /v3/organizations/:guid: admins only; the organization.delete job, started. */
export async function organizationDelete(deps: Deps, user: User, message: { guid: string }): Promise<JobRow> {
  const organization = await findOrganization(deps.db, user, message.guid);
  if (!organization) throw notFound("Organization");
  if (!user.admin) throw new CfError("NotAuthorized");
  return startDeleteJob(deps, user, "organization", organization.guid, [
    resourceEvent(
      deps.db,
      user,
      "delete-request",
      { type: "organization", guid: organization.guid },
      {
        request: { recursive: true },
      },
    ),
  ]);
}
