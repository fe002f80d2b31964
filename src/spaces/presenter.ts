// CC's SpacePresenter, without the features and apply_manifest links (not served here). Spaces have no
// space quota here, which CC shows as `quota: {data: null}` with no quota link.
import { timestamp } from "../http/timestamp";
import type { SpaceView } from "./store";

export function presentSpace(space: SpaceView, baseUrl: string) {
  return {
    guid: space.guid,
    created_at: timestamp(space.createdAt),
    updated_at: timestamp(space.updatedAt),
    name: space.name,
    relationships: {
      organization: { data: { guid: space.organizationGuid } },
      quota: { data: null },
    },
    metadata: { labels: space.labels, annotations: space.annotations },
    links: {
      self: { href: `${baseUrl}/v3/spaces/${space.guid}` },
      organization: { href: `${baseUrl}/v3/organizations/${space.organizationGuid}` },
    },
  };
}
