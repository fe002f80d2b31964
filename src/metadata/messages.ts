// The `metadata` member of a create or update request (labels and annotations), checked with Cloud
// Controller's rules and messages (each starts "Metadata "), and the per-resource limits CC enforces
// when the changes are applied. Every resource with metadata shares this module.
import { CfError, unprocessable } from "../http/errors";
import { isBlank } from "../http/messages";
import { isObject, type JsonObject } from "../http/validation";
import {
  MAX_ANNOTATION_BYTES,
  METADATA_LIMITS,
  type Metadata,
  type MetadataKind,
  type MetadataLimit,
  type MetadataMap,
} from "./store";

const MAX_NAME_LENGTH = 63;
const MAX_PREFIX_LENGTH = 253;
const MAX_ANNOTATION_VALUE_LENGTH = 5000;
/** The longest key any rule lets through: "prefix/name". */
const MAX_KEY_LENGTH = MAX_PREFIX_LENGTH + 1 + MAX_NAME_LENGTH;
const RESERVED_PREFIX = "cloudfoundry.org";
const DNS_NAME =
  /^(?:(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])\.)+(?:[a-z0-9]|[a-z0-9][a-z0-9-]{0,61}[a-z0-9])$/i;
const INVALID_CHARACTER = /[^A-Za-z0-9_.-]/;
const ALPHANUMERIC_EDGES = /^[A-Za-z0-9](?:.*[A-Za-z0-9])?$/;

// Lengths and cut-offs count characters, as Ruby does, not UTF-16 units.
const length = (text: string) => Array.from(text).length;
const shortened = (text: string) => `'${Array.from(text).slice(0, 8).join("")}...'`;

/** "prefix/name" split as CC splits it: Ruby's split drops trailing empty parts ("a/" has name ""). */
function splitKey(key: string): { prefix: string | undefined; name: string } {
  if (!key.includes("/")) return { prefix: undefined, name: key };
  const parts = key.split("/");
  while (parts.length && parts.at(-1) === "") parts.pop();
  return { prefix: parts[0], name: parts[1] ?? "" };
}

/** A label key's name part or a label value: the first broken rule, if any. */
function nameError(text: string): string | undefined {
  if (INVALID_CHARACTER.test(text)) return `'${text}' contains invalid characters`;
  if (!ALPHANUMERIC_EDGES.test(text)) return `'${text}' starts or ends with invalid characters`;
  if (length(text) > MAX_NAME_LENGTH)
    return `${shortened(text)} is greater than ${MAX_NAME_LENGTH} characters`;
  return undefined;
}

/** A label or annotation key: the first broken rule in CC's words, if any. */
export function metadataKeyError(key: string): string | undefined {
  if (isBlank(key)) return "key cannot be empty string";
  if (key.split("/").length > 2) return "key has more than one '/'";
  const { prefix, name } = splitKey(key);
  if (prefix !== undefined) {
    if (!DNS_NAME.test(prefix)) return `prefix '${prefix}' must be in valid dns format`;
    if (length(prefix) > MAX_PREFIX_LENGTH) {
      return `prefix ${shortened(prefix)} is greater than ${MAX_PREFIX_LENGTH} characters`;
    }
    if (prefix.toLowerCase() === RESERVED_PREFIX) return `prefix '${RESERVED_PREFIX}' is reserved`;
  }
  if (isBlank(name)) return "key cannot be empty string";
  return nameError(name);
}

