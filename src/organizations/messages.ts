// CC's OrganizationCreateMessage (validations in its order: metadata, unknown fields, name, suspended, then
// presence from the create subclass) and OrgsListMessage (without isolation_segment_guid).
import type * as z from "zod";
import {
  booleanMessages,
  ccMessage,
  lengthMessages,
  metadataMessages,
  metadataOf,
  presenceMessages,
  printableMessages,
  stringMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { commaList, commaListLink, listQuery, orderByParam } from "../http/pagination";
import { metadataListFields, metadataListRequest } from "../packages/list-messages";

export const createOrganizationMessage = ccMessage(
  (body) => [
    ...metadataMessages(body),
    ...unknownFieldsMessages(body, ["name", "suspended", "metadata"]),
    ...stringMessages("name", body.name, true),
    ...lengthMessages("name", body.name, { min: 1, max: 255 }),
    ...printableMessages("name", body.name),
    ...booleanMessages("suspended", body.suspended),
    ...presenceMessages("name", body.name),
  ],
  (body) => ({ name: body.name as string, suspended: body.suspended === true, metadata: metadataOf(body) }),
);

export const organizationsListQuery = listQuery(
  {
    ...metadataListFields,
    order_by: orderByParam(["created_at", "updated_at", "name"]),
    names: commaList("Names"),
  },
  ["page", "per_page", "order_by", "created_ats", "updated_ats", "guids", "label_selector", "names"],
);

/** The list query read into store filters, paging and the parameters its pagination links repeat. */
export function organizationsListRequest(query: z.output<typeof organizationsListQuery>) {
  const { paging, filters, links } = metadataListRequest(query);
  return {
    paging,
    filters: { ...filters, names: query.names },
    links: { ...links, names: commaListLink(query.names) },
  };
}
