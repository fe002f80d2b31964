// CC's AppPresenter with the links this API serves (self, space, packages). Apps are never started here,
// so their state is STOPPED; no buildpacks or stacks are kept, so buildpack data is always empty.
import { timestamp } from "../http/timestamp";
import type { AppView } from "./store";

const lifecycleData = (app: AppView) =>
  app.lifecycleType === "docker" ? {} : { buildpacks: [], stack: null };

export function presentApp(app: AppView, baseUrl: string) {
  const self = `${baseUrl}/v3/apps/${app.guid}`;
  return {
    guid: app.guid,
    created_at: timestamp(app.createdAt),
    updated_at: timestamp(app.updatedAt),
    name: app.name,
    state: "STOPPED",
    lifecycle: { type: app.lifecycleType, data: lifecycleData(app) },
    relationships: { space: { data: { guid: app.spaceGuid } } },
    metadata: { labels: app.labels, annotations: app.annotations },
    links: {
      self: { href: self },
      space: { href: `${baseUrl}/v3/spaces/${app.spaceGuid}` },
      packages: { href: `${self}/packages` },
    },
  };
}
