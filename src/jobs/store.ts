import { and, eq, lt, sql } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { type JobState, jobs } from "../db/schema";
import { JOB_RESOURCES, type JobOperationName, type JobResourceType } from "./operations";

export type JobRow = typeof jobs.$inferSelect;
export type JobError = JobRow["errors"][number];

export interface NewJob {
  operation: JobOperationName;
  resourceType: JobResourceType;
  resourceGuid: string;
  userGuid: string;
}

export function insertJobQuery(db: Db, job: NewJob) {
  const now = nowSeconds();
  return db
    .insert(jobs)
    .values({
      ...job,
      guid: crypto.randomUUID(),
      state: "PROCESSING",
      errors: [],
      warnings: [],
      createdAt: now,
      updatedAt: now,
    })
    .returning();
}

// One WHEN per registered resource type: does the job's resource still exist in its table?
const resourceExistsCases = sql.join(
  Object.entries(JOB_RESOURCES).map(
    ([type, { table }]) =>
      sql`WHEN ${type} THEN EXISTS (SELECT 1 FROM ${table} WHERE ${table.guid} = ${jobs.resourceGuid})`,
  ),
  sql` `,
);

/** A job and whether its resource still exists (CC links to the resource only while it does). */
export function findJob(db: Db, guid: string) {
  return db
    .select({
      job: jobs,
      resourceExists: sql<boolean>`CASE ${jobs.resourceType} ${resourceExistsCases} ELSE 0 END`.mapWith(
        Boolean,
      ),
    })
    .from(jobs)
    .where(eq(jobs.guid, guid))
    .get();
}

/** Ends a PROCESSING job; a job that already ended stays as it is. */
export async function finishJob(
  db: Db,
  guid: string,
  state: Exclude<JobState, "PROCESSING">,
  errors: JobError[] = [],
) {
  await db
    .update(jobs)
    .set({ state, errors, updatedAt: nowSeconds() })
    .where(and(eq(jobs.guid, guid), eq(jobs.state, "PROCESSING")));
}

/** PROCESSING jobs untouched for `seconds`: their run was lost (isolate gone), so they run again. */
export function stalledJobs(db: Db, seconds: number, limit = 100) {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.state, "PROCESSING"), lt(jobs.updatedAt, nowSeconds() - seconds)))
    .limit(limit);
}
