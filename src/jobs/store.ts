import { and, eq, lt, sql } from "drizzle-orm";
import { type Db, nowSeconds } from "../db/client";
import { type JobState, jobs } from "../db/schema";
import type { JobOperationName } from "./operations";

export type JobRow = typeof jobs.$inferSelect;
export type JobError = JobRow["errors"][number];

/** Resource types a job can act on, and the table that tells whether the resource still exists. */
export const JOB_RESOURCES = {
  package: "packages",
  app: "apps",
  space: "spaces",
  organization: "organizations",
  role: "roles",
} as const;
export type JobResourceType = keyof typeof JOB_RESOURCES;

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

/** A job and whether its resource still exists (CC links to the resource only while it does). */
export function findJob(db: Db, guid: string) {
  return db
    .select({
      job: jobs,
      resourceExists: sql<boolean>`CASE ${jobs.resourceType}
        WHEN 'package' THEN EXISTS (SELECT 1 FROM packages p WHERE p.guid = ${jobs.resourceGuid})
        WHEN 'app' THEN EXISTS (SELECT 1 FROM apps a WHERE a.guid = ${jobs.resourceGuid})
        WHEN 'space' THEN EXISTS (SELECT 1 FROM spaces s WHERE s.guid = ${jobs.resourceGuid})
        WHEN 'organization' THEN EXISTS (SELECT 1 FROM organizations o WHERE o.guid = ${jobs.resourceGuid})
        WHEN 'role' THEN EXISTS (SELECT 1 FROM roles r WHERE r.guid = ${jobs.resourceGuid})
        ELSE 0 END`.mapWith(Boolean),
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
