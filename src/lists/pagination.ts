// List query parameters shared by every CC list (page, per_page, order_by, unknown keys), read into
// the paging a store pages by.
import { tryDecodeURIComponent } from "hono/utils/url";
import * as z from "zod/mini";
import type { Paging } from "../db/list-page";
import { isBlank } from "../http/messages";
import { addMessages, quoted } from "../http/validation";
import { rackParams } from "./rack-params";

const DEFAULT_PER_PAGE = 50;
const MAX_PER_PAGE = 5000;
/** CC's default renderer.max_total_results: page * per_page may not pass it. */
const MAX_TOTAL_RESULTS = 9_223_372_036_854_775_807n;

/**
 * Ruby's String#to_i, as CC reads page and per_page: leading whitespace, a sign and the leading digits
 * (underscores between them), whatever follows; 0 when there are none. "2abc" is page 2.
 */
function rubyToI(text: string): bigint {
  const match = /^[\t\n\v\f\r ]*([+-]?)(\d+(?:_\d+)*)/.exec(text);
  if (!match) return 0n;
  const value = BigInt(match[2]!.replaceAll("_", ""));
  return match[1] === "-" ? -value : value;
}

const positiveInteger = (name: string) =>
  z
    .optional(z.string({ error: `${name} must be a positive integer` }))
    .check(z.refine((v) => v === undefined || rubyToI(v) > 0n, `${name} must be a positive integer`));

export const pageParams = {
  page: positiveInteger("Page"),
  per_page: positiveInteger("Per page").check(
    z.refine(
      (v) => v === undefined || rubyToI(v) <= 0n || rubyToI(v) <= BigInt(MAX_PER_PAGE),
      `Per page must be between 1 and ${MAX_PER_PAGE}`,
    ),
  ),
};

/** `order_by` over the given fields, each optionally prefixed with + or -; blank is as if not given. */
export function orderByParam<F extends string>(fields: readonly F[]) {
  const pattern = new RegExp(`^[+-]?(${fields.join("|")})$`);
  const message = `Order by can only be: ${quoted(fields)}`;
  return z
    .optional(z.string({ error: message }))
    .check(z.refine((v) => v === undefined || isBlank(v) || pattern.test(v), message));
}

/** A bracketed parameter (`created_ats[gt]=…`) as Rack nests it, its values as CC's messages read them. */
export type NestedParam = Record<string, string>;

/**
 * CC's check that the page asked for lies within reach: page * per_page, in exact integers, each read
 * as CC reads it (a nested one is no number at all).
 */
function maximumResultMessages(query: Record<string, unknown>): string[] {
  const { page, per_page: perPage } = query;
  if (page === undefined && perPage === undefined) return [];
  const exact = (value: unknown, fallback: number) =>
    value === undefined ? BigInt(fallback) : typeof value === "string" ? rubyToI(value) : 0n;
  return exact(page, 1) * exact(perPage, DEFAULT_PER_PAGE) > MAX_TOTAL_RESULTS
    ? [`Maximum result (page * per_page) must be less than ${MAX_TOTAL_RESULTS}`]
    : [];
}

/** CC's words for parameters a list does not take. */
export const unknownQueryParameters = (keys: readonly string[]) =>
  `Unknown query parameter(s): ${quoted(keys)}`;

/**
 * A list's query schema: `shape` plus CC's rejection of unknown keys, which names them and lists the
 * valid ones in `validOrder` (CC's order). The query is read as CC reads it (rack-params.ts): a repeated
 * key is not a list (the last one wins), a bracketed one nests, so fields may receive a `NestedParam`,
 * and keys whose forms conflict are Rack's 400.
 */
export function listQuery<S extends z.core.$ZodLooseShape>(shape: S, validOrder: readonly string[]) {
  // zod's preprocess: a transform piped into the schema.
  return z.pipe(
    z.transform((raw, ctx): unknown => {
      const read = rackParams(raw as Record<string, string | string[]>);
      if ("params" in read) return read.params;
      addMessages(ctx, [read.error]);
      return z.NEVER;
    }),
    z.catchall(z.object(shape), z.unknown()).check(
      z.superRefine((query, ctx) => {
        const unknown = Object.keys(query).filter((key) => !Object.hasOwn(shape, key));
        if (unknown.length) {
          ctx.addIssue({
            code: "custom",
            message: `${unknownQueryParameters(unknown)}. Valid parameters are: ${quoted(validOrder)}`,
          });
        }
        for (const message of maximumResultMessages(query)) ctx.addIssue({ code: "custom", message });
      }),
    ),
  );
}

const nestedParam = z.record(z.string(), z.string());

/** A comma-separated value as CC's `to_array!` reads it: split on commas (and spaces after them), each element unescaped once more. */
export const splitCommaList = (value: string) => value.split(/,\s*/).map(tryDecodeURIComponent);

/** A comma-separated filter; a nested value (`states[x]=`) is not a list. */
export function commaList(name: string) {
  return z.pipe(
    z
      .optional(z.union([z.string(), nestedParam]))
      .check(z.refine((v) => typeof v !== "object", `${name} must be an array`)),
    z.transform((v) => (typeof v === "string" ? splitCommaList(v) : undefined)),
  );
}

/** A list filter as CC writes it back into pagination links: commas inside values escaped. */
export const commaListLink = (values: readonly string[] | undefined) =>
  values?.map((v) => v.replaceAll(",", "%2C")).join(",");

export function pagingOf(query: {
  page?: string | undefined;
  per_page?: string | undefined;
  order_by?: string | undefined;
}): Paging {
  const orderBy = isBlank(query.order_by) ? undefined : query.order_by;
  const exactPage = query.page === undefined ? 1n : rubyToI(query.page);
  return {
    page: Number(exactPage),
    exactPage,
    perPage: query.per_page === undefined ? DEFAULT_PER_PAGE : Number(rubyToI(query.per_page)),
    orderBy: orderBy
      ? { field: orderBy.replace(/^[+-]/, ""), descending: orderBy.startsWith("-") }
      : undefined,
  };
}

/** `order_by` as CC writes it into links: always signed (`+created_at`), absent when not given. */
export const orderByLink = (paging: Paging) =>
  paging.orderBy && `${paging.orderBy.descending ? "-" : "+"}${paging.orderBy.field}`;
