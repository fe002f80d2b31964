// ResourceMatchCreateMessage: `resources` is an array of 1..5000 items, each with an object checksum
// whose value is a 40-character string and a non-negative integer size_in_bytes. Messages are CC's,
// including its stray parenthesis; each is reported once however many items share the fault.
import * as z from "zod/mini";
import { isObject, type JsonObject } from "../http/validation";

const PREAMBLE = "Resources array contains at least one resource with a";

function itemError(item: unknown): string | undefined {
  const checksum = isObject(item) ? item.checksum : undefined;
  if (!isObject(checksum)) return `${PREAMBLE} non-object checksum`;
  if (typeof checksum.value !== "string") return `${PREAMBLE} non-string checksum value`;
  if (checksum.value.length !== 40) return `${PREAMBLE} non-SHA1 checksum value`;
  return undefined;
}

function sizeError(item: unknown): string | undefined {
  const size = isObject(item) ? item.size_in_bytes : undefined;
  if (typeof size !== "number" || !Number.isInteger(size)) return `${PREAMBLE} non-integer size_in_bytes`;
  if (size < 0) return `${PREAMBLE} negative size_in_bytes`;
  return undefined;
}

/** Length as Rails' length validator sees it: nil is empty, other values by their length or text. */
function lengthOf(value: unknown): number {
  if (value === undefined || value === null) return 0;
  if (Array.isArray(value) || typeof value === "string") return value.length;
  return isObject(value) ? Object.keys(value).length : String(value).length;
}

export const resourceMatchCreateMessage = z.custom<JsonObject>(isObject).check(
  z.superRefine((body, ctx) => {
    const resources = body.resources;
    const messages: string[] = [];
    if (!Array.isArray(resources)) messages.push("Resources must be an array");
    const length = lengthOf(resources);
    if (length < 1) messages.push("Resources must have at least 1 resource");
    if (length > 5000) messages.push("Resources can have at most 5000 resources)");
    if (Array.isArray(resources)) {
      for (const item of resources) {
        for (const message of [itemError(item), sizeError(item)]) {
          if (message && !messages.includes(message)) messages.push(message);
        }
      }
    }
    for (const message of messages) ctx.addIssue({ code: "custom", message });
  }),
);

export interface ResourceMatchItem extends JsonObject {
  checksum: { value: string };
  size_in_bytes: number;
}
