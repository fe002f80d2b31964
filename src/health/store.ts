// The readiness probe's one query: a round trip to D1 that reads no table.
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";

export async function pingDatabase(db: Db): Promise<void> {
  await db.run(sql`SELECT 1`);
}
