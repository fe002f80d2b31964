// What the cron trigger runs: work that must end even when the request that started it is gone. Each
// task runs on its own: one that throws is logged and the others still run. One line logs every
// task's count (or that it failed) and the run's D1 cost.
import { deleteAuditEventsBefore } from "./audit-events/store";
import { retryBlobDeletions } from "./blobs/deletions";
import { readConfig } from "./config";
import { createDb, d1UsageOf, nowSeconds } from "./db/client";
import type { Bindings } from "./env";
import { logError, logInfo } from "./http/log";
import { resumeStalledJobs } from "./jobs/runner";
import { expireOldPackages } from "./packages/retention";
import { pruneResourceCache } from "./packages/upload/resource-cache";
import { failStuckPackages } from "./packages/watchdog";

export async function runMaintenance(env: Bindings): Promise<void> {
  // A malformed var is logged by readConfig; nothing runs on a config that is not the operator's.
  const config = readConfig(env);
  if (!config) return;
  const db = createDb(env.DB);
  const tasks: Record<string, () => Promise<number>> = {
    stalledJobs: () => resumeStalledJobs(env, db),
    stuckPackages: () => failStuckPackages(env.BITS, db, config.packageStuckTimeoutSeconds),
    expiredPackages: () => expireOldPackages(env.BITS, db, config.maxValidPackagesStored),
    prunedResources: () =>
      pruneResourceCache(env.BITS, db, config.resourceCacheMaxAgeDays, config.resourceCacheMaxSize),
    expiredAuditEvents: () =>
      deleteAuditEventsBefore(db, nowSeconds() - config.auditEventsCutoffAgeInDays * 86_400),
    // Last, so it also retries what the tasks before it could not delete.
    blobDeletions: () => retryBlobDeletions(env.BITS, db),
  };
  const counts: Record<string, number | "failed"> = {};
  for (const [task, run] of Object.entries(tasks)) {
    try {
      counts[task] = await run();
    } catch (err) {
      counts[task] = "failed";
      logError("maintenance task failed", err, { task });
    }
  }
  logInfo("maintenance", { ...counts, d1: d1UsageOf(db) });
}
