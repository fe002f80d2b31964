// What each space write does, free of HTTP (CC's SpaceCreate and SpaceDelete actions).
import { resourceEvent } from "../audit-events/store";
import { assertWritable } from "../authz/assert-writable";
import type { Deps } from "../env";
import { notFound, unprocessable } from "../http/errors";
import { startDeleteJob } from "../jobs/runner";
import type { JobRow } from "../jobs/store";
import { assertMetadataLimits, NO_METADATA } from "../metadata/messages";
import { findOrganizationAccess } from "../organizations/store";
import type { User } from "../user";
import type { createSpaceMessage } from "./messages";
import { findSpaceAccess, insertSpace, type SpaceView } from "./store";

const invalidOrganization = () =>
  unprocessable("Invalid organization. Ensure the organization exists and you have access to it.");

/** POST /v3/spaces: admins and managers of the organization. */
export async function spaceCreate(
  deps: Deps,
  user: User,
  message: ReturnType<typeof createSpaceMessage.parse>,
): Promise<SpaceView> {
  const { db } = deps;
  const { organizationGuid } = message;
  if (!organizationGuid) throw invalidOrganization();
  assertWritable(user, await findOrganizationAccess(db, user, organizationGuid), invalidOrganization);
  assertMetadataLimits(NO_METADATA, message.metadata);
  const space = await insertSpace(db, { name: message.name, organizationGuid }, message.metadata, (guid) => [
    resourceEvent(
      db,
      user,
      "create",
      { type: "space", guid },
      {
        request: {
          name: message.name,
          relationships: { organization: { data: { guid: organizationGuid } } },
        },
      },
    ),
  ]);
  if (!space) throw unprocessable("Name must be unique per organization");
  return space;
}

/** DELETE /v3/spaces/:guid: the space.delete job, started. */
export async function spaceDelete(deps: Deps, user: User, message: { guid: string }): Promise<JobRow> {
  const access = await findSpaceAccess(deps.db, user, message.guid, "organizationManagers");
  assertWritable(user, access, () => notFound("Space"));
  return startDeleteJob(deps, user, "space", access.space.guid, [
    resourceEvent(
      deps.db,
      user,
      "delete-request",
      { type: "space", guid: access.space.guid },
      {
        request: { recursive: true },
      },
    ),
  ]);
}
