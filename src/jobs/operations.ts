// The one registry of jobs: each resource a job can act on, with its table (whether the resource still
// exists, for the job's link) and its delete. It is also the one place that knows the tree of resources:
// each cascade (organization → spaces → apps → packages) is handed its children's delete here.
// Operations are idempotent: a lost run is simply run again.
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import { deleteApp } from "../apps/delete";
import type { Db } from "../db/client";
import { apps, organizations, packages, roles, spaces } from "../db/schema";
import type { Bindings } from "../env";
import { deleteOrganization } from "../organizations/delete";
import { deletePackages } from "../packages/delete";
import { deleteRole } from "../roles/delete";
import { deleteSpace } from "../spaces/delete";
import { oneByOne } from "./cascade";

export type JobOperation = (env: Bindings, db: Db, resourceGuid: string) => Promise<void>;

const appDelete: JobOperation = (env, db, guid) => deleteApp(env, db, guid, deletePackages);
const spaceDelete: JobOperation = (env, db, guid) => deleteSpace(env, db, guid, oneByOne(appDelete));

/** Resource types a job can act on; a job links to `/v3/<type>s/<guid>` while the resource exists. */
export const JOB_RESOURCES = {
  package: { table: packages, delete: (env, db, guid) => deletePackages(env, db, [guid]) },
  app: { table: apps, delete: appDelete },
  space: { table: spaces, delete: spaceDelete },
  organization: {
    table: organizations,
    delete: (env, db, guid) => deleteOrganization(env, db, guid, oneByOne(spaceDelete)),
  },
  role: { table: roles, delete: deleteRole },
} satisfies Record<string, { table: SQLiteTable & { guid: SQLiteColumn }; delete: JobOperation }>;

export type JobResourceType = keyof typeof JOB_RESOURCES;
export type JobOperationName = `${JobResourceType}.delete`;

export const isJobResourceType = (type: string): type is JobResourceType =>
  Object.hasOwn(JOB_RESOURCES, type);

/** What the operation `name` (`<type>.delete`) does, or undefined for one not registered. */
export function jobOperation(name: string): JobOperation | undefined {
  const [type = "", verb] = name.split(".");
  return verb === "delete" && isJobResourceType(type) ? JOB_RESOURCES[type].delete : undefined;
}
