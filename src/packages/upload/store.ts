// SQL of an upload, in as few D1 round trips as the work allows: the access read and the claim
// (AWAITING_UPLOAD → PROCESSING_UPLOAD) in one batch; READY and retention in another; the resource
// cache rows once its files are copied, after the response. Claims and finishes are conditional
// updates, so of racing uploads exactly one proceeds.
import { and, eq, sql } from "drizzle-orm";
import { appOfRowTakesWrites } from "../../apps/access";
import { type Db, nowSeconds } from "../../db/client";
import { cachedResources, type PackageState, packages } from "../../db/schema";
import type { User } from "../../http/auth";
import { queueBitsDeletions } from "../bits-removal";
import { expirePackagesQueries } from "../retention";
import {
  type PackageAccess,
  type PackageRow,
  packageAccessQuery,
  toAccess,
  transitionPackageQuery,
} from "../store";
import type { StoredBlob } from "./blob-writer";

/** SQL condition on the package being claimed: bits, and its app takes writes from the user. */
const uploadAllowed = (user: User) =>
  // Qualified: inside the subquery, an unqualified column would bind to the subquery's own tables.
  and(eq(packages.type, "bits"), appOfRowTakesWrites(user, sql.raw(`"packages"."app_guid"`)));

/**
 * Reads the package with the caller's access and, if the caller may upload and the package awaits
 * its bits, moves it to `to` (PROCESSING_UPLOAD, or FAILED with `error` for a body refused up front).
 */
export async function claimUpload(
  db: Db,
  user: User,
  guid: string,
  to: PackageState,
  error: string | null = null,
): Promise<{ access: PackageAccess | undefined; claimed: PackageRow | undefined }> {
  const [accessRows, claimedRows] = await db.batch([
    packageAccessQuery(db, user, guid),
    transitionPackageQuery(db, guid, "AWAITING_UPLOAD", to, { error }, uploadAllowed(user)),
  ]);
  return { access: toAccess(accessRows[0]), claimed: claimedRows[0] };
}

/** Gives a claimed package back (a message error found after the claim): it awaits bits again. */
export async function releaseUpload(db: Db, guid: string): Promise<void> {
  await transitionPackageQuery(db, guid, "PROCESSING_UPLOAD", "AWAITING_UPLOAD");
}

/**
 * FAILED with `error`; whatever bits were stored are queued for deletion in the same batch, only if
 * the package is FAILED now (never the bits of a package that reached READY).
 */
export async function failUpload(db: Db, guid: string, error: string): Promise<void> {
  await db.batch([
    transitionPackageQuery(db, guid, "PROCESSING_UPLOAD", "FAILED", { error }),
    queueBitsDeletions(db, and(eq(packages.guid, guid), eq(packages.state, "FAILED"))),
  ]);
}

// D1 binds at most 100 parameters a statement: three a row.
const CACHE_ROWS_PER_STATEMENT = 33;

/** Records files now in the resource cache (ones it held already stay as they were), in one batch. */
export async function recordCachedResources(
  db: Db,
  resources: readonly { sha1: string; size: number }[],
): Promise<void> {
  const now = nowSeconds();
  const statements = [];
  for (let i = 0; i < resources.length; i += CACHE_ROWS_PER_STATEMENT) {
    const rows = resources.slice(i, i + CACHE_ROWS_PER_STATEMENT).map((r) => ({ ...r, createdAt: now }));
    statements.push(db.insert(cachedResources).values(rows).onConflictDoNothing());
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * READY with the package's checksums and the app's old packages expired, in one batch. `ready` is
 * undefined when the package was no longer processing (the watchdog failed it meanwhile).
 */
export async function finishUpload(
  db: Db,
  pkg: PackageRow,
  blob: StoredBlob,
  keep: number,
): Promise<{ ready: PackageRow | undefined; expired: { guid: string; type: string }[] }> {
  const ready = transitionPackageQuery(db, pkg.guid, "PROCESSING_UPLOAD", "READY", {
    sha1: blob.sha1,
    sha256: blob.sha256,
    bitsSize: blob.size,
    error: null,
  });
  const [readyRows, ...rest] = await db.batch([ready, ...expirePackagesQueries(db, keep, pkg.appGuid)]);
  const expired = rest.at(-1) as { guid: string; type: string }[];
  return { ready: readyRows[0], expired };
}
