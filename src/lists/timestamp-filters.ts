// CC's `created_ats` / `updated_ats` list filters, for any resource with timestamps: a comma list of
// timestamps (each matches its whole second) or one relational operator per key
// (`created_ats[lt]=ts`, also lte, gt, gte), validated with CC's messages and read into the filter
// db/conditions.ts turns into SQL.
import * as z from "zod/mini";
import { TIMESTAMP_OPERATORS, type TimestampFilter, type TimestampOperator } from "../db/conditions";
import { humanize } from "../http/messages";
import { addMessages } from "../http/validation";
import { commaListLink, type NestedParam, splitCommaList } from "./pagination";

type Operator = TimestampOperator;
const isOperator = (name: string): name is Operator =>
  (TIMESTAMP_OPERATORS as readonly string[]).includes(name);

const FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Epoch seconds of a "YYYY-MM-DDThh:mm:ssZ" timestamp, or undefined for any other text or no such date. */
function secondsOf(timestamp: string): number | undefined {
  if (!FORMAT.test(timestamp)) return undefined;
  const millis = Date.parse(timestamp);
  // A date that does not exist (2020-02-30) would roll over; it is reported as malformed instead.
  if (Number.isNaN(millis) || new Date(millis).toISOString() !== timestamp.replace("Z", ".000Z")) {
    return undefined;
  }
  return millis / 1000;
}

export interface TimestampParam {
  filter: TimestampFilter;
  /** The parameter as pagination links repeat it. */
  link: Record<string, string>;
}

/** The query field `key` (created_ats or updated_ats), parsed, or CC's 400 messages. */
export function timestampParam(key: string) {
  const name = humanize(key);
  const malformed = `${name} has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'`;
  return z.pipe(
    z.optional(z.union([z.string(), z.record(z.string(), z.string())])),
    z.transform((value: string | NestedParam | undefined, ctx): TimestampParam | undefined => {
      if (value === undefined) return undefined;
      const messages: string[] = [];
      let filter: TimestampFilter;
      if (typeof value === "string") {
        // Split as every CC list is; an empty element is a malformed timestamp.
        const equals = splitCommaList(value).map(secondsOf);
        if (equals.includes(undefined)) messages.push(malformed);
        filter = { equals: equals.filter((s) => s !== undefined) };
      } else {
        const operators: { operator: Operator; seconds: number }[] = [];
        for (const [operator, timestamp] of Object.entries(value)) {
          if (!isOperator(operator)) messages.push(`${name} Invalid relational operator: '${operator}'`);
          if (timestamp.includes(",")) {
            messages.push(`${name} only accepts one value when using a relational operator`);
            continue;
          }
          const seconds = secondsOf(timestamp);
          if (seconds === undefined) messages.push(malformed);
          else if (isOperator(operator)) operators.push({ operator, seconds });
        }
        filter = { operators };
      }
      addMessages(ctx, new Set(messages), true);
      if (messages.length) return z.NEVER;
      const link =
        typeof value === "string"
          ? { [key]: commaListLink(splitCommaList(value))! }
          : Object.fromEntries(Object.entries(value).map(([operator, ts]) => [`${key}[${operator}]`, ts]));
      return { filter, link };
    }),
  );
}
