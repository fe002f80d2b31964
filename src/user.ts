// The caller, as their UAA token names them: who they are and what their scopes let them do everywhere.
export interface User {
  guid: string;
  /** The token's email, as CC names the actor of an audit event; empty when the token has none. */
  email: string;
  scopes: ReadonlySet<string>;
  /** cloud_controller.admin: everything. */
  admin: boolean;
  /** admin, admin_read_only or global_auditor: reads every resource. */
  globalReader: boolean;
  /** admin or admin_read_only: may also read secrets (package downloads) everywhere. */
  globalSecretReader: boolean;
}