/** A value as CC stores it: strings as given, numbers and booleans as text, null to delete the key. */
function storedValue(value: unknown): string | null | undefined {
  if (value === null || typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** A label value: the first broken rule in CC's words, if any; an empty value breaks none. */
export const labelValueError = (value: string) => (value ? nameError(value) : undefined);

function labelMessages(labels: JsonObject): string[] {
  const messages: string[] = [];
  for (const [key, raw] of Object.entries(labels)) {
    const keyProblem = metadataKeyError(key);
    if (keyProblem) messages.push(`Metadata label key error: ${keyProblem}`);
    // An object or array value is never a valid label value: CC reports its text's characters.
    const stored = storedValue(raw);
    const value = stored === undefined ? JSON.stringify(raw) : stored;
    const valueProblem = value === null ? undefined : labelValueError(value);
    if (valueProblem) messages.push(`Metadata label value error: ${valueProblem}`);
  }
  return messages;
}

function annotationMessages(annotations: JsonObject): string[] {
  const messages: string[] = [];
  for (const [key, raw] of Object.entries(annotations)) {
    const value = storedValue(raw);
    // CC checks an annotation's key only when it sets a non-blank value; a key longer than any valid
    // one is refused all the same, as it would be stored (a blank value) or bound (a deletion).
    const keyProblem = isBlank(value) && length(key) <= MAX_KEY_LENGTH ? undefined : metadataKeyError(key);
    if (keyProblem) messages.push(`Metadata annotation key error: ${keyProblem}`);
    if (value === undefined) {
      messages.push("Metadata annotation value error: value must be a string or null");
    } else if (value !== null && length(value) > MAX_ANNOTATION_VALUE_LENGTH) {
      messages.push(
        `Metadata annotation value error: ${shortened(value)} is greater than ${MAX_ANNOTATION_VALUE_LENGTH} characters`,
      );
    }
  }
  return messages;
}

// Ruby truthiness: CC skips `labels: null` (and false) but rejects any other non-object.
const isRequested = (value: unknown) => value !== undefined && value !== null && value !== false;

/** The messages for the `metadata` member's value, in CC's order. */
function metadataValueMessages(metadata: unknown): string[] {
  if (!isObject(metadata)) return ["Metadata must be an object"];
  const messages: string[] = [];
  const unexpected = Object.keys(metadata).filter((key) => key !== "labels" && key !== "annotations");
  if (unexpected.length) {
    messages.push(`Metadata has unexpected field(s): ${unexpected.map((key) => `'${key}'`).join(" ")}`);
  }
  const { labels, annotations } = metadata;
  if (isRequested(labels)) {
    messages.push(...(isObject(labels) ? labelMessages(labels) : ["Metadata 'labels' is not an object"]));
  }
  if (isRequested(annotations)) {
    messages.push(
      ...(isObject(annotations)
        ? annotationMessages(annotations)
        : ["Metadata 'annotations' is not an object"]),
    );
  }
  return messages;
}

function changesOf(value: unknown): MetadataMap {
  if (!isObject(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([key, raw]) => [key, storedValue(raw) ?? null]));
}

export const NO_METADATA: Metadata = { labels: {}, annotations: {} };

export const hasMetadataChanges = (changes: Metadata) =>
  Object.keys(changes.labels).length > 0 || Object.keys(changes.annotations).length > 0;

function applied(current: MetadataMap, changes: MetadataMap): MetadataMap {
  const result = { ...current, ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === null) delete result[key];
  return result;
}

/** The 422 for `changes` that would pass a limit, naming how many keys they asked for: CC's for the count. */
export function metadataLimitError({ kind, of }: MetadataLimit, changes: Metadata): CfError {
  const asked = Object.keys(changes[kind]).length;
  if (of === "bytes") {
    return unprocessable(
      `Failed to add ${asked} ${kind} because it would exceed maximum size of ${MAX_ANNOTATION_BYTES} bytes`,
    );
  }
  const error = kind === "labels" ? "LabelLimitExceeded" : "AnnotationLimitExceeded";
  return new CfError(error, asked, METADATA_LIMITS[kind]);
}

function assertLimit(current: Metadata, changes: Metadata, kind: MetadataKind): void {
  const before = Object.keys(current[kind]).length;
  const after = Object.keys(applied(current[kind], changes[kind])).length;
  // As CC: only a change that adds keys past the maximum fails.
  if (before < after && after > METADATA_LIMITS[kind])
    throw metadataLimitError({ kind, of: "keys" }, changes);
}

/**
 * 422 CF-LabelLimitExceeded / CF-AnnotationLimitExceeded when `changes` would leave too many keys, as
 * far as `current` tells; a write racing others also heads its batch with `metadataLimitGuards`.
 */
export function assertMetadataLimits(current: Metadata, changes: Metadata): void {
  assertLimit(current, changes, "labels");
  assertLimit(current, changes, "annotations");
}

/** CC's MetadataBaseMessage: the `metadata` member's messages, when it is sent. */
export const metadataMessages = (body: JsonObject): string[] =>
  "metadata" in body ? metadataValueMessages(body.metadata) : [];

/**
 * The label and annotation changes a valid body's `metadata` asks for (`metadataMessages` found none
 * wrong), where a null value deletes its key.
 */
export function metadataOf(body: JsonObject): Metadata {
  if (!isObject(body.metadata)) return NO_METADATA;
  const { labels, annotations } = body.metadata;
  return { labels: changesOf(labels), annotations: changesOf(annotations) };
}
