// CC's PackagesListMessage: the query of `GET /v3/packages` and `GET /v3/apps/:guid/packages`, with
// CC's messages (400 CF-BadQueryParameter), read into store filters, paging and the parameters the
// pagination links repeat.
import * as z from "zod/mini";
import { isBlank } from "../http/messages";
import { type ListRequest, listMessage } from "../lists/messages";
import { unknownQueryParameters } from "../lists/pagination";
import type { PackageListFilters } from "./list-store";

const packagesList = listMessage({
  labelSelector: "last",
  params: {
    states: "list",
    types: "list",
    app_guids: "list",
    // CC reads `app_guid` as the path's: given on /v3/packages, the list is that app's list. CC passes
    // it to the app lookup unchecked; a hash (`app_guid[x]=1`) names no app, as an array's text does.
    app_guid: z.optional(z.union([z.string(), z.record(z.string(), z.string())])),
    space_guids: "list",
    organization_guids: "list",
  },
});

type PackagesQuery = z.output<typeof packagesList.query>;

// Filters across apps mean nothing on one app's list: CC calls them unknown there (without the list of
// valid parameters), in this order.
const ACROSS_APPS = ["app_guids", "organization_guids", "space_guids"] as const;

/** The app a query lists the packages of: the route's, else a non-blank `app_guid` (a hash: its JSON). */
function appGuidOf(query: PackagesQuery, routeAppGuid: string | undefined): string | undefined {
  if (routeAppGuid !== undefined) return routeAppGuid;
  const given = query.app_guid;
  if (typeof given === "object") return JSON.stringify(given);
  return isBlank(given) ? undefined : given;
}

/** The query schema of the global list (`appRoute` false) or of an app's list. */
export function packagesListMessage(appRoute: boolean) {
  return packagesList.query.check(
    z.superRefine<PackagesQuery>((query, ctx) => {
      if (!appRoute && appGuidOf(query, undefined) === undefined) return;
      const given = ACROSS_APPS.filter((key) => query[key] !== undefined);
      if (given.length) ctx.addIssue({ code: "custom", message: unknownQueryParameters(given) });
    }),
  );
}

export interface PackageListRequest extends ListRequest<PackageListFilters> {
  /** Set when the list is one app's: its packages only, 404 unless the app is readable. */
  appGuid: string | undefined;
}

export function packageListRequest(query: PackagesQuery, routeAppGuid?: string): PackageListRequest {
  return { appGuid: appGuidOf(query, routeAppGuid), ...packagesList.request(query) };
}
