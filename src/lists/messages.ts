// Cloud Controller's list messages (ListMessage, MetadataListMessage and their subclasses) from one
// declaration per list: the parameters every list accepts, the list's own parameters in CC's order,
// and the reading of a valid query into store filters, paging and the parameters pagination links repeat.
import type * as z from "zod/mini";
import { type CamelCase, camelCase } from "../camel-case";
import type { Paging } from "../db/list-page";
import { humanize } from "../http/messages";
import { type LabelSelectorParam, labelSelectorParam } from "../lists/label-selector";
import {
  commaList,
  commaListLink,
  listQuery,
  orderByLink,
  orderByParam,
  pageParams,
  pagingOf,
} from "./pagination";
import { type TimestampParam, timestampParam } from "./timestamp-filters";

/**
 * A list's own parameter: "list" is a comma-separated filter (`must be an array` when nested), read
 * into the store filter of the same name in camelCase and repeated in links; a schema is a parameter
 * the resource reads itself, or only accepts.
 */
type OwnParam = "list" | z.ZodMiniType;
type OwnParams = Record<string, OwnParam>;

/**
 * Lists of resources with labels take `label_selector`; CC's message names it last among the valid
 * parameters (MetadataListMessage appends it to each list's own keys).
 */
type LabelSelectorPlace = "last";

type CommonShape = typeof pageParams & {
  order_by: ReturnType<typeof orderByParam>;
  created_ats: ReturnType<typeof timestampParam>;
  updated_ats: ReturnType<typeof timestampParam>;
  guids: ReturnType<typeof commaList>;
};
type LabelShape<L> = L extends LabelSelectorPlace
  ? { label_selector: typeof labelSelectorParam }
  : Record<never, never>;
type OwnShape<P extends OwnParams> = {
  [K in keyof P]: P[K] extends z.ZodMiniType ? P[K] : ReturnType<typeof commaList>;
};

type ListKeys<P extends OwnParams> = { [K in keyof P & string]: P[K] extends "list" ? K : never }[keyof P &
  string];

/** Store filters: the resource's own guids, timestamps and labels, then the list's comma-list filters. */
export type ListFilters<P extends OwnParams> = {
  guids: string[] | undefined;
  labelSelector: LabelSelectorParam["requirements"] | undefined;
  createdAts: TimestampParam["filter"] | undefined;
  updatedAts: TimestampParam["filter"] | undefined;
} & { [K in ListKeys<P> as CamelCase<K>]: string[] | undefined };

/** Parameters pagination links repeat: a list of values is the key repeated (`target_guids[not][]`). */
export type ListLinks = Record<string, string | readonly string[] | undefined>;

export interface ListRequest<F> {
  paging: Paging;
  filters: F;
  /** The request's filters as the pagination links repeat them (CC's to_param_hash). */
  links: ListLinks;
}

/** What every list's query holds once valid, whatever its own parameters. */
interface CommonQuery {
  page?: string | undefined;
  per_page?: string | undefined;
  order_by?: string | undefined;
  created_ats?: TimestampParam | undefined;
  updated_ats?: TimestampParam | undefined;
  guids?: string[] | undefined;
  label_selector?: LabelSelectorParam | undefined;
  [own: string]: unknown;
}

const COMMON_PARAMETERS = ["page", "per_page", "order_by", "created_ats", "updated_ats", "guids"];

export interface ListSpec<P extends OwnParams, L extends LabelSelectorPlace | undefined> {
  /** `order_by` values beyond created_at and updated_at, in CC's order. */
  orderBy?: readonly string[];
  /** Set for lists of resources with labels; `label_selector` is validated right after `guids`. */
  labelSelector?: L;
  /** The list's own parameters, in CC's order. */
  params: P;
  /** The order a list without `order_by` has, repeated in its links as if given. */
  defaultOrderBy?: string;
}

/** A list's query schema (400 CF-BadQueryParameter with CC's messages) and the reading of a valid query. */
export function listMessage<const P extends OwnParams, L extends LabelSelectorPlace | undefined = undefined>(
  spec: ListSpec<P, L>,
) {
  const ownKeys = Object.keys(spec.params);
  const listKeys = ownKeys.filter((key) => spec.params[key] === "list");
  const shape = {
    ...pageParams,
    order_by: orderByParam(["created_at", "updated_at", ...(spec.orderBy ?? [])]),
    created_ats: timestampParam("created_ats"),
    updated_ats: timestampParam("updated_ats"),
    guids: commaList("Guids"),
    ...(spec.labelSelector ? { label_selector: labelSelectorParam } : {}),
    ...Object.fromEntries(
      Object.entries(spec.params).map(([key, param]) => [
        key,
        param === "list" ? commaList(humanize(key)) : param,
      ]),
    ),
  } as CommonShape & LabelShape<L> & OwnShape<P>;
  const validParameters = {
    last: [...COMMON_PARAMETERS, ...ownKeys, "label_selector"],
    none: [...COMMON_PARAMETERS, ...ownKeys],
  }[spec.labelSelector ?? "none"];
  const query = listQuery(shape, validParameters);

  function request(valid: z.output<typeof query>): ListRequest<ListFilters<P>> {
    const given = valid as CommonQuery;
    // As CC's `order_by ||= default`: only an absent order takes the default; a blank one is no order.
    const paging = pagingOf({ ...given, order_by: given.order_by ?? spec.defaultOrderBy });
    const lists = listKeys.map((key) => [key, given[key] as string[] | undefined] as const);
    return {
      paging,
      filters: {
        guids: given.guids,
        labelSelector: given.label_selector?.requirements,
        createdAts: given.created_ats?.filter,
        updatedAts: given.updated_ats?.filter,
        ...Object.fromEntries(lists.map(([key, values]) => [camelCase(key), values])),
      } as ListFilters<P>,
      links: {
        guids: commaListLink(given.guids),
        label_selector: given.label_selector?.selector,
        ...given.created_ats?.link,
        ...given.updated_ats?.link,
        order_by: orderByLink(paging),
        ...Object.fromEntries(lists.map(([key, values]) => [key, commaListLink(values)])),
      },
    };
  }

  return { query, request };
}
