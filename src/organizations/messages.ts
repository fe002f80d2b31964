// CC's OrganizationCreateMessage (validations in its order: metadata, unknown fields, name, suspended, then
// presence from the create subclass) and OrgsListMessage (without isolation_segment_guid).

import {
  booleanMessages,
  ccMessage,
  lengthMessages,
  presenceMessages,
  printableMessages,
  stringMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { listMessage } from "../lists/messages";
import { metadataMessages, metadataOf } from "../metadata/messages";

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

const organizationsList = listMessage({
  orderBy: ["name"],
  labelSelector: "last",
  params: { names: "list" },
});

export const organizationsListQuery = organizationsList.query;
/** The list query read into store filters, paging and the parameters its pagination links repeat. */
export const organizationsListRequest = organizationsList.request;
