// What the cron trigger runs: work that must end even when the request that started it is gone.
import { retryBlobDeletions } from "./blobs/deletions";
import { createDb } from "./db/client";
import type { Bindings } from "./env";
import { resumeStalledJobs } from "./jobs/runner";

export async function runMaintenance(env: Bindings): Promise<void> {
  const db = createDb(env.DB);
  await resumeStalledJobs(env, db);
  await retryBlobDeletions(env.BITS, db);
}
