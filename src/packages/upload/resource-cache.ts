// The resource cache: files of uploaded packages of resourceMinSize to resourceMaxSize bytes, kept in R2
// by content (resources/<sha1>) so a later push can leave them out (POST /v3/resource_matches) and name
// them in its upload's `resources`. Their content was digested as the bits streamed in (zip-scan.ts), so the
// request only checks it against the central directory; the copies are made after the response (the
// client waits for READY alone), one ranged read of the stored package each, skipped for a file the
// cache holds already (as CC's resource pool skips it). R2 stores a copy only if its bytes hash to the
// sha1 given with the put, so a key never holds other content. Symlinks and directories are never
// cached, as in CC. The cron prunes what has gone unused longest: past an age, and beyond a total size.
import { deleteBlobs } from "../../blobs/deletions";
import type { Db } from "../../db/client";
import { logError, logInfo } from "../../http/log";
import { pruneCachedResources, recordCachedResources } from "./store";
import {
  assertReadable,
  type CentralDirectory,
  InvalidZip,
  isDirectory,
  isSymlink,
  openEntry,
  type ZipEntry,
} from "./zip-read";
import { packageTooLarge, type ScannedZip } from "./zip-scan";

// CC's words for a package holding a symlink that resolves outside it.
const SYMLINK_OUTSIDE_ROOT = "Symlink(s) point outside of root folder";
const FLAG_ENCRYPTED = 0x0001;

export const resourceKey = (sha1: string) => `resources/${sha1}`;
export const SHA1 = /^[0-9a-f]{40}$/;

// Each cached file costs up to three R2 subrequests (head, ranged read, put) after the response, which
// shares the request's subrequest limit: the fill stops at its own budget (RESOURCE_CACHE_FILL_SUBREQUESTS),
// and files past it are simply not cached this time.
export const MAX_CACHED_FILES_PER_UPLOAD = 200;

/** A file of the stored package that goes to the cache: where its data is, and what it holds. */
export interface CacheableFile {
  name: string;
  method: number;
  dataOffset: number;
  compressedSize: number;
  sha1: string;
  size: number;
}

const invalidEntry = (entry: ZipEntry, reason: string) =>
  new InvalidZip(`Invalid zip archive (${entry.name}: ${reason}).`);

/**
 * Checks every entry of the central directory against what the stream pass read of it (zip-scan.ts),
 * and returns the package's files for the cache. An entry the pass did not read as the directory
 * describes it (local headers that disagree with it, data it never reached), content that does not
 * inflate or whose CRC-32 or size disagree, a symlink pointing outside the root, or entries whose sizes
 * add up past `maxUnzippedSize` (entries that share their data included) fail the upload.
 */
export function cacheableFiles(
  directory: CentralDirectory,
  scanned: ScannedZip,
  maxUnzippedSize: number,
): CacheableFile[] {
  const files: CacheableFile[] = [];
  let unzippedSize = 0;
  for (const entry of directory.entries) {
    unzippedSize += entry.uncompressedSize;
    if (unzippedSize > maxUnzippedSize) throw packageTooLarge(maxUnzippedSize);
    assertReadable(entry);
    if (entry.flags & FLAG_ENCRYPTED) throw invalidEntry(entry, "encrypted entries are not supported");
    const seen = scanned.get(entry.localHeaderOffset);
    if (!seen || seen.method !== entry.method || seen.compressedSize !== entry.compressedSize) {
      throw invalidEntry(entry, "local header does not match the central directory");
    }
    if (seen.nameCrc !== entry.nameCrc)
      throw new InvalidZip("Invalid zip archive (mismatching local filename).");
    if (!seen.content) throw invalidEntry(entry, "corrupt data");
    if (seen.content.crc32 !== entry.crc32 || seen.content.size !== entry.uncompressedSize) {
      throw invalidEntry(entry, "checksum mismatch");
    }
    if (isSymlink(entry) && !seen.content.linkInside) throw new InvalidZip(SYMLINK_OUTSIDE_ROOT);
    if (isDirectory(entry) || isSymlink(entry) || seen.content.sha1 === undefined) continue;
    files.push({
      name: entry.name,
      method: seen.method,
      dataOffset: seen.dataOffset,
      compressedSize: seen.compressedSize,
      sha1: seen.content.sha1,
      size: seen.content.size,
    });
  }
  return files;
}

async function storeResource(bucket: R2Bucket, file: CacheableFile, content: ReadableStream<Uint8Array>) {
  const fixed = new FixedLengthStream(file.size);
  await Promise.all([
    bucket.put(resourceKey(file.sha1), fixed.readable, { sha1: file.sha1 }),
    content.pipeTo(fixed.writable),
  ]);
}

/**
 * Copies the files out of the package stored at `key` into the cache and records them in D1 (`db`:
 * its own, as this runs after the response), in at most `subrequests` R2 and D1 calls; the files past
 * them are left out and counted in one log line. Never throws: the cache is an optimisation, and a
 * file that could not be cached (R2 refusing concurrent writes of one key, say) is uploaded again next time.
 */
export async function fillResourceCache(
  bucket: R2Bucket,
  db: Db,
  key: string,
  files: readonly CacheableFile[],
  subrequests: number,
  requestId: string,
): Promise<void> {
  const cached: { sha1: string; size: number }[] = [];
  // One call is kept for recording the rows.
  let left = subrequests - 1;
  let skipped = 0;
  for (const file of files) {
    if (cached.some((resource) => resource.sha1 === file.sha1)) continue;
    if (left < 1) {
      skipped++;
      continue;
    }
    try {
      left--;
      if (!(await bucket.head(resourceKey(file.sha1)))) {
        if (left < 2) {
          skipped++;
          continue;
        }
        left -= 2;
        const content = await openEntry(bucket, key, file);
        // The package is gone already (deleted, or expired by a newer one): nothing left to copy.
        if (!content) break;
        await storeResource(bucket, file, content);
      }
      cached.push({ sha1: file.sha1, size: file.size });
    } catch (err) {
      logError("resource not cached", err, { requestId, key, sha1: file.sha1, file: file.name });
    }
  }
  if (skipped) {
    const used = subrequests - left;
    logInfo("resource cache fill over budget", {
      requestId,
      key,
      cached: cached.length,
      skipped,
      subrequests: used,
    });
  }
  try {
    await recordCachedResources(db, cached);
  } catch (err) {
    logError("cached resources not recorded", err, { requestId, key, cached: cached.length });
  }
}

/**
 * Removes the cache entries unused for `maxAgeDays`, then the least recently used beyond `maxSize`
 * bytes (the cron runs this): their rows go in the batch that queues their R2 objects for deletion,
 * so a match never names a file that is gone, and the queue retries what R2 refuses.
 */
export async function pruneResourceCache(
  bucket: R2Bucket,
  db: Db,
  maxAgeDays: number,
  maxSize: number,
): Promise<number> {
  const pruned = await pruneCachedResources(db, maxAgeDays * 86_400, maxSize, resourceKey(""));
  await deleteBlobs(bucket, db, pruned.map(resourceKey));
  return pruned.length;
}
