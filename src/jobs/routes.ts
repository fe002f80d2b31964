import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireRead } from "../http/auth";
import { notFound } from "../http/errors";
import { jsonResponse } from "../http/respond";
import { externalUrl } from "../http/urls";
import { presentJob } from "./presenter";
import { findJob } from "./store";

export const jobsRouter = new Hono<AppEnv>().get("/v3/jobs/:guid", requireRead, async (c) => {
  const user = currentUser(c);
  const found = await findJob(c.get("db"), c.req.param("guid"));
  // A job is visible to the user who started it and to global readers, as in CC.
  if (!found || (!user.globalReader && found.job.userGuid !== user.guid)) throw notFound("Job");
  return jsonResponse(c, 200, presentJob(found.job, found.resourceExists, externalUrl(c)));
});
