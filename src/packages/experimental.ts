// The 2015 experimental API's package create, POST /v3/apps/:guid/packages, kept byte for byte:
// its message ({type, url}), its checks in CC's order, and its pretty-printed JSON with relative links.
import { Hono } from "hono";
import type { PackageType } from "../db/schema";
import type { AppEnv } from "../env";
import { currentUser, requireWrite } from "../http/auth";
import { depsOf } from "../http/deps";
import { notFound, unprocessable } from "../http/errors";
import { ccMessage, isBlank, lengthMessages, stringMessages, unknownFieldsMessages } from "../http/messages";
import { jsonResponse } from "../http/respond";
import { timestamp } from "../http/urls";
import { readJsonObject } from "../http/validation";
import { experimentalPackageCreate, packageCopy } from "./actions";
import { MAX_DOCKER_IMAGE_LENGTH } from "./messages";
import type { PackageRow } from "./store";

// CC 2015's PackageCreateMessage: unknown keys, type inclusion, url presence by type; the url (today's
// docker image) is bounded as the image is.
const createMessage = ccMessage(
  (body) => [
    ...unknownFieldsMessages(body, ["type", "url", "app_guid"]),
    ...(body.type === "bits" || body.type === "docker" ? [] : ["Type must be one of 'bits, docker'"]),
    ...(body.type === "bits" && !isBlank(body.url) ? ["Url must be blank when type is bits"] : []),
    ...(body.type === "docker" && isBlank(body.url) ? ["Url can not be blank when type is docker"] : []),
    ...(body.type === "docker" && !isBlank(body.url) ? stringMessages("url", body.url) : []),
    ...(body.type === "docker" ? lengthMessages("url", body.url, { max: MAX_DOCKER_IMAGE_LENGTH }) : []),
  ],
  (body) => ({ type: body.type as PackageType, url: body.url as string | undefined }),
);

/** The 2015 package JSON: sha1 `hash`, docker `url`, relative `_links`, `updated_at` null until updated. */
export function presentExperimentalPackage(pkg: PackageRow) {
  const self = `/v3/packages/${pkg.guid}`;
  const bitsLinks =
    pkg.type === "bits"
      ? {
          upload: { href: `${self}/upload`, method: "POST" },
          download: { href: `${self}/download`, method: "GET" },
          stage: { href: `${self}/droplets`, method: "POST" },
        }
      : {};
  return {
    guid: pkg.guid,
    type: pkg.type,
    hash: { type: "sha1", value: pkg.sha1 },
    url: pkg.dockerImage,
    state: pkg.state,
    error: pkg.error,
    created_at: timestamp(pkg.createdAt),
    updated_at: pkg.updatedAt === pkg.createdAt ? null : timestamp(pkg.updatedAt),
    _links: { self: { href: self }, ...bitsLinks, app: { href: `/v3/apps/${pkg.appGuid}` } },
  };
}

export const experimentalPackagesRouter = new Hono<AppEnv>().post(
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
    const parsed = createMessage.safeParse(await readJsonObject(c));
    if (!parsed.success) throw unprocessable(parsed.error.issues.map((issue) => issue.message));
    const created = await experimentalPackageCreate(depsOf(c), currentUser(c), { appGuid, ...parsed.data });
    return jsonResponse(c, 201, presentExperimentalPackage(created), true);
  },
);
