import { timestamp } from "../http/timestamp";
import { isJobResourceType } from "./operations";
import type { JobRow } from "./store";

export function presentJob(job: JobRow, resourceExists: boolean, baseUrl: string) {
  const resourceLink =
    resourceExists && isJobResourceType(job.resourceType)
      ? { [job.resourceType]: { href: `${baseUrl}/v3/${job.resourceType}s/${job.resourceGuid}` } }
      : {};
  return {
    guid: job.guid,
    created_at: timestamp(job.createdAt),
    updated_at: timestamp(job.updatedAt),
    operation: job.operation,
    state: job.state,
    errors: job.errors,
    warnings: job.warnings,
    links: { self: { href: `${baseUrl}/v3/jobs/${job.guid}` }, ...resourceLink },
  };
}
