// CC's AppCreateMessage (metadata, unknown fields, relationships.space, lifecycle, name) with the
// lifecycle data messages of the buildpack and docker lifecycles, and AppsListMessage (without stacks,
// include and lifecycle_type).

import {
  ccMessage,
  hashMessages,
  isBlank,
  isNil,
  isPrintable,
  lengthMessages,
  nestedMessages,
  relationshipGuid,
  singleRelationshipMessages,
  stringMessages,
  unknownFieldsMessages,
} from "../http/messages";
import { isObject, type JsonObject } from "../http/validation";
import { listMessage } from "../lists/messages";
import { metadataMessages, metadataOf } from "../metadata/messages";

const LIFECYCLE_TYPES = ["buildpack", "docker"] as const;
type LifecycleType = (typeof LIFECYCLE_TYPES)[number];

const isLifecycleType = (value: unknown): value is LifecycleType =>
  LIFECYCLE_TYPES.includes(value as LifecycleType);

const lifecycleOf = (body: JsonObject) => (isObject(body.lifecycle) ? body.lifecycle : {});
// CC defaults a missing type to the buildpack lifecycle.
const lifecycleTypeOf = (body: JsonObject): unknown => {
  const type = lifecycleOf(body).type;
  return isBlank(type) ? "buildpack" : type;
};

function buildpackDataMessages(data: JsonObject): string[] {
  const { buildpacks, stack } = data;
  const entries = Array.isArray(buildpacks) ? buildpacks : [];
  return [
    ...unknownFieldsMessages(data, ["buildpacks", "stack"]),
    ...stringMessages("stack", stack, true),
    ...(typeof stack === "string" && (stack.length < 1 || stack.length > 4096)
      ? ["Stack must be between 1 and 4096 characters"]
      : []),
    ...(isNil(buildpacks) || Array.isArray(buildpacks) ? [] : ["Buildpacks must be an array"]),
    ...(entries.some((entry) => typeof entry !== "string") ? ["Buildpacks can only contain strings"] : []),
    ...(entries.some((entry) => typeof entry === "string" && (!entry.trim() || entry.length > 4096))
      ? ["Buildpacks entries must be between 1 and 4096 characters"]
      : []),
  ];
}

/** CC's LifecycleValidator: a known type, and data that type's data message accepts. */
function lifecycleMessages(body: JsonObject): string[] {
  if (!("lifecycle" in body)) return [];
  const lifecycle = lifecycleOf(body);
  const type = lifecycleTypeOf(body);
  const data = lifecycle.data;
  let validated: string[] = [];
  if (!isLifecycleType(type)) {
    validated = [`Lifecycle type is not included in the list: ${LIFECYCLE_TYPES.join(", ")}`];
  } else if (isObject(data)) {
    const dataMessages = type === "docker" ? unknownFieldsMessages(data, []) : buildpackDataMessages(data);
    validated = nestedMessages("lifecycle", dataMessages);
  }
  return [
    ...validated,
    ...(isBlank(lifecycle.type) ? [] : stringMessages("lifecycle_type", lifecycle.type)),
    ...hashMessages("lifecycle_data", data),
  ];
}

export interface AppLifecycle {
  type: LifecycleType;
  buildpacks: string[];
  stack: string | null;
}

function parseLifecycle(body: JsonObject): AppLifecycle {
  const type = lifecycleTypeOf(body) as LifecycleType;
  const data = lifecycleOf(body).data;
  const buildpacks = isObject(data) && Array.isArray(data.buildpacks) ? (data.buildpacks as string[]) : [];
  const stack = isObject(data) && typeof data.stack === "string" ? data.stack : null;
  return { type, buildpacks, stack };
}

export const createAppMessage = ccMessage(
  (body) => [
    ...metadataMessages(body),
    ...unknownFieldsMessages(body, ["name", "relationships", "lifecycle", "metadata"]),
    ...singleRelationshipMessages(body.relationships, "space"),
    ...lifecycleMessages(body),
    ...stringMessages("name", body.name),
    ...lengthMessages("name", body.name, { max: 255 }),
  ],
  (body) => ({
    name: body.name as string,
    spaceGuid: relationshipGuid(body.relationships, "space"),
    lifecycle: parseLifecycle(body),
    metadata: metadataOf(body),
  }),
);

/**
 * CC checks that named buildpacks and stacks exist; none are registered here, so any named one is
 * rejected with CC's messages (an empty list and a null stack are the defaults).
 */
export function lifecycleErrors(lifecycle: AppLifecycle): string[] {
  return [
    ...lifecycle.buildpacks.map(
      (buildpack) => `Buildpack "${buildpack}" must be an existing admin buildpack or a valid git URI`,
    ),
    ...(lifecycle.stack === null ? [] : ["Stack must be an existing stack"]),
  ];
}

/** CC's AppModel validations of the stripped name, worded as Sequel words them. */
export function appNameErrors(name: string): string[] {
  const stripped = name.trim();
  return [
    ...(stripped ? [] : ["name is not present"]),
    ...(isPrintable(stripped) ? [] : ["name is invalid"]),
  ];
}

const appsList = listMessage({
  orderBy: ["name"],
  labelSelector: "last",
  params: { names: "list", organization_guids: "list", space_guids: "list" },
});

export const appsListQuery = appsList.query;
/** The list query read into store filters, paging and the parameters its pagination links repeat. */
export const appsListRequest = appsList.request;
