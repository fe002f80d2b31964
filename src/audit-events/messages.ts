// CC's EventsListMessage: types, target_guids (or `target_guids[not]`, the targets to leave out),
// space_guids and organization_guids, beside what every list takes.
import * as z from "zod/mini";
import { listMessage } from "../lists/messages";
import { commaListLink, splitCommaList } from "../lists/pagination";
import type { AuditEventFilters } from "./store";

const targetGuids = z
  .optional(z.union([z.string(), z.record(z.string(), z.string())]))
  .check(
    z.refine(
      (v) => typeof v !== "object" || (Object.keys(v).length === 1 && "not" in v),
      "Target guids must be an array",
    ),
  );

const auditEventsList = listMessage({
  params: {
    types: "list",
    target_guids: targetGuids,
    space_guids: "list",
    organization_guids: "list",
  },
});

export const auditEventsListQuery = auditEventsList.query;

export function auditEventsListRequest(query: z.output<typeof auditEventsListQuery>) {
  const request = auditEventsList.request(query);
  const given = query.target_guids;
  const not = typeof given === "object";
  const guids = given === undefined ? undefined : splitCommaList(not ? given.not! : given);
  const filters: AuditEventFilters = {
    ...request.filters,
    targetGuids: guids && { not, guids },
  };
  const link = commaListLink(guids);
  return {
    ...request,
    filters,
    links: { ...request.links, ...(not ? { "target_guids[not]": link } : { target_guids: link }) },
  };
}
