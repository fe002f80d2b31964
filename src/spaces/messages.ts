// CC's SpaceCreateMessage (metadata, unknown fields, relationships.organization, then name) and
// SpacesListMessage (without include).
import type * as z from "zod";
import {
  ccMessage,
  lengthMessages,
  metadataMessages,
  metadataOf,
  presenceMessages,
  printableMessages,
  relationshipGuid,
  relationshipsMessages,
  stringMessages,
  toOneRelationshipMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { commaList, commaListLink, listQuery, orderByParam } from "../http/pagination";
import { metadataListFields, metadataListRequest } from "../packages/list-messages";

export const createSpaceMessage = ccMessage(
  (body) => [
    ...metadataMessages(body),
    ...unknownFieldsMessages(body, ["name", "relationships", "metadata"]),
    ...relationshipsMessages(body.relationships, (relationships) => [
      ...unknownFieldsMessages(relationships, ["organization"]),
      ...presenceMessages("organization", relationships.organization),
      ...toOneRelationshipMessages("organization", relationships.organization),
    ]),
    ...presenceMessages("name", body.name),
    ...stringMessages("name", body.name, true),
    ...lengthMessages("name", body.name, { max: 255 }),
    ...printableMessages("name", body.name),
  ],
  (body) => ({
    name: body.name as string,
    organizationGuid: relationshipGuid(body.relationships, "organization"),
    metadata: metadataOf(body),
  }),
);

export const spacesListQuery = listQuery(
  {
    ...metadataListFields,
    order_by: orderByParam(["created_at", "updated_at", "name"]),
    names: commaList("Names"),
    organization_guids: commaList("Organization guids"),
  },
  [
    "page",
    "per_page",
    "order_by",
    "created_ats",
    "updated_ats",
    "guids",
    "label_selector",
    "names",
    "organization_guids",
  ],
);

/** The list query read into store filters, paging and the parameters its pagination links repeat. */
export function spacesListRequest(query: z.output<typeof spacesListQuery>) {
  const { paging, filters, links } = metadataListRequest(query);
  return {
    paging,
    filters: { ...filters, names: query.names, organizationGuids: query.organization_guids },
    links: {
      ...links,
      names: commaListLink(query.names),
      organization_guids: commaListLink(query.organization_guids),
    },
  };
}
