// CC's answer to an asynchronous delete: 202 Accepted, and the client polls the job at the Location given.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { emptyResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import type { JobRow } from "./store";

/** 202 Accepted with `Location: <external url>/v3/jobs/<guid>`. */
export const acceptedJob = (c: Context<AppEnv>, job: JobRow): Response =>
  emptyResponse(c, 202, { Location: `${externalUrl(c)}/v3/jobs/${job.guid}` });
