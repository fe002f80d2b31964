// The D1 client of every environment: drizzle over the binding, wrapped so a request knows what it cost
// in D1. Each run/all/first/raw/batch/exec call is one round trip; rows read and written are summed from
// the meta D1 returns with each result.
import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** D1 cost of one request (or one scheduled run). */
export interface D1Usage {
  roundTrips: number;
  rowsRead: number;
  rowsWritten: number;
}

function addRows(usage: D1Usage, results: readonly unknown[]): void {
  for (const result of results) {
    const meta = (result as { meta?: Partial<D1Meta> } | null)?.meta;
    usage.rowsRead += meta?.rows_read ?? 0;
    usage.rowsWritten += meta?.rows_written ?? 0;
  }
}

type Send = (...args: unknown[]) => Promise<unknown>;

/**
 * first() and raw() drop the meta D1 sends back (drizzle selects use raw()), so the statement is run on a
 * copy whose session hands every reply to `addRows` first. That session is the binding's own object, not
 * a public API: when it is not there, the call runs as is and only its round trip is counted.
 */
function withMetaTap(statement: D1PreparedStatement, usage: D1Usage): D1PreparedStatement {
  const session = (statement as unknown as { dbSession?: { _sendOrThrow?: Send } }).dbSession;
  const send = session?._sendOrThrow;
  if (!session || typeof send !== "function") return statement;
  const tap = Object.create(session, {
    _sendOrThrow: {
      value: async (...args: unknown[]) => {
        const reply = await send.apply(session, args);
        addRows(usage, [reply].flat());
        return reply;
      },
    },
  });
  return Object.assign(Object.create(Object.getPrototypeOf(statement)), statement, { dbSession: tap });
}

class CountedStatement implements D1PreparedStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly usage: D1Usage,
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new CountedStatement(this.inner.bind(...values), this.usage);
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  first<T>(colName?: string): Promise<T | null> {
    this.usage.roundTrips++;
    const statement = withMetaTap(this.inner, this.usage);
    return colName === undefined ? statement.first<T>() : statement.first<T>(colName);
  }

  async run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    this.usage.roundTrips++;
    const result = await this.inner.run<T>();
    addRows(this.usage, [result]);
    return result;
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    this.usage.roundTrips++;
    const result = await this.inner.all<T>();
    addRows(this.usage, [result]);
    return result;
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  raw<T = unknown[]>(options?: { columnNames?: boolean }): Promise<[string[], ...T[]] | T[]> {
    this.usage.roundTrips++;
    const statement = withMetaTap(this.inner, this.usage);
    return options?.columnNames ? statement.raw<T>({ columnNames: true }) : statement.raw<T>();
  }
}

const unwrap = (statement: D1PreparedStatement) =>
  statement instanceof CountedStatement ? statement.inner : statement;

class CountedSession implements D1DatabaseSession {
  constructor(
    private readonly target: D1Database | D1DatabaseSession,
    readonly usage: D1Usage,
  ) {}

  prepare(query: string): D1PreparedStatement {
    return new CountedStatement(this.target.prepare(query), this.usage);
  }

  async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    this.usage.roundTrips++;
    const results = await this.target.batch<T>(statements.map(unwrap));
    addRows(this.usage, results);
    return results;
  }

  getBookmark(): D1SessionBookmark | null {
    return "getBookmark" in this.target ? this.target.getBookmark() : null;
  }
}

class CountedDatabase extends CountedSession implements D1Database {
  constructor(
    private readonly binding: D1Database,
    usage: D1Usage,
  ) {
    super(binding, usage);
  }

  /** exec() reports no rows: only its round trip is counted. */
  exec(query: string): Promise<D1ExecResult> {
    this.usage.roundTrips++;
    return this.binding.exec(query);
  }

  withSession(constraintOrBookmark?: D1SessionBookmark | D1SessionConstraint): D1DatabaseSession {
    return new CountedSession(this.binding.withSession(constraintOrBookmark), this.usage);
  }

  dump(): Promise<ArrayBuffer> {
    return this.binding.dump();
  }
}

/** A drizzle database over `d1` with its own usage counters: create one per request. */
export function createDb(d1: D1Database) {
  const usage: D1Usage = { roundTrips: 0, rowsRead: 0, rowsWritten: 0 };
  return drizzle(new CountedDatabase(d1, usage), { schema, casing: "snake_case" });
}

export type Db = ReturnType<typeof createDb>;

/** What `db` has cost in D1 so far. */
export const d1UsageOf = (db: Db): D1Usage => db.$client.usage;

/** A Server-Timing entry carrying the usage: `d1;desc="rt=2 rr=3 rw=1"`. */
export const d1ServerTiming = (usage: D1Usage) =>
  `d1;desc="rt=${usage.roundTrips} rr=${usage.rowsRead} rw=${usage.rowsWritten}"`;

/** Epoch seconds: CC's timestamp precision. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);
