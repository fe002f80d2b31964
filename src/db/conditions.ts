// SQL conditions every store shares: lists of any length in one bound parameter, CC's timestamp
// filters over epoch-seconds columns, and label selectors over the shared labels table.
import { and, gt, gte, lt, lte, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";

/**
 * `column IN (values)` with the values bound as one JSON parameter, so a filter of any length keeps the
 * statement under D1's 100 bound parameters.
 */
export const inJsonList = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(values)}))`;

/**
 * `column` is one of `values`: a plain `=` for one value, which the planner weighs as an equality (so an
 * index on the column can also give the order), otherwise `inJsonList`.
 */
export const inList = (column: SQLiteColumn | SQL, values: readonly (string | number)[]): SQL =>
  values.length === 1 ? sql`${column} = ${values[0]}` : inJsonList(column, values);

const OPERATORS = { lt, lte, gt, gte } as const;
export type TimestampOperator = keyof typeof OPERATORS;
export const TIMESTAMP_OPERATORS = Object.keys(OPERATORS) as readonly TimestampOperator[];

/** A `created_ats` / `updated_ats` filter as read: whole seconds, or relational bounds. */
export type TimestampFilter =
  | { equals: number[] }
  | { operators: { operator: TimestampOperator; seconds: number }[] };

/**
 * SQL over an epoch-seconds column. Stored timestamps have second precision, so equality is the whole
 * second, `lte` includes it and `gt` starts after it, as CC's sub-second bounds do.
 */
export function timestampCondition(column: SQLiteColumn, filter: TimestampFilter): SQL | undefined {
  if ("equals" in filter) {
    return inList(column, filter.equals);
  }
  return and(...filter.operators.map(({ operator, seconds }) => OPERATORS[operator](column, seconds)));
}

export type LabelOperator = "in" | "notin" | "equal" | "not_equal" | "exists" | "not_exists";

/** One requirement of a `label_selector`, as read. */
export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

const KEY_ONLY: ReadonlySet<LabelOperator> = new Set(["exists", "not_exists"]);
const NEGATED: ReadonlySet<LabelOperator> = new Set(["notin", "not_equal", "not_exists"]);

/**
 * SQL: the resource (by its guid column) meets every requirement. Each requirement is one bound
 * parameter (its key and values as JSON), so 50 requirements stay within D1's 100; each finds the
 * labelled guids through labels_key_value, as CC's LabelSelectorQueryGenerator does with its subqueries.
 */
export function labelSelectorCondition(
  resourceGuid: SQLiteColumn | SQL,
  requirements: readonly LabelRequirement[],
): SQL {
  return sql.join(
    requirements.map(({ key, operator, values }) => {
      const labelled = KEY_ONLY.has(operator)
        ? sql`(SELECT l.resource_guid FROM labels l WHERE l.key = ${key})`
        : sql`(SELECT l.resource_guid FROM json_each(${JSON.stringify({ key, values })}, '$.values') v
            JOIN labels l ON l.key = json_extract(v.json, '$.key') AND l.value = v.value)`;
      return sql`${resourceGuid} ${sql.raw(NEGATED.has(operator) ? "NOT IN" : "IN")} ${labelled}`;
    }),
    sql` AND `,
  );
}
