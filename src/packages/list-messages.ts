// CC's PackagesListMessage: the query of `GET /v3/packages` and `GET /v3/apps/:guid/packages`, with
// CC's messages (400 CF-BadQueryParameter), read into store filters, paging and the parameters the
// pagination links repeat.
import * as z from "zod";
import {
  commaList,
  commaListLink,
  listQuery,
  orderByLink,
  orderByParam,
  type Paging,
  pageParams,
  pagingOf,
} from "../http/pagination";
import { timestampParam } from "../http/timestamp-filters";
import { isBlank } from "../http/validation";
import { labelSelectorParam } from "../metadata/label-selector";
import type { PackageListFilters } from "./list-store";

const PARAMETERS = [
  "page",
  "per_page",
  "order_by",
  "created_ats",
  "updated_ats",
  "guids",
  "states",
  "types",
  "app_guids",
  "app_guid",
  "space_guids",
  "organization_guids",
  "label_selector",
] as const;

// Filters across apps mean nothing on one app's list: CC calls them unknown there (without the list of
// valid parameters), in this order.
const ACROSS_APPS = ["app_guids", "organization_guids", "space_guids"] as const;

/**
 * What every CC list of a resource with metadata accepts (ListMessage and MetadataListMessage), in the
 * order CC validates it; a list's own filters follow.
 */
export const metadataListFields = {
  ...pageParams,
  order_by: orderByParam(["created_at", "updated_at"]),
  created_ats: timestampParam("created_ats"),
  updated_ats: timestampParam("updated_ats"),
  guids: commaList("Guids"),
  label_selector: labelSelectorParam,
};

type MetadataListQuery = z.output<z.ZodObject<typeof metadataListFields>>;

/** Those fields read into paging, filters and link parameters. */
export function metadataListRequest(query: MetadataListQuery) {
  const paging = pagingOf(query);
  return {
    paging,
    filters: {
      guids: query.guids,
      labelSelector: query.label_selector?.requirements,
      createdAts: query.created_ats?.filter,
      updatedAts: query.updated_ats?.filter,
    },
    links: {
      guids: commaListLink(query.guids),
      label_selector: query.label_selector?.selector,
      ...query.created_ats?.link,
      ...query.updated_ats?.link,
      order_by: orderByLink(paging),
    },
  };
}

const packagesQuery = listQuery(
  {
    ...metadataListFields,
    states: commaList("States"),
    types: commaList("Types"),
    app_guids: commaList("App guids"),
    // CC reads `app_guid` as the path's: given on /v3/packages, the list is that app's list.
    app_guid: z.string().optional(),
    space_guids: commaList("Space guids"),
    organization_guids: commaList("Organization guids"),
  },
  PARAMETERS,
);

type PackagesQuery = z.output<typeof packagesQuery>;

/** The app a query lists the packages of: the route's, else a non-blank `app_guid`. */
const appGuidOf = (query: { app_guid?: string | undefined }, routeAppGuid: string | undefined) =>
  routeAppGuid ?? (isBlank(query.app_guid) ? undefined : query.app_guid);

/** The query schema of the global list (`appRoute` false) or of an app's list. */
export function packagesListMessage(appRoute: boolean) {
  return packagesQuery.superRefine((query, ctx) => {
    if (!appRoute && appGuidOf(query, undefined) === undefined) return;
    const given = ACROSS_APPS.filter((key) => query[key] !== undefined);
    if (given.length) {
      ctx.addIssue({
        code: "custom",
        message: `Unknown query parameter(s): ${given.map((key) => `'${key}'`).join(", ")}`,
      });
    }
  });
}

export interface PackageListRequest {
  /** Set when the list is one app's: its packages only, 404 unless the app is readable. */
  appGuid: string | undefined;
  filters: PackageListFilters;
  paging: Paging;
  /** The request's filters as the pagination links repeat them (CC's to_param_hash, without app_guid). */
  links: Record<string, string | undefined>;
}

export function packageListRequest(query: PackagesQuery, routeAppGuid?: string): PackageListRequest {
  const { paging, filters, links } = metadataListRequest(query);
  return {
    appGuid: appGuidOf(query, routeAppGuid),
    filters: {
      ...filters,
      states: query.states,
      types: query.types,
      appGuids: query.app_guids,
      spaceGuids: query.space_guids,
      organizationGuids: query.organization_guids,
    },
    paging,
    links: {
      ...links,
      states: commaListLink(query.states),
      types: commaListLink(query.types),
      app_guids: commaListLink(query.app_guids),
      space_guids: commaListLink(query.space_guids),
      organization_guids: commaListLink(query.organization_guids),
    },
  };
}
