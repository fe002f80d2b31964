// CC's SpaceCreateMessage (metadata, unknown fields, relationships.organization, then name) and
// SpacesListMessage (without include).

import {
  ccMessage,
  lengthMessages,
  presenceMessages,
  printableMessages,
  relationshipGuid,
  singleRelationshipMessages,
  stringMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { listMessage } from "../lists/messages";
import { metadataMessages, metadataOf } from "../metadata/messages";

export const createSpaceMessage = ccMessage(
  (body) => [
    ...metadataMessages(body),
    ...unknownFieldsMessages(body, ["name", "relationships", "metadata"]),
    ...singleRelationshipMessages(body.relationships, "organization"),
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

const spacesList = listMessage({
  orderBy: ["name"],
  labelSelector: "last",
  params: { names: "list", organization_guids: "list" },
});

export const spacesListQuery = spacesList.query;
/** The list query read into store filters, paging and the parameters its pagination links repeat. */
export const spacesListRequest = spacesList.request;
