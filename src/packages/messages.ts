// The bodies of POST /v3/packages and PATCH /v3/packages/:guid, checked with Cloud Controller's messages
// in CC's order: metadata, unknown fields, docker data, bits data, relationships, type.
import * as z from "zod";
import { CfError } from "../http/errors";
import { isBlank, isObject, type JsonObject, unknownFieldsMessage } from "../http/validation";
import { metadataSchema, NO_METADATA } from "../metadata/messages";
import type { Metadata } from "../metadata/store";

const MAX_GUID_LENGTH = 200;
const MAX_DOCKER_PASSWORD_LENGTH = 5000;
const APP_STRUCTURE = `"app: {"data": {"guid": "valid-guid"}}"`;

const textOrNull = (value: unknown) => (typeof value === "string" ? value : null);

const hasExactKeys = (value: JsonObject, keys: readonly string[]) =>
  Object.keys(value).length === keys.length && keys.every((key) => key in value);

/** The metadata member's messages (if sent) and the changes it asks for. */
function metadataOf(body: JsonObject, messages: string[]): Metadata {
  if (!("metadata" in body)) return NO_METADATA;
  const result = metadataSchema.safeParse(body.metadata);
  if (result.success) return result.data;
  messages.push(...result.error.issues.map((issue) => issue.message));
  return NO_METADATA;
}

/** Docker credentials are optional strings; CC would store anything, this API refuses non-strings. */
function credentialMessages(fields: JsonObject, prefix: string): string[] {
  return (["username", "password"] as const)
    .filter((key) => fields[key] !== undefined && fields[key] !== null && typeof fields[key] !== "string")
    .map((key) => `${prefix}${key[0]!.toUpperCase()}${key.slice(1)} must be a string`);
}

function dockerDataMessages(data: unknown): string[] {
  const fields = isObject(data) ? data : {};
  const messages: string[] = [];
  if (typeof fields.image !== "string") messages.push("Data Image must be a string");
  if (isBlank(fields.image)) messages.push("Data Image required");
  messages.push(...credentialMessages(fields, "Data "));
  const unknown = unknownFieldsMessage(fields, ["image", "username", "password"]);
  if (unknown) messages.push(`Data ${unknown}`);
  return messages;
}

function relationshipsMessages(relationships: unknown): string[] {
  if (!isObject(relationships)) return ["Relationships 'relationships' is not an object"];
  if (Object.keys(relationships).length === 0) {
    return ["Relationships 'relationships' must include one or more valid relationships"];
  }
  const messages: string[] = [];
  const unknown = unknownFieldsMessage(relationships, ["app"]);
  if (unknown) messages.push(`Relationships ${unknown}`);
  const { app } = relationships;
  if (isBlank(app)) messages.push("Relationships App can't be blank");
  const data = isObject(app) && hasExactKeys(app, ["data"]) ? app.data : undefined;
  if (data !== null && !(isObject(data) && hasExactKeys(data, ["guid"]))) {
    messages.push(`Relationships App must be structured like this: ${APP_STRUCTURE}`);
  } else if (data) {
    const { guid } = data;
    if (typeof guid !== "string") messages.push("Relationships App guid must be a string");
    const length = typeof guid === "string" ? Array.from(guid).length : 0;
    if (length < 1 || length > MAX_GUID_LENGTH) {
      messages.push(`Relationships App guid must be between 1 and ${MAX_GUID_LENGTH} characters`);
    }
  }
  return messages;
}

/** `relationships.app.data.guid` when it is a string: the app a package is created or copied into. */
export function appGuidOf(body: JsonObject): string | undefined {
  const { relationships } = body;
  const app = isObject(relationships) ? relationships.app : undefined;
  const data = isObject(app) ? app.data : undefined;
  const guid = isObject(data) ? data.guid : undefined;
  return typeof guid === "string" ? guid : undefined;
}

type DockerData = { image: string; username: string | null; password: string | null };

export type PackageCreateMessage =
  | { type: "bits"; appGuid: string | undefined; metadata: Metadata }
  | { type: "docker"; appGuid: string | undefined; docker: DockerData; metadata: Metadata };

export const packageCreateMessage = z
  .custom<JsonObject>(isObject)
  .transform((body, ctx): PackageCreateMessage => {
    const messages: string[] = [];
    const metadata = metadataOf(body, messages);
    const unknown = unknownFieldsMessage(body, ["type", "relationships", "data", "metadata"]);
    if (unknown) messages.push(unknown);
    const { type, data } = body;
    if (type === "docker") messages.push(...dockerDataMessages(data));
    if (type === "bits" && data !== undefined && data !== null && !(isObject(data) && isBlank(data))) {
      messages.push("Data Data must be empty if provided for bits packages");
    }
    messages.push(...relationshipsMessages(body.relationships));
    if (type !== "bits" && type !== "docker") messages.push("Type must be one of 'bits, docker'");
    for (const message of messages) ctx.addIssue({ code: "custom", message });
    if (messages.length) return z.NEVER;

    const appGuid = appGuidOf(body);
    if (type === "bits") return { type, appGuid, metadata };
    const fields = isObject(data) ? data : {};
    const docker = {
      image: textOrNull(fields.image) ?? "",
      username: textOrNull(fields.username),
      password: textOrNull(fields.password),
    };
    return { type: "docker", appGuid, docker, metadata };
  });

export interface PackageUpdateMessage {
  metadata: Metadata;
  /** New docker credentials; null leaves the stored one as it is. */
  username: string | null;
  password: string | null;
}

export const packageUpdateMessage = z
  .custom<JsonObject>(isObject)
  .transform((body, ctx): PackageUpdateMessage => {
    const messages: string[] = [];
    const metadata = metadataOf(body, messages);
    const unknown = unknownFieldsMessage(body, ["metadata", "username", "password"]);
    if (unknown) messages.push(unknown);
    messages.push(...credentialMessages(body, ""));
    for (const message of messages) ctx.addIssue({ code: "custom", message });
    if (messages.length) return z.NEVER;
    return { metadata, username: textOrNull(body.username), password: textOrNull(body.password) };
  });

/** CC's model validation of docker passwords, reported as CC reports a failed save. */
export function assertDockerPassword(password: string | null): void {
  if (password !== null && Array.from(password).length > MAX_DOCKER_PASSWORD_LENGTH) {
    throw new CfError("UnprocessableEntity", "docker_password can be up to 5,000 characters");
  }
}
