// What each app write does, free of HTTP (CC's AppCreate and AppDelete actions).
import { resourceEvent } from "../audit-events/store";
import { assertWritable } from "../authz/assert-writable";
import type { Deps } from "../env";
import { notFound, unprocessable } from "../http/errors";
import { startDeleteJob } from "../jobs/runner";
import type { JobRow } from "../jobs/store";
import { assertMetadataLimits, NO_METADATA } from "../metadata/messages";
import { findSpaceAccess } from "../spaces/store";
import type { User } from "../user";
import { appNameErrors, type createAppMessage, lifecycleErrors } from "./messages";
import { type AppView, appAccessQuery, insertApp } from "./store";

const invalidSpace = () =>
  unprocessable("Invalid space. Ensure that the space exists and you have access to it.");

/** POST /v3/apps: space developers and admins, in CC's order of checks. */
export async function appCreate(
  deps: Deps,
  user: User,
  message: ReturnType<typeof createAppMessage.parse>,
): Promise<AppView> {
  const { db } = deps;
  const { spaceGuid } = message;
  if (!spaceGuid) throw invalidSpace();
  assertWritable(user, await findSpaceAccess(db, user, spaceGuid, "developers"), invalidSpace);
  const lifecycleProblems = lifecycleErrors(message.lifecycle);
  if (lifecycleProblems.length) throw unprocessable(lifecycleProblems);
  const nameProblems = appNameErrors(message.name);
  if (nameProblems.length) throw unprocessable(nameProblems);
  assertMetadataLimits(NO_METADATA, message.metadata);
  const app = await insertApp(
    db,
    { name: message.name, spaceGuid, lifecycleType: message.lifecycle.type },
    message.metadata,
    (guid) => [
      resourceEvent(
        db,
        user,
        "create",
        { type: "app", guid },
        {
          request: { name: message.name, relationships: { space: { data: { guid: spaceGuid } } } },
        },
      ),
    ],
  );
  if (!app) throw unprocessable(`App with the name '${message.name.trim()}' already exists.`);
  return app;
}

/** DELETE /v3/apps/:guid: the app.delete job, started. */
export async function appDelete(deps: Deps, user: User, message: { guid: string }): Promise<JobRow> {
  const access = await appAccessQuery(deps.db, user, message.guid).get();
  assertWritable(user, access, () => notFound("App"));
  return startDeleteJob(deps, user, "app", access.app.guid, [
    resourceEvent(deps.db, user, "delete-request", { type: "app", guid: access.app.guid }, {}),
  ]);
}
