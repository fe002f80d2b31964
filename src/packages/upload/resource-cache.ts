// The resource cache: files of uploaded packages at or above resourceMinSize, kept in R2 by content
// (resources/<sha1>) so a later push can leave them out (POST /v3/resource_matches) and name them in
// its upload's `resources`. Entries are read from the stored package with ranged reads; R2 checks each
// put against the sha1 it is stored under. Symlinks and directories are never cached, as in CC.
import { Crc32, hex } from "./checksums";
import {
  type CentralDirectory,
  entryDataOffset,
  InvalidZip,
  isDirectory,
  isSymlink,
  openEntry,
  type ZipEntry,
} from "./zip-read";

export const resourceKey = (sha1: string) => `resources/${sha1}`;
export const SHA1 = /^[0-9a-f]{40}$/;

// Each cached file costs four R2 subrequests (header, hash read, content read, put); this keeps an
// upload well inside a Worker's subrequest limit. Files past it are simply not cached this time.
const MAX_CACHED_FILES_PER_UPLOAD = 200;

export interface CachedResource {
  sha1: string;
  size: number;
}

/** The entry's sha1, checking its CRC-32 and size against the central directory on the way. */
async function verifiedSha1(content: ReadableStream<Uint8Array>, entry: ZipEntry): Promise<string> {
  const digest = new crypto.DigestStream("SHA-1");
  const writer = digest.getWriter();
  const crc = new Crc32();
  let size = 0;
  try {
    for await (const chunk of content) {
      crc.update(chunk);
      size += chunk.length;
      await writer.write(chunk);
    }
  } catch {
    throw new InvalidZip(`Invalid zip archive (${entry.name}: corrupt data).`);
  }
  await writer.close();
  if (crc.value !== entry.crc32 || size !== entry.uncompressedSize) {
    throw new InvalidZip(`Invalid zip archive (${entry.name}: checksum mismatch).`);
  }
  return hex(await digest.digest);
}

async function storeResource(
  bucket: R2Bucket,
  sha1: string,
  size: number,
  content: ReadableStream<Uint8Array>,
) {
  const fixed = new FixedLengthStream(size);
  await Promise.all([
    bucket.put(resourceKey(sha1), fixed.readable, { sha1 }),
    content.pipeTo(fixed.writable),
  ]);
}

/** Caches the package's large files; returns what the cache now holds from it (for D1). */
export async function cacheUploadedFiles(
  bucket: R2Bucket,
  key: string,
  directory: CentralDirectory,
  minSize: number,
): Promise<CachedResource[]> {
  const candidates = directory.entries
    .filter((entry) => !isDirectory(entry) && !isSymlink(entry) && entry.uncompressedSize >= minSize)
    .slice(0, MAX_CACHED_FILES_PER_UPLOAD);
  const cached: CachedResource[] = [];
  for (const entry of candidates) {
    const dataOffset = await entryDataOffset(bucket, key, entry);
    const sha1 = await verifiedSha1(await openEntry(bucket, key, entry, dataOffset), entry);
    if (cached.some((resource) => resource.sha1 === sha1)) continue;
    try {
      await storeResource(
        bucket,
        sha1,
        entry.uncompressedSize,
        await openEntry(bucket, key, entry, dataOffset),
      );
      cached.push({ sha1, size: entry.uncompressedSize });
    } catch (err) {
      // The cache is an optimisation: a file that could not be cached (R2 refusing concurrent writes
      // of one key, say) is uploaded again next time.
      console.error(`resource ${sha1} (${entry.name}) not cached:`, err);
    }
  }
  return cached;
}
