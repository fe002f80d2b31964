// The bodies of POST /v3/packages and PATCH /v3/packages/:guid, checked with Cloud Controller's messages
// in CC's order: metadata, unknown fields, docker data, bits data, relationships, type.
import { CfError } from "../http/errors";
import {
  ccMessage,
  isBlank,
  isNil,
  lengthMessages,
  nestedMessages,
  presenceMessages,
  relationshipGuid,
  singleRelationshipMessages,
  stringMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { isObject, type JsonObject } from "../http/validation";
import { metadataMessages, metadataOf } from "../metadata/messages";
import type { Metadata } from "../metadata/store";

const MAX_DOCKER_PASSWORD_LENGTH = 5000;
// CC stores the username in a 255-character column and the image as text; the image is bounded here
// (a registry host, a repository path and a tag or digest fit well within it) so D1 never sees a huge one.
const MAX_DOCKER_USERNAME_LENGTH = 255;
export const MAX_DOCKER_IMAGE_LENGTH = 4096;

const textOrNull = (value: unknown) => (typeof value === "string" ? value : null);

/** Docker credentials are optional strings; CC would store anything, this API refuses non-strings. */
const credentialMessages = (fields: JsonObject) => [
  ...stringMessages("username", fields.username, true),
  ...lengthMessages("username", fields.username, { max: MAX_DOCKER_USERNAME_LENGTH }),
  ...stringMessages("password", fields.password, true),
];

function dockerDataMessages(data: unknown): string[] {
  const fields = isObject(data) ? data : {};
  return nestedMessages("data", [
    ...stringMessages("image", fields.image),
    ...presenceMessages("image", fields.image, "required"),
    ...lengthMessages("image", fields.image, { max: MAX_DOCKER_IMAGE_LENGTH }),
    ...credentialMessages(fields),
    ...unknownFieldsMessages(fields, ["image", "username", "password"]),
  ]);
}

/** `relationships.app.data.guid` when it is a string: the app a package is created or copied into. */
export const appGuidOf = (body: JsonObject) => relationshipGuid(body.relationships, "app");

type DockerData = { image: string; username: string | null; password: string | null };

export type PackageCreateMessage =
  | { type: "bits"; appGuid: string | undefined; metadata: Metadata }
  | { type: "docker"; appGuid: string | undefined; docker: DockerData; metadata: Metadata };

export const packageCreateMessage = ccMessage(
  (body): string[] => [
    ...metadataMessages(body),
    ...unknownFieldsMessages(body, ["type", "relationships", "data", "metadata"]),
    ...(body.type === "docker" ? dockerDataMessages(body.data) : []),
    ...(body.type === "bits" && !isNil(body.data) && !(isObject(body.data) && isBlank(body.data))
      ? ["Data Data must be empty if provided for bits packages"]
      : []),
    ...singleRelationshipMessages(body.relationships, "app"),
    ...(body.type === "bits" || body.type === "docker" ? [] : ["Type must be one of 'bits, docker'"]),
  ],
  (body): PackageCreateMessage => {
    const appGuid = appGuidOf(body);
    const metadata = metadataOf(body);
    if (body.type === "bits") return { type: "bits", appGuid, metadata };
    const fields = isObject(body.data) ? body.data : {};
    const docker = {
      image: textOrNull(fields.image) ?? "",
      username: textOrNull(fields.username),
      password: textOrNull(fields.password),
    };
    return { type: "docker", appGuid, docker, metadata };
  },
);

export interface PackageUpdateMessage {
  metadata: Metadata;
  /** New docker credentials; null leaves the stored one as it is. */
  username: string | null;
  password: string | null;
}

export const packageUpdateMessage = ccMessage(
  (body) => [
    ...metadataMessages(body),
    ...unknownFieldsMessages(body, ["metadata", "username", "password"]),
    ...credentialMessages(body),
  ],
  (body): PackageUpdateMessage => ({
    metadata: metadataOf(body),
    username: textOrNull(body.username),
    password: textOrNull(body.password),
  }),
);

/** CC's model validation of docker passwords, reported as CC reports a failed save. */
export function assertDockerPassword(password: string | null): void {
  if (password !== null && Array.from(password).length > MAX_DOCKER_PASSWORD_LENGTH) {
    throw new CfError("UnprocessableEntity", "docker_password can be up to 5,000 characters");
  }
}
