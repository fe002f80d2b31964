// CC's EventPresenter: actor and target as recorded, the space and organization the event happened in.
import { timestamp } from "../http/timestamp";
import type { AuditEventRow } from "./store";

export function presentAuditEvent(event: AuditEventRow, baseUrl: string) {
  return {
    guid: event.guid,
    created_at: timestamp(event.createdAt),
    updated_at: timestamp(event.updatedAt),
    type: event.type,
    actor: { guid: event.actorGuid, type: event.actorType, name: event.actorName },
    target: { guid: event.targetGuid, type: event.targetType, name: event.targetName },
    data: event.data,
    space: event.spaceGuid ? { guid: event.spaceGuid } : null,
    organization: event.organizationGuid ? { guid: event.organizationGuid } : null,
    links: { self: { href: `${baseUrl}/v3/audit_events/${event.guid}` } },
  };
}
