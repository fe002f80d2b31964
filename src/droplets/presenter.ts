// CC's DropletPresenter as droplet lists show it: key order, absolute links, and the private fields
// (execution metadata, process types) hidden as CC hides them in lists. What staging would record and
// this API does not store (error, checksum, buildpacks' details, stack, image) is shown as CC shows a
// droplet without it.
import { timestamp } from "../http/timestamp";
import type { DropletView } from "./store";

const HIDDEN_IN_LISTS = "[PRIVATE DATA HIDDEN IN LISTS]";

export function presentListedDroplet(droplet: DropletView, baseUrl: string) {
  const self = `${baseUrl}/v3/droplets/${droplet.guid}`;
  return {
    guid: droplet.guid,
    created_at: timestamp(droplet.createdAt),
    updated_at: timestamp(droplet.updatedAt),
    state: droplet.state,
    error: null,
    lifecycle: { type: droplet.lifecycleType, data: {} },
    checksum: null,
    // Buildpack and CNB droplets list the buildpacks staging used (none recorded); docker ones have none.
    buildpacks: droplet.lifecycleType === "docker" ? null : [],
    stack: null,
    image: null,
    execution_metadata: HIDDEN_IN_LISTS,
    process_types: { redacted_message: HIDDEN_IN_LISTS },
    relationships: { app: { data: { guid: droplet.appGuid } } },
    metadata: { labels: droplet.labels, annotations: droplet.annotations },
    links: {
      self: { href: self },
      app: { href: `${baseUrl}/v3/apps/${droplet.appGuid}` },
      assign_current_droplet: {
        href: `${baseUrl}/v3/apps/${droplet.appGuid}/relationships/current_droplet`,
        method: "PATCH",
      },
      ...(droplet.packageGuid && { package: { href: `${baseUrl}/v3/packages/${droplet.packageGuid}` } }),
      ...(droplet.state === "AWAITING_UPLOAD" && { upload: { href: `${self}/upload`, method: "POST" } }),
      ...(droplet.state === "STAGED" &&
        droplet.lifecycleType === "buildpack" && { download: { href: `${self}/download` } }),
    },
  };
}
