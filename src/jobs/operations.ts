// What each job operation does, and the one place that knows the tree of resources: each cascade
// (organization → spaces → apps → packages) is handed its children's delete here. Operations are
// idempotent: a lost run is simply run again.
import { deleteApp } from "../apps/delete";
import type { Db } from "../db/client";
import type { Bindings } from "../env";
import { deleteOrganization } from "../organizations/delete";
import { deletePackages } from "../packages/delete";
import { deleteRole } from "../roles/delete";
import { deleteSpace } from "../spaces/delete";
import { oneByOne } from "./cascade";

export type JobOperation = (env: Bindings, db: Db, resourceGuid: string) => Promise<void>;

const appDelete: JobOperation = (env, db, guid) => deleteApp(env, db, guid, deletePackages);
const spaceDelete: JobOperation = (env, db, guid) => deleteSpace(env, db, guid, oneByOne(appDelete));

export const JOB_OPERATIONS = {
  "package.delete": (env, db, guid) => deletePackages(env, db, [guid]),
  "app.delete": appDelete,
  "space.delete": spaceDelete,
  "organization.delete": (env, db, guid) => deleteOrganization(env, db, guid, oneByOne(spaceDelete)),
  "role.delete": deleteRole,
} satisfies Record<string, JobOperation>;

export type JobOperationName = keyof typeof JOB_OPERATIONS;
