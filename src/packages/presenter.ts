// Today's package JSON (CC's PackagePresenter): key order, absolute links, docker password redacted.

import { timestamp } from "../http/timestamp";
import type { PackageView } from "./store";

/** sha256 when known; a legacy sha1 only when there is no sha256. */
function checksum(pkg: PackageView) {
  if (!pkg.sha256 && pkg.sha1) return { type: "sha1", value: pkg.sha1 };
  return { type: "sha256", value: pkg.sha256 };
}

function data(pkg: PackageView) {
  if (pkg.type === "docker") {
    return {
      image: pkg.dockerImage,
      username: pkg.dockerUsername,
      password: pkg.dockerUsername === null ? null : "***",
    };
  }
  return { error: pkg.error, checksum: checksum(pkg) };
}

export function presentPackage(pkg: PackageView, baseUrl: string) {
  const self = `${baseUrl}/v3/packages/${pkg.guid}`;
  const bitsLinks =
    pkg.type === "bits"
      ? { upload: { href: `${self}/upload`, method: "POST" }, download: { href: `${self}/download` } }
      : {};
  return {
    guid: pkg.guid,
    created_at: timestamp(pkg.createdAt),
    updated_at: timestamp(pkg.updatedAt),
    type: pkg.type,
    data: data(pkg),
    state: pkg.state,
    relationships: { app: { data: { guid: pkg.appGuid } } },
    metadata: { labels: pkg.labels, annotations: pkg.annotations },
    links: { self: { href: self }, ...bitsLinks, app: { href: `${baseUrl}/v3/apps/${pkg.appGuid}` } },
  };
}
