// Turning a resource's access row into CC's answers: invisible → 404 (or 422 where CC says so),
// visible but not writable → 403, suspended organization → 403 CF-OrgSuspended for non-admins.

import { CfError } from "../http/errors";
import type { User } from "../user";

export interface AccessFlags {
  readable: boolean;
  writable: boolean;
  organizationStatus: "active" | "suspended";
}

/**
 * Throws unless the user may write; `invisible` is the error for a resource that is missing
 * (`access` undefined) or that they cannot see.
 */
export function assertWritable(
  user: User,
  access: AccessFlags | undefined,
  invisible: () => CfError,
): asserts access is AccessFlags {
  if (!access?.readable) throw invisible();
  if (!access.writable) throw new CfError("NotAuthorized");
  if (access.organizationStatus === "suspended" && !user.admin) throw new CfError("OrgSuspended");
}
