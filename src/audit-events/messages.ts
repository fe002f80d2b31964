// CC's EventsListMessage: types, target_guids (or `target_guids[not]`, the targets to leave out),
// space_guids and organization_guids, beside what every list takes.
import * as z from "zod/mini";
import { listMessage } from "../lists/messages";
import { commaListLink, type NestedParam, splitCommaList } from "../lists/pagination";
import type { AuditEventFilters } from "./store";

// CC's TargetGuidsValidator words its message with the parameter's name after the humanized one.
const targetGuids = z
  .optional(z.union([z.string(), z.record(z.string(), z.string())]))
  .check(
    z.refine(
      (v) => typeof v !== "object" || Object.hasOwn(v, "not"),
      "Target guids target_guids has an invalid operator",
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

/**
 * `target_guids[op]` as CC's links repeat a hash of lists (Rails' to_query): each operator's
 * values as `target_guids[op][]`, commas and all.
 */
const operatorLinks = (given: NestedParam) =>
  Object.fromEntries(
    Object.entries(given).map(([operator, values]) => [
      `target_guids[${operator}][]`,
      splitCommaList(values),
    ]),
  );

export function auditEventsListRequest(query: z.output<typeof auditEventsListQuery>) {
  const request = auditEventsList.request(query);
  const given = query.target_guids;
  const not = typeof given === "object";
  const guids = given === undefined ? undefined : splitCommaList(not ? given.not! : given);
  const filters: AuditEventFilters = {
    ...request.filters,
    targetGuids: guids && { not, guids },
  };
  return {
    ...request,
    filters,
    links: { ...request.links, ...(not ? operatorLinks(given) : { target_guids: commaListLink(guids) }) },
  };
}
