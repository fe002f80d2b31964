// CC's OrganizationPresenter, without the quota relationship and the domain and quota links: this API
// serves neither quotas nor domains.
import { timestamp } from "../http/timestamp";
import type { OrganizationView } from "./store";

export function presentOrganization(organization: OrganizationView, baseUrl: string) {
  return {
    guid: organization.guid,
    created_at: timestamp(organization.createdAt),
    updated_at: timestamp(organization.updatedAt),
    name: organization.name,
    suspended: organization.status === "suspended",
    metadata: { labels: organization.labels, annotations: organization.annotations },
    links: { self: { href: `${baseUrl}/v3/organizations/${organization.guid}` } },
  };
}
