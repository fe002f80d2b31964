// What the cron trigger runs: work that must end even when the request that started it is gone.
import { deleteAuditEventsBefore } from "./audit-events/store";
import { retryBlobDeletions } from "./blobs/deletions";
import { readConfig } from "./config";
import { createDb, nowSeconds } from "./db/client";
import type { Bindings } from "./env";
import { resumeStalledJobs } from "./jobs/runner";
import { expireOldPackages } from "./packages/retention";
import { pruneResourceCache } from "./packages/upload/resource-cache";
import { failStuckPackages } from "./packages/watchdog";

export async function runMaintenance(env: Bindings): Promise<void> {
  const db = createDb(env.DB);
  await resumeStalledJobs(env, db);
  const config = readConfig(env);
  await failStuckPackages(env.BITS, db, config.packageStuckTimeoutSeconds);
  await expireOldPackages(env.BITS, db, config.maxValidPackagesStored);
  await pruneResourceCache(env.BITS, db, config.resourceCacheMaxAgeDays, config.resourceCacheMaxSize);
  await retryBlobDeletions(env.BITS, db);
  await deleteAuditEventsBefore(db, nowSeconds() - config.auditEventsCutoffAgeInDays * 86_400);
}
