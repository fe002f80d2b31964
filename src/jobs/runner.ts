// Jobs run after the response (waitUntil) and again from the scheduled handler if their run was lost,
// so every operation is idempotent: it works from the job's row alone.
import type { BatchItem } from "drizzle-orm/batch";
import { createDb, type Db } from "../db/client";
import type { Bindings, Deps } from "../env";
import { CfError } from "../http/errors";
import { logError, logInfo } from "../http/log";
import type { User } from "../user";
import { type JobResourceType, jobOperation } from "./operations";
import { finishJob, insertJobQuery, type JobRow, stalledJobs } from "./store";

/** Runs a job to its end; `requestId` names the request that started it (none from the cron). */
async function runJob(env: Bindings, db: Db, job: JobRow, requestId?: string): Promise<void> {
  const operation = jobOperation(job.operation);
  const fields = { requestId, job: job.guid, operation: job.operation, resource: job.resourceGuid };
  try {
    if (!operation) throw new Error(`no operation registered for ${job.operation}`);
    await operation(env, db, job.resourceGuid);
    await finishJob(db, job.guid, "COMPLETE");
    logInfo("job complete", fields);
  } catch (err) {
    logError("job failed", err, fields);
    const error = err instanceof CfError ? err : new CfError("UnknownError");
    await finishJob(db, job.guid, "FAILED", [{ detail: error.detail, title: error.title, code: error.code }]);
  }
}

/**
 * Records a `<type>.delete` job of the resource on behalf of the caller, with `recorded` (its audit
 * event) in the same batch, and runs it after the response, on its own db so the request's D1 cost
 * stays its own.
 */
export async function startDeleteJob(
  deps: Deps,
  user: User,
  resourceType: JobResourceType,
  resourceGuid: string,
  recorded: BatchItem<"sqlite">[] = [],
): Promise<JobRow> {
  const [[job]] = await deps.db.batch([
    insertJobQuery(deps.db, {
      operation: `${resourceType}.delete`,
      resourceType,
      resourceGuid,
      userGuid: user.guid,
    }),
    ...recorded,
  ]);
  deps.defer(runJob(deps.env, createDb(deps.env.DB), job!, deps.requestId));
  return job!;
}

/** Runs again the jobs whose first run was lost. */
export async function resumeStalledJobs(env: Bindings, db: Db, stalledAfterSeconds = 120): Promise<number> {
  const stalled = await stalledJobs(db, stalledAfterSeconds);
  for (const job of stalled) await runJob(env, db, job);
  return stalled.length;
}
