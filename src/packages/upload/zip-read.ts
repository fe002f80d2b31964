// Reads a stored zip's structure from R2 without downloading it: the end-of-central-directory record
// (and its zip64 twin, which Go's archive/zip, so the cf CLI, writes from 65,535 entries) from a ranged
// read of the tail, then the central directory itself, walked record by record to its end: the end
// record's 16-bit count wraps, so it is not trusted. Entries that would unpack outside the package's
// root are rejected, as Cloud Controller rejects them.
import { crc32 } from "node:zlib";
import { CfError } from "../../http/errors";

/** A zip that cannot become a package; the message is the detail of CF-AppBitsUploadInvalid. */
export class InvalidZip extends Error {
  override readonly name = "InvalidZip";
}

const invalidZip = (reason: string) => new InvalidZip(`Invalid zip archive (${reason}).`);
const OUTSIDE_ROOT = "Relative path(s) outside of root folder";

/** More entries than a package may have (a limit of ours: CC has none, its unzip takes any count). */
export const tooManyEntries = (max: number) =>
  new CfError("AppPackageInvalid", `Package may not contain more than ${max} files`);

export interface ZipEntry {
  name: string;
  /** CRC-32 of the name's bytes, to compare with the local header's name without keeping it. */
  nameCrc: number;
  flags: number;
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
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const EOCD_SIZE = 22;
const ZIP64_EOCD_SIZE = 56;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EXTRA = 0x0001;
const MAX_COMMENT = 0xffff;
const MAX_DIRECTORY_BYTES = 32 * 1024 * 1024;
const U32_MAX = 0xffffffff;
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

/** Whether a symlink entry named `name` pointing at `target` resolves inside the root, as CC resolved it. */
export function linkStaysInside(name: string, target: string): boolean {
  if (/^([/\\]|[A-Za-z]:)/.test(target)) return false;
  const parent = name.replace(/[^/\\]*$/, "");
  return isSafePath(`${parent}${target}`);
}

/** The 64-bit little-endian integer at `at` (exact up to 2^53, far above any size allowed here). */
const u64 = (view: DataView, at: number) =>
  view.getUint32(at, true) + view.getUint32(at + 4, true) * 0x1_0000_0000;

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

interface DirectoryLocation {
  /** Entries the end record counts: all of them for zip64, modulo 65,536 for zip32. */
  count: number;
  size: number;
  offset: number;
  /** Where the end records start: the directory must end before. */
  end: number;
  zip64: boolean;
}

/** Where the directory is, from the end record, or from the zip64 end record when the zip has one. */
function locateDirectory(tail: Uint8Array, tailStart: number): DirectoryLocation {
  const end = findEndRecord(tail);
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const disks = [view.getUint16(end + 4, true), view.getUint16(end + 6, true)];
  let location: DirectoryLocation = {
    count: view.getUint16(end + 10, true),
    size: view.getUint32(end + 12, true),
    offset: view.getUint32(end + 16, true),
    end: tailStart + end,
    zip64: false,
  };
  const locator = end - ZIP64_LOCATOR_SIZE;
  if (locator >= 0 && view.getUint32(locator, true) === ZIP64_LOCATOR_SIGNATURE) {
    const at = u64(view, locator + 8) - tailStart;
    if (at < 0 || at + ZIP64_EOCD_SIZE > locator || view.getUint32(at, true) !== ZIP64_EOCD_SIGNATURE) {
      throw invalidZip("zip64 end-of-central-directory record not found");
    }
    disks.push(
      view.getUint32(locator + 4, true),
      view.getUint32(at + 16, true),
      view.getUint32(at + 20, true),
    );
    if (u64(view, at + 24) !== u64(view, at + 32)) disks.push(1);
    location = {
      count: u64(view, at + 32),
      size: u64(view, at + 40),
      offset: u64(view, at + 48),
      end: tailStart + at,
      zip64: true,
    };
  } else if (view.getUint16(end + 8, true) !== location.count) {
    disks.push(1);
  }
  if (disks.some((disk) => disk !== 0)) throw invalidZip("multi-disk archives are not supported");
  return location;
}

/** The central directory of the zip stored at `key` (`size` bytes long). */
export async function readCentralDirectory(
  bucket: R2Bucket,
  key: string,
  size: number,
  maxEntries: number,
): Promise<CentralDirectory> {
  if (size < EOCD_SIZE) throw invalidZip("end-of-central-directory signature not found");
  const tailStart = Math.max(0, size - EOCD_SIZE - MAX_COMMENT - ZIP64_LOCATOR_SIZE - ZIP64_EOCD_SIZE);
  const tail = await readRange(bucket, key, { offset: tailStart });
  const location = locateDirectory(tail, tailStart);
  const { offset, size: directorySize } = location;
  if (offset + directorySize > location.end) throw invalidZip("central directory out of bounds");
  if (directorySize > MAX_DIRECTORY_BYTES) throw invalidZip("central directory too large");
  const directory =
    offset >= tailStart
      ? tail.subarray(offset - tailStart, offset - tailStart + directorySize)
      : await readRange(bucket, key, { offset, length: directorySize });
  const entries = parseEntries(directory, offset, maxEntries);
  const counted = location.zip64 ? entries.length : entries.length % 0x10000;
  if (counted !== location.count) throw invalidZip("central directory is corrupt");
  if (entries.length === 0) throw invalidZip("zipfile is empty");
  return { entries, offset };
}

/** Sizes and offset of a central record, from its zip64 extra field where the record saturates them. */
function zip64Fields(view: DataView, extraStart: number, extraEnd: number, fields: number[]): number[] {
  const saturated = fields.map((value) => value === U32_MAX);
  if (!saturated.some(Boolean)) return fields;
  for (let at = extraStart; at + 4 <= extraEnd; ) {
    const id = view.getUint16(at, true);
    const length = view.getUint16(at + 2, true);
    if (id === ZIP64_EXTRA) {
      let field = at + 4;
      return fields.map((value, i) => {
        if (!saturated[i]) return value;
        if (field + 8 > at + 4 + length) throw invalidZip("zip64 extra field is corrupt");
        const wide = u64(view, field);
        field += 8;
        return wide;
      });
    }
    at += 4 + length;
  }
  throw invalidZip("zip64 extra field is missing");
}

/** The package's entries past `maxEntries` are refused as they are found, whatever the zip claims. */
function parseEntries(directory: Uint8Array, directoryOffset: number, maxEntries: number): ZipEntry[] {
  const view = new DataView(directory.buffer, directory.byteOffset, directory.byteLength);
  const decoder = new TextDecoder();
  const entries: ZipEntry[] = [];
  for (let at = 0; at < directory.length; ) {
    // A directory of forged records (no data behind them) would otherwise cost an object each.
    if (entries.length === maxEntries) throw tooManyEntries(maxEntries);
    if (at + 46 > directory.length || view.getUint32(at, true) !== CENTRAL_SIGNATURE) {
      throw invalidZip("central directory is corrupt");
    }
    const nameLength = view.getUint16(at + 28, true);
    const extraStart = at + 46 + nameLength;
    const extraEnd = extraStart + view.getUint16(at + 30, true);
    const recordLength = extraEnd - at + view.getUint16(at + 32, true);
    if (at + recordLength > directory.length) throw invalidZip("central directory is corrupt");
    const name = directory.subarray(at + 46, extraStart);
    const [uncompressedSize, compressedSize, localHeaderOffset] = zip64Fields(view, extraStart, extraEnd, [
      view.getUint32(at + 24, true),
      view.getUint32(at + 20, true),
      view.getUint32(at + 42, true),
    ]) as [number, number, number];
    const madeOnUnix = view.getUint8(at + 5) === 3;
    const entry: ZipEntry = {
      name: decoder.decode(name),
      nameCrc: crc32(name),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc32: view.getUint32(at + 16, true),
      compressedSize,
      uncompressedSize,
      localHeaderOffset,
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
