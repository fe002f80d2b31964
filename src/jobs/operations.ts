// What each job operation does. Operations are idempotent: a lost run is simply run again.
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { deletePackage } from "../packages/delete";

export type JobOperation = (env: Bindings, db: Db, resourceGuid: string) => Promise<void>;

export const JOB_OPERATIONS = {
  "package.delete": deletePackage,
} satisfies Record<string, JobOperation>;

export type JobOperationName = keyof typeof JOB_OPERATIONS;
