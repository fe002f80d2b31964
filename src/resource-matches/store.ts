// Which sha1s the resource cache holds: one batch, the sha1s chunked to D1's 100 bound parameters.
import { inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { cachedResources } from "../db/schema";

const SHA1S_PER_STATEMENT = 100;

export async function cachedSha1s(db: Db, sha1s: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(sha1s)];
  if (unique.length === 0) return new Set();
  const statements = [];
  for (let i = 0; i < unique.length; i += SHA1S_PER_STATEMENT) {
    const chunk = unique.slice(i, i + SHA1S_PER_STATEMENT);
    statements.push(
      db
        .select({ sha1: cachedResources.sha1 })
        .from(cachedResources)
        .where(inArray(cachedResources.sha1, chunk)),
    );
  }
  const [first, ...rest] = statements;
  const results = await db.batch([first!, ...rest]);
  return new Set(results.flat().map((row) => row.sha1));
}
