// SQL of an upload, in as few D1 round trips as the work allows: the access read and the claim
// (AWAITING_UPLOAD → PROCESSING_UPLOAD) in one batch; READY, retention and the last use of the cached
// resources it named in another; the resource cache rows once its files are copied, after the response.
// Claims and finishes are conditional updates, so of racing uploads exactly one proceeds. A long upload
// renews its claim as it streams, so the watchdog leaves it alone.
import { and, eq, gt, lt, lte, or, type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { appOfRowTakesWrites } from "../../apps/store";
import { queueBlobDeletions } from "../../blobs/deletions";
import { type Db, nowSeconds } from "../../db/client";
import { cachedResources, type PackageState, packages, resourceCacheSize } from "../../db/schema";
import { recordResourceUseQueries } from "../../resource-matches/store";
import type { User } from "../../user";
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

/**
 * Renews the claim of an upload still streaming (updated_at, which the watchdog ages) and records the
 * R2 multipart upload its bits went to, if given; false when the package is no longer processing.
 */
export async function renewUploadClaim(db: Db, guid: string, multipartUploadId?: string): Promise<boolean> {
  const renewed = await db
    .update(packages)
    .set({ updatedAt: nowSeconds(), ...(multipartUploadId ? { multipartUploadId } : {}) })
    .where(and(eq(packages.guid, guid), eq(packages.state, "PROCESSING_UPLOAD")))
    .returning({ guid: packages.guid });
  return renewed.length > 0;
}

/** Gives a claimed package back (a message error found after the claim): it awaits bits again. */
export async function releaseUpload(db: Db, guid: string): Promise<void> {
  await transitionPackageQuery(db, guid, "PROCESSING_UPLOAD", "AWAITING_UPLOAD", { multipartUploadId: null });
}

/**
 * FAILED with `error`; whatever bits were stored are queued for deletion in the same batch, only if
 * the package is FAILED now (never the bits of a package that reached READY).
 */
export async function failUpload(db: Db, guid: string, error: string): Promise<void> {
  await db.batch([
    transitionPackageQuery(db, guid, "PROCESSING_UPLOAD", "FAILED", { error, multipartUploadId: null }),
    queueBitsDeletions(db, and(eq(packages.guid, guid), eq(packages.state, "FAILED"))),
  ]);
}

// D1 binds at most 100 parameters a statement: four a row.
const CACHE_ROWS_PER_STATEMENT = 25;

/** Records files now in the resource cache as used now (ones it held already only as used), in one batch. */
export async function recordCachedResources(
  db: Db,
  resources: readonly { sha1: string; size: number }[],
): Promise<void> {
  const now = nowSeconds();
  const statements = [];
  for (let i = 0; i < resources.length; i += CACHE_ROWS_PER_STATEMENT) {
    const rows = resources
      .slice(i, i + CACHE_ROWS_PER_STATEMENT)
      .map((r) => ({ ...r, createdAt: now, lastUsedAt: now }));
    statements.push(
      db
        .insert(cachedResources)
        .values(rows)
        .onConflictDoUpdate({
          target: cachedResources.sha1,
          set: { lastUsedAt: sql`excluded.${sql.identifier("last_used_at")}` },
        }),
    );
  }
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * READY with the package's checksums, the app's old packages expired and the cached resources the
 * upload named (`used`, sha1s) marked used, in one batch. `ready` is undefined when the package was no
 * longer processing (the watchdog failed it meanwhile).
 */
export async function finishUpload(
  db: Db,
  pkg: PackageRow,
  blob: StoredBlob,
  keep: number,
  used: readonly string[],
  recorded?: BatchItem<"sqlite">,
): Promise<{ ready: PackageRow | undefined; expired: { guid: string; type: string }[] }> {
  const ready = transitionPackageQuery(db, pkg.guid, "PROCESSING_UPLOAD", "READY", {
    sha1: blob.sha1,
    sha256: blob.sha256,
    bitsSize: blob.size,
    error: null,
    multipartUploadId: null,
  });
  const [readyRows, ...rest] = await db.batch([
    ready,
    ...(recorded ? [recorded] : []),
    ...expirePackagesQueries(db, keep, pkg.appGuid),
    ...recordResourceUseQueries(db, used),
  ]);
  const expired = rest[recorded ? 2 : 1] as { guid: string; type: string }[];
  return { ready: readyRows[0], expired };
}

/** Queues the R2 objects (`prefix` + sha1) of the cache rows matching `where`, then deletes the rows. */
function pruneQueries(db: Db, where: SQL, prefix: string) {
  return [
    queueBlobDeletions(db, cachedResources, sql<string>`${prefix} || ${cachedResources.sha1}`, where),
    db.delete(cachedResources).where(where).returning({ sha1: cachedResources.sha1 }),
  ] as const;
}

/**
 * Removes the cache rows unused for `maxAgeSeconds`, then, only when the total kept by triggers is over
 * `maxSize`, the least recently used down to 90% of it (so the next uploads do not bring it over again
 * at once, each run summing every row); each batch queues their R2 objects (`prefix` + sha1) for
 * deletion. Returns the sha1s removed.
 */
export async function pruneCachedResources(
  db: Db,
  maxAgeSeconds: number,
  maxSize: number,
  prefix: string,
): Promise<string[]> {
  const unused = lt(cachedResources.lastUsedAt, nowSeconds() - maxAgeSeconds);
  const [, aged, [total]] = await db.batch([
    ...pruneQueries(db, unused, prefix),
    db.select({ bytes: resourceCacheSize.bytes }).from(resourceCacheSize),
  ]);
  const pruned = aged.map((row) => row.sha1);
  if (!total || total.bytes <= maxSize) return pruned;
  // Running totals from the most recently used: the first row past the mark, and all older, go.
  const running = db
    .select({
      sha1: cachedResources.sha1,
      lastUsedAt: cachedResources.lastUsedAt,
      kept: sql<number>`sum(${cachedResources.size}) OVER (ORDER BY ${cachedResources.lastUsedAt} DESC, ${cachedResources.sha1} DESC)`.as(
        "kept",
      ),
    })
    .from(cachedResources)
    .as("running");
  // min() picks the row it found (SQLite's bare columns): the first past the mark, in one pass.
  const [newestGone] = await db
    .select({
      sha1: running.sha1,
      lastUsedAt: running.lastUsedAt,
      kept: sql<number | null>`min(${running.kept})`,
    })
    .from(running)
    .where(gt(running.kept, maxSize - Math.floor(maxSize / 10)));
  if (!newestGone || newestGone.kept === null) return pruned;
  // The first term lets the last_used_at index find the rows.
  const older = and(
    lte(cachedResources.lastUsedAt, newestGone.lastUsedAt),
    or(lt(cachedResources.lastUsedAt, newestGone.lastUsedAt), lte(cachedResources.sha1, newestGone.sha1)),
  )!;
  const [, oversize] = await db.batch(pruneQueries(db, older, prefix));
  return [...pruned, ...oversize.map((row) => row.sha1)];
}
