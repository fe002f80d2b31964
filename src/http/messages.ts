// Cloud Controller's message validators in its own words (ActiveModel full messages), for bodies that
// are checked field by field in CC's order. Each helper returns the messages for one attribute; a
// message schema concatenates them in the order CC's message class declares its validations.
import * as z from "zod/mini";
import { isObject, type JsonObject, unknownFieldsMessage } from "./validation";

/** Ruby's blank? (nil, false, whitespace, empty array or object): what CC's presence checks reject. */
export function isBlank(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === "string") return value.trim() === "";
  if (Array.isArray(value)) return value.length === 0;
  return isObject(value) && Object.keys(value).length === 0;
}

/** ActiveModel's humanize: "space Guid" → "Space guid", "user_origin" → "User origin". */
export function humanize(attribute: string): string {
  const words = attribute.replace(/_/g, " ").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** CC's NoAdditionalKeysValidator. */
export function unknownFieldsMessages(body: JsonObject, allowed: readonly string[]): string[] {
  const message = unknownFieldsMessage(body, allowed);
  return message ? [message] : [];
}

/** Ruby's nil?: absent from the body, or null. */
export const isNil = (value: unknown): value is undefined | null => value === undefined || value === null;

/** `presence: true`, with ActiveModel's message unless the validation names its own. */
export const presenceMessages = (attribute: string, value: unknown, message = "can't be blank") =>
  isBlank(value) ? [`${humanize(attribute)} ${message}`] : [];

/** `string: true`; with `allowNil`, an absent or null value passes. */
export const stringMessages = (attribute: string, value: unknown, allowNil = false) =>
  (allowNil && isNil(value)) || typeof value === "string" ? [] : [`${humanize(attribute)} must be a string`];

export const booleanMessages = (attribute: string, value: unknown) =>
  isNil(value) || typeof value === "boolean" ? [] : [`${humanize(attribute)} must be a boolean`];

export const hashMessages = (attribute: string, value: unknown) =>
  isObject(value) ? [] : [`${humanize(attribute)} must be a hash`];

/** `length: { minimum, maximum }` on a string value (other values are left to the string check). */
export function lengthMessages(attribute: string, value: unknown, bounds: { min?: number; max: number }) {
  if (typeof value !== "string") return [];
  const length = [...value].length;
  const name = humanize(attribute);
  if (bounds.min !== undefined && length < bounds.min) {
    return [`${name} is too short (minimum is ${bounds.min} character${bounds.min === 1 ? "" : "s"})`];
  }
  return length > bounds.max ? [`${name} is too long (maximum is ${bounds.max} characters)`] : [];
}

// CC's ORG_NAME_REGEX / SPACE_NAME_REGEX, /\A[[:alnum:][:punct:][:print:]]+\Z/: printable characters only,
// where Ruby's \Z lets one final newline through.
const PRINTABLE = /^[^\p{Cc}]+\n?$/u;

export const isPrintable = (value: string) => PRINTABLE.test(value);

export const printableMessages = (attribute: string, value: unknown) =>
  typeof value !== "string" || isPrintable(value)
    ? []
    : [`${humanize(attribute)} must not contain escaped characters`];

/** CC's GuidValidator: a string of 1 to 200 characters (Ruby's characters, not UTF-16 units). */
function guidMessages(attribute: string, value: unknown): string[] {
  const length = typeof value === "string" ? [...value].length : 0;
  return [
    ...stringMessages(attribute, value),
    ...(length >= 1 && length <= 200 ? [] : [`${humanize(attribute)} must be between 1 and 200 characters`]),
  ];
}

const hasOnlyKey = (value: JsonObject, key: string) => {
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === key;
};

/** CC's to_one_relationship: exactly `{"data": {"guid": ...}}` or `{"data": null}`, with a valid guid. */
export function toOneRelationshipMessages(attribute: string, relationship: unknown): string[] {
  const data = isObject(relationship) ? relationship.data : undefined;
  const shaped =
    isObject(relationship) &&
    hasOnlyKey(relationship, "data") &&
    (data === null || (isObject(data) && hasOnlyKey(data, "guid")));
  if (!shaped) {
    return [
      `${humanize(attribute)} must be structured like this: "${attribute}: {"data": {"guid": "valid-guid"}}"`,
    ];
  }
  return isObject(data) ? guidMessages(`${attribute} Guid`, data.guid) : [];
}

/** `relationships[name].data.guid` when it is a string (a validated body's, or a raw one's). */
export function relationshipGuid(relationships: unknown, name: string): string | undefined {
  const relationship = isObject(relationships) ? relationships[name] : undefined;
  const data = isObject(relationship) ? relationship.data : undefined;
  return isObject(data) && typeof data.guid === "string" ? data.guid : undefined;
}

/** The messages of a nested message (relationships, lifecycle, data) as CC adds them to its attribute. */
export const nestedMessages = (attribute: string, messages: readonly string[]) =>
  messages.map((message) => `${humanize(attribute)} ${message}`);

/** CC's RelationshipValidator: `relationships` must be a non-empty object; its own messages are prefixed. */
export function relationshipsMessages(relationships: unknown, check: (value: JsonObject) => string[]) {
  if (!isObject(relationships)) return ["Relationships 'relationships' is not an object"];
  if (Object.keys(relationships).length === 0) {
    return ["Relationships 'relationships' must include one or more valid relationships"];
  }
  return nestedMessages("relationships", check(relationships));
}

/**
 * The relationships of a message that has exactly one, required, to-one relationship (a space's
 * organization, an app's space, a package's app), as CC's Relationships messages validate it.
 */
export const singleRelationshipMessages = (relationships: unknown, name: string) =>
  relationshipsMessages(relationships, (given) => [
    ...unknownFieldsMessages(given, [name]),
    ...presenceMessages(name, given[name]),
    ...toOneRelationshipMessages(name, given[name]),
  ]);

/** A body schema whose failures are `check`'s messages, in order; `parse` shapes a valid body. */
export function ccMessage<T>(check: (body: JsonObject) => string[], parse: (body: JsonObject) => T) {
  return z.pipe(
    z.custom<JsonObject>(isObject).check(
      z.superRefine((body, ctx) => {
        for (const message of check(body)) ctx.addIssue({ code: "custom", message });
      }),
    ),
    z.transform(parse),
  );
}
