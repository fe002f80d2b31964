// List query parameters shared by every CC list (page, per_page, order_by, unknown keys), read into
// the paging a store pages by.
import { tryDecodeURIComponent } from "hono/utils/url";
import * as z from "zod/mini";
import type { Paging } from "../db/list-page";
import { quoted } from "../http/validation";

export const DEFAULT_PER_PAGE = 50;
export const MAX_PER_PAGE = 5000;
/** CC's default renderer.max_total_results: page * per_page may not pass it. */
const MAX_TOTAL_RESULTS = 9_223_372_036_854_775_807n;

const DIGITS = /^\d+$/;

const positiveInteger = (name: string) =>
  z
    .optional(z.string({ error: `${name} must be a positive integer` }))
    .check(
      z.refine(
        (v) => v === undefined || (DIGITS.test(v) && Number(v) > 0),
        `${name} must be a positive integer`,
      ),
    );

export const pageParams = {
  page: positiveInteger("Page"),
  per_page: positiveInteger("Per page").check(
    z.refine(
      (v) => v === undefined || !DIGITS.test(v) || Number(v) <= MAX_PER_PAGE,
      `Per page must be between 1 and ${MAX_PER_PAGE}`,
    ),
  ),
};

/** `order_by` over the given fields, each optionally prefixed with + or -. */
export function orderByParam<F extends string>(fields: readonly F[]) {
  const pattern = new RegExp(`^[+-]?(${fields.join("|")})$`);
  const message = `Order by can only be: ${quoted(fields)}`;
  return z
    .optional(z.string({ error: message }))
    .check(z.refine((v) => v === undefined || pattern.test(v), message));
}

export type NestedParam = Record<string, string>;

/**
 * Rack's nesting of `name[sub]=v` into `{ name: { sub: v } }` (how `created_ats[gt]` arrives in CC);
 * a bare `name` given beside nested ones is kept under the sub-key "".
 */
function nestParams(flat: Record<string, string>): Record<string, string | NestedParam> {
  const params = new Map<string, string | Map<string, string>>();
  for (const [key, value] of Object.entries(flat)) {
    const match = /^([^[\]]+)\[([^\]]*)\]/.exec(key);
    const name = match ? match[1]! : key;
    const existing = params.get(name);
    if (!match && existing === undefined) {
      params.set(name, value);
      continue;
    }
    const nested =
      existing instanceof Map ? existing : new Map(existing === undefined ? [] : [["", existing]]);
    nested.set(match ? match[2]! : "", value);
    params.set(name, nested);
  }
  return Object.fromEntries([...params].map(([k, v]) => [k, v instanceof Map ? Object.fromEntries(v) : v]));
}

/** CC's check that the page asked for lies within reach: page * per_page, in exact integers. */
function maximumResultMessages(query: Record<string, unknown>): string[] {
  const { page, per_page: perPage } = query;
  if (page === undefined && perPage === undefined) return [];
  const exact = (value: unknown, fallback: number) =>
    typeof value === "string" && DIGITS.test(value) ? BigInt(value) : BigInt(fallback);
  return exact(page, 1) * exact(perPage, DEFAULT_PER_PAGE) > MAX_TOTAL_RESULTS
    ? [`Maximum result (page * per_page) must be less than ${MAX_TOTAL_RESULTS}`]
    : [];
}

/** CC's words for parameters a list does not take. */
export const unknownQueryParameters = (keys: readonly string[]) =>
  `Unknown query parameter(s): ${quoted(keys)}`;

/**
 * A list's query schema: `shape` plus CC's rejection of unknown keys, which names them and lists the
 * valid ones in `validOrder` (CC's order). Repeated keys are not lists in CC: the last one wins.
 * Bracketed keys nest as Rack nests them, so fields may receive a `NestedParam`.
 */
export function listQuery<S extends z.core.$ZodLooseShape>(shape: S, validOrder: readonly string[]) {
  // zod's preprocess: a transform piped into the schema.
  return z.pipe(
    z.transform((raw): unknown =>
      nestParams(
        Object.fromEntries(
          Object.entries(raw as Record<string, string | string[]>).map(([k, v]) => [
            k,
            Array.isArray(v) ? v.at(-1)! : v,
          ]),
        ),
      ),
    ),
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
  const orderBy = query.order_by;
  return {
    page: query.page ? Number(query.page) : 1,
    exactPage: query.page ? BigInt(query.page) : 1n,
    perPage: query.per_page ? Number(query.per_page) : DEFAULT_PER_PAGE,
    orderBy: orderBy
      ? { field: orderBy.replace(/^[+-]/, ""), descending: orderBy.startsWith("-") }
      : undefined,
  };
}

/** `order_by` as CC writes it into links: always signed (`+created_at`), absent when not given. */
export const orderByLink = (paging: Paging) =>
  paging.orderBy && `${paging.orderBy.descending ? "-" : "+"}${paging.orderBy.field}`;
