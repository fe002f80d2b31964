// What each job operation does. Operations are idempotent: a lost run is simply run again.
import { deleteApp } from "../apps/delete";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { deleteOrganization } from "../organizations/delete";
import { deletePackage } from "../packages/delete";
import { deleteRole } from "../roles/delete";
import { deleteSpace } from "../spaces/delete";

export type JobOperation = (env: Bindings, db: Db, resourceGuid: string) => Promise<void>;

export const JOB_OPERATIONS = {
  "package.delete": deletePackage,
  "app.delete": deleteApp,
  "space.delete": deleteSpace,
  "organization.delete": deleteOrganization,
  "role.delete": deleteRole,
} satisfies Record<string, JobOperation>;

export type JobOperationName = keyof typeof JOB_OPERATIONS;
