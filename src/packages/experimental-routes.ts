// The 2015 experimental API's package create, POST /v3/apps/:guid/packages (a copy with
// ?source_package_guid=): its message, CC's checks in its order, its pretty-printed JSON with relative links.
import { Hono } from "hono/tiny";
import type { AppEnv } from "../env";
import { currentUser, requireWrite } from "../http/auth";
import { depsOf } from "../http/deps";
import { notFound, unprocessable } from "../http/errors";
import { jsonResponse } from "../http/respond";
import { readJsonObject } from "../http/validation";
import { experimentalPackageCreate, packageCopy } from "./actions";
import { experimentalPackageCreateMessage } from "./experimental-messages";
import { presentExperimentalPackage } from "./experimental-presenter";

export const experimentalPackageRouter = new Hono<AppEnv>().post(
  "/v3/apps/:guid/packages",
  requireWrite,
  async (c) => {
    const appGuid = c.req.param("guid");
    const sourceGuid = c.req.query("source_package_guid");
    if (sourceGuid !== undefined) {
      const copy = await packageCopy(
        depsOf(c),
        currentUser(c),
        { appGuid, sourceGuid },
        { app: () => notFound("App"), source: () => notFound("Package") },
      );
      return jsonResponse(c, 201, presentExperimentalPackage(copy), true);
    }
    const parsed = experimentalPackageCreateMessage.safeParse(await readJsonObject(c));
    if (!parsed.success) throw unprocessable(parsed.error.issues.map((issue) => issue.message));
    const created = await experimentalPackageCreate(depsOf(c), currentUser(c), { appGuid, ...parsed.data });
    return jsonResponse(c, 201, presentExperimentalPackage(created), true);
  },
);
