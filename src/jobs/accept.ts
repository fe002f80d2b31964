// CC's answer to an asynchronous delete: the job is recorded, started after the response, and the
// client polls it at the Location given.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { currentUser } from "../http/auth";
import { emptyResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { startJob } from "./runner";
import { insertJobQuery, type JobResourceType } from "./store";

/**
 * 202 Accepted with `Location: <external url>/v3/jobs/<guid>` for a new `<type>.delete` job of the
 * resource, on behalf of the caller.
 */
export async function acceptDelete(
  c: Context<AppEnv>,
  resourceType: JobResourceType,
  resourceGuid: string,
): Promise<Response> {
  const [row] = await insertJobQuery(c.get("db"), {
    operation: `${resourceType}.delete`,
    resourceType,
    resourceGuid,
    userGuid: currentUser(c).guid,
  });
  startJob(c, row!);
  return emptyResponse(c, 202, { Location: `${externalUrl(c)}/v3/jobs/${row!.guid}` });
}
