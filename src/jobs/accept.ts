// CC's answer to an asynchronous delete: the job is recorded, started after the response, and the
// client polls it at the Location given.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { emptyResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { startJob } from "./runner";
import { insertJobQuery, type NewJob } from "./store";

/** 202 Accepted with `Location: <external url>/v3/jobs/<guid>` for a new job. */
export async function acceptJob(c: Context<AppEnv>, job: NewJob): Promise<Response> {
  const [row] = await insertJobQuery(c.get("db"), job);
  startJob(c, row!);
  return emptyResponse(c, 202, { Location: `${externalUrl(c)}/v3/jobs/${row!.guid}` });
}
