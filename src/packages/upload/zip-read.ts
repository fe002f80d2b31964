// Reads a stored zip's structure from R2 without downloading it: the end-of-central-directory record
// from a ranged read of the tail, then the central directory itself. Entries that would unpack outside
// the package's root are rejected, as Cloud Controller rejects them.

/** A zip that cannot become a package; the message is the detail of CF-AppBitsUploadInvalid. */
export class InvalidZip extends Error {
  override readonly name = "InvalidZip";
}

const invalidZip = (reason: string) => new InvalidZip(`Invalid zip archive (${reason}).`);
const OUTSIDE_ROOT = "Relative path(s) outside of root folder";

export interface ZipEntry {
  name: string;
  method: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  /** Unix mode bits when the entry was made on Unix (upper half of the external attributes). */
  unixMode: number | undefined;
  /** The entry's central directory record as stored, so a rebuilt directory can carry it unchanged. */
  record: Uint8Array;
}

export interface CentralDirectory {
  entries: ZipEntry[];
  /** Where the central directory starts: everything before it is entry data. */
  offset: number;
}

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const MAX_DIRECTORY_BYTES = 32 * 1024 * 1024;
const S_IFMT = 0o170000;
export const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** False for paths that leave the root (absolute, a drive, or more `..` than directories above them). */
export function isSafePath(path: string): boolean {
  if (!path || path.includes("\0") || /^([/\\]|[A-Za-z]:)/.test(path)) return false;
  let depth = 0;
  for (const segment of path.split(/[/\\]/)) {
    if (segment === "..") depth--;
    else if (segment !== "" && segment !== ".") depth++;
    if (depth < 0) return false;
  }
  return true;
}

export const isDirectory = (entry: ZipEntry) =>
  entry.name.endsWith("/") || (entry.unixMode !== undefined && (entry.unixMode & S_IFMT) === S_IFDIR);
export const isSymlink = (entry: ZipEntry) =>
  entry.unixMode !== undefined && (entry.unixMode & S_IFMT) === S_IFLNK;

async function readRange(bucket: R2Bucket, key: string, range: R2Range): Promise<Uint8Array> {
  const object = await bucket.get(key, { range });
  if (!object) throw new Error(`blob ${key} is missing`);
  return new Uint8Array(await object.arrayBuffer());
}

function findEndRecord(tail: Uint8Array): number {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  for (let at = tail.length - EOCD_SIZE; at >= 0; at--) {
    // The record sits right before its comment, which runs to the end of the file.
    if (
      view.getUint32(at, true) === EOCD_SIGNATURE &&
      at + EOCD_SIZE + view.getUint16(at + 20, true) === tail.length
    ) {
      return at;
    }
  }
  throw invalidZip("end-of-central-directory signature not found");
}

/** The central directory of the zip stored at `key` (`size` bytes long). */
export async function readCentralDirectory(
  bucket: R2Bucket,
  key: string,
  size: number,
): Promise<CentralDirectory> {
  if (size < EOCD_SIZE) throw invalidZip("end-of-central-directory signature not found");
  const tailStart = Math.max(0, size - EOCD_SIZE - MAX_COMMENT);
  const tail = await readRange(bucket, key, { offset: tailStart });
  const end = findEndRecord(tail);
  const view = new DataView(tail.buffer, tail.byteOffset + end, EOCD_SIZE);
  const count = view.getUint16(10, true);
  const directorySize = view.getUint32(12, true);
  const offset = view.getUint32(16, true);
  if (count === 0xffff || directorySize === 0xffffffff || offset === 0xffffffff) {
    throw invalidZip("zip64 archives are not supported");
  }
  if (view.getUint16(4, true) !== 0 || view.getUint16(6, true) !== 0 || view.getUint16(8, true) !== count) {
    throw invalidZip("multi-disk archives are not supported");
  }
  if (count === 0) throw invalidZip("zipfile is empty");
  if (offset + directorySize > tailStart + end) throw invalidZip("central directory out of bounds");
  if (directorySize > MAX_DIRECTORY_BYTES) throw invalidZip("central directory too large");
  const directory =
    offset >= tailStart
      ? tail.subarray(offset - tailStart, offset - tailStart + directorySize)
      : await readRange(bucket, key, { offset, length: directorySize });
  return { entries: parseEntries(directory, count, offset), offset };
}

function parseEntries(directory: Uint8Array, count: number, directoryOffset: number): ZipEntry[] {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw invalidZip("central directory is corrupt");
    }
    const nameLength = view.getUint16(at + 28, true);
    const recordLength = 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    if (at + recordLength > directory.length) throw invalidZip("central directory is corrupt");
    const madeOnUnix = view.getUint8(at + 5) === 3;
    const entry: ZipEntry = {
      name: decoder.decode(directory.subarray(at + 46, at + 46 + nameLength)),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      uncompressedSize: view.getUint32(at + 24, true),
      localHeaderOffset: view.getUint32(at + 42, true),
      unixMode: madeOnUnix ? view.getUint32(at + 38, true) >>> 16 : undefined,
      record: directory.subarray(at, at + recordLength),
    };
    if (entry.localHeaderOffset + 30 + entry.compressedSize > directoryOffset) {
      throw invalidZip("entry data out of bounds");
    }
    if (!isSafePath(entry.name)) throw new InvalidZip(OUTSIDE_ROOT);
    entries.push(entry);
    at += recordLength;
  }
  return entries;
}

/** Stored and deflated entries can be read; anything else is refused as CC's unzip refuses it. */
export function assertReadable(entry: { method: number }): void {
  if (entry.method !== 0 && entry.method !== 8) {
    throw invalidZip(`unsupported compression method ${entry.method}`);
  }
}

/**
 * The uncompressed content of an entry whose data starts at `dataOffset` of the zip stored at `key`, as
 * a stream (one ranged read); null when the zip is no longer there.
 */
export async function openEntry(
  bucket: R2Bucket,
  key: string,
  entry: { method: number; compressedSize: number; dataOffset: number },
): Promise<ReadableStream<Uint8Array> | null> {
  assertReadable(entry);
  if (entry.compressedSize === 0) return new Blob([]).stream();
  const object = await bucket.get(key, { range: { offset: entry.dataOffset, length: entry.compressedSize } });
  if (!object) return null;
  return entry.method === 0 ? object.body : object.body.pipeThrough(new DecompressionStream("deflate-raw"));
}
