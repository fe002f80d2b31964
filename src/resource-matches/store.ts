// Which sha1s the resource cache holds, and their last use (what the cron prunes by): one batch, the
// sha1s chunked to D1's 100 bound parameters.
import { and, inArray, lt } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { cachedResources } from "../db/schema";

// The sha1s, plus the time and its bound in the statements recording use.
const SHA1S_PER_STATEMENT = 98;
// Last use is written at most once an hour an entry, so matching the same files again writes nothing.
const USE_RECORDED_EVERY_SECONDS = 3600;

function chunked(sha1s: readonly string[]): string[][] {
  const unique = [...new Set(sha1s)];
  const chunks = [];
  for (let i = 0; i < unique.length; i += SHA1S_PER_STATEMENT) {
    chunks.push(unique.slice(i, i + SHA1S_PER_STATEMENT));
  }
  return chunks;
}

/** Statements that record the cached resources `sha1s` as used now (matched, or named by an upload). */
export function recordResourceUseQueries(db: Db, sha1s: readonly string[]) {
  const now = nowSeconds();
  return chunked(sha1s).map((chunk) =>
    db
      .update(cachedResources)
      .set({ lastUsedAt: now })
      .where(
        and(
          inArray(cachedResources.sha1, chunk),
          lt(cachedResources.lastUsedAt, now - USE_RECORDED_EVERY_SECONDS),
        ),
      ),
  );
}

/** The sha1s the cache holds, recorded as used in the same batch. */
export async function cachedSha1s(db: Db, sha1s: readonly string[]): Promise<Set<string>> {
  const [first, ...rest] = chunked(sha1s).map((chunk) =>
    db
      .select({ sha1: cachedResources.sha1 })
      .from(cachedResources)
      .where(inArray(cachedResources.sha1, chunk)),
  );
  if (!first) return new Set();
  const results = await db.batch([first, ...rest, ...recordResourceUseQueries(db, sha1s)]);
  const held = results.slice(0, rest.length + 1) as { sha1: string }[][];
  return new Set(held.flat().map((row) => row.sha1));
}
