// The 2015 experimental API's package JSON, kept byte for byte (the route pretty-prints it).
import { timestamp } from "../http/timestamp";
import type { PackageRow } from "./store";

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
