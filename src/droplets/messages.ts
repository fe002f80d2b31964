// CC's DropletsListMessage as `GET /v3/packages/:guid/droplets` reads it: the metadata list fields,
// droplet filters, and `current`, which only an app's droplet list accepts.
import * as z from "zod";
import { commaList, commaListLink, listQuery, type Paging } from "../http/pagination";
import { metadataListFields, metadataListRequest } from "../packages/list-messages";
import type { DropletListFilters } from "./store";

const PARAMETERS = [
  "page",
  "per_page",
  "order_by",
  "created_ats",
  "updated_ats",
  "guids",
  "app_guid",
  "app_guids",
  "current",
  "organization_guids",
  "package_guid",
  "space_guids",
  "states",
  "label_selector",
] as const;

const anyValue = z.union([z.string(), z.record(z.string(), z.string())]).optional();

export const packageDropletsListMessage = listQuery(
  {
    ...metadataListFields,
    // Names of path parameters in CC; this route's path decides, so they are accepted and not used.
    app_guid: anyValue,
    package_guid: anyValue,
    app_guids: commaList("App guids"),
    current: anyValue,
    organization_guids: commaList("Organization guids"),
    space_guids: commaList("Space guids"),
    states: commaList("States"),
  },
  PARAMETERS,
).superRefine((query, ctx) => {
  if (query.current !== undefined) {
    ctx.addIssue({ code: "custom", message: "Unknown query parameter(s): 'current'" });
  }
});

export function packageDropletsListRequest(query: z.output<typeof packageDropletsListMessage>): {
  filters: DropletListFilters;
  paging: Paging;
  links: Record<string, string | undefined>;
} {
  const { paging, filters, links } = metadataListRequest(query);
  return {
    filters: {
      ...filters,
      appGuids: query.app_guids,
      spaceGuids: query.space_guids,
      organizationGuids: query.organization_guids,
      states: query.states,
    },
    paging,
    links: {
      ...links,
      app_guids: commaListLink(query.app_guids),
      organization_guids: commaListLink(query.organization_guids),
      space_guids: commaListLink(query.space_guids),
      states: commaListLink(query.states),
    },
  };
}
