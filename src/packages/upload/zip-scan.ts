// Follows a zip as it streams to R2, entry by entry from its local headers, and reads the content of
// every entry on the way (deflated entries inflated by node:zlib into one reused 64 KiB buffer, so no
// entry's content is ever held): its CRC-32 and size, whether it would make a symlink that stays inside
// the root, and the sha1 of the files the resource cache may take, so caching them later needs no read
// back. Work is bounded whatever the zip claims: sizes in headers are never trusted, and the upload fails
// as soon as the content passes the package's unzipped maximum or the entries pass their maximum count. An entry whose sizes follow its data (Go's archive/zip, so the cf
// CLI) ends at the data descriptor whose compressed size is the distance from the data's start. The
// central directory, read once the zip is stored, is then checked entry by entry against what was read
// here (resource-cache.ts).
//
// Chunks given to write() are valid only until its promise resolves: bytes kept across writes are copied.
import { crc32, createInflateRaw, type InflateRaw } from "node:zlib";
import { CfError } from "../../http/errors";
import { ContentDigest, type EntryContent, LINK_MAX } from "./checksums";
import { linkStaysInside, tooManyEntries } from "./zip-read";

const LOCAL_SIGNATURE = 0x04034b50;
const DESCRIPTOR_SIGNATURE = 0x08074b50;
const LOCAL_HEADER_SIZE = 30;
// Signature, CRC-32, compressed and uncompressed size: 4-byte sizes, or 8-byte ones after a zip64 header.
const DESCRIPTOR_SIZE = 16;
const ZIP64_DESCRIPTOR_SIZE = 24;
const ZIP64_EXTRA = 0x0001;
const U32_MAX = 0xffffffff;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const DEFLATED = 8;
const SLASH = 0x2f;
// The buffer every deflated entry is inflated into, piece by piece.
const INFLATE_OUTPUT = 64 * 1024;
const Z_NO_FLUSH = 0;
// Inflated bytes between two yields to the event loop, so other requests run while a large zip is read.
const YIELD_EVERY = 8 * 1024 * 1024;

export interface ScanLimits {
  /** The most content the entries may hold together (a zip bomb's claim is never trusted). */
  maxUnzippedSize: number;
  maxEntries: number;
  /** Files of [minCachedSize, maxCachedSize] bytes are digested for the resource cache, maxDigests of them. */
  minCachedSize: number;
  maxCachedSize: number;
  maxDigests: number;
}

export interface ScannedContent extends EntryContent {
  /** Whether the content, read as a symlink's target, points inside the root. */
  linkInside: boolean;
}

export interface ScannedEntry {
  dataOffset: number;
  method: number;
  compressedSize: number;
  /** CRC-32 of the local header's name. */
  nameCrc: number;
  /** What the data gave, or undefined when it could not be read (not stored or deflated, or corrupt). */
  content: ScannedContent | undefined;
}

/** The entries read, by the offset of their local header. */
export type ScannedZip = ReadonlyMap<number, ScannedEntry>;

export const packageTooLarge = (max: number) =>
  new CfError("AppPackageInvalid", `Package may not be larger than ${max} bytes`);
const decoder = new TextDecoder();
const yieldToEventLoop = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Bytes received but not yet consumed: the chunks as they came, read across their boundaries. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** The queue's own memory, where detach() keeps bytes across writes. */
  private memory = new Uint8Array(0);
  length = 0;

  push(chunk: Uint8Array): void {
    if (!chunk.length) return;
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  byteAt(index: number): number {
    for (const chunk of this.chunks) {
      if (index < chunk.length) return chunk[index]!;
      index -= chunk.length;
    }
    return -1;
  }

  u16(index: number): number {
    return this.byteAt(index) | (this.byteAt(index + 1) << 8);
  }

  u32(index: number): number {
    return (this.u16(index) | (this.u16(index + 2) << 16)) >>> 0;
  }

  u64(index: number): number {
    return this.u32(index) + this.u32(index + 4) * 0x1_0000_0000;
  }

  /** The first index at or after `from` holding `byte`, or -1. */
  indexOf(byte: number, from: number): number {
    let base = 0;
    for (const chunk of this.chunks) {
      if (from < base + chunk.length) {
        const at = chunk.indexOf(byte, Math.max(0, from - base));
        if (at !== -1) return base + at;
      }
      base += chunk.length;
    }
    return -1;
  }

  /** A copy of `count` bytes from `from`. */
  copy(from: number, count: number): Uint8Array {
    const out = new Uint8Array(count);
    for (let i = 0; i < count; i++) out[i] = this.byteAt(from + i);
    return out;
  }

  /** Removes the first `count` bytes; returns them as views of the chunks they were in. */
  take(count: number): Uint8Array[] {
    const taken: Uint8Array[] = [];
    this.length -= count;
    while (count > 0) {
      const chunk = this.chunks[0]!;
      if (chunk.length <= count) {
        taken.push(chunk);
        this.chunks.shift();
        count -= chunk.length;
      } else {
        taken.push(chunk.subarray(0, count));
        this.chunks[0] = chunk.subarray(count);
        count = 0;
      }
    }
    return taken;
  }

  /**
   * Copies what is left into memory of its own: a chunk written is valid only until write() resolves.
   * Only the bytes that came since are copied, appended to what was kept (which is moved to the front of
   * its memory, grown by doubling): a local header of 128 KiB arriving a byte at a time is copied about
   * twice over, where copying all of it at every write cost seconds of CPU.
   */
  detach(): void {
    if (!this.length) return;
    const [first] = this.chunks;
    const kept = first!.buffer === this.memory.buffer ? first! : undefined;
    if (kept && this.chunks.length === 1) return;
    const memory =
      this.length <= this.memory.length
        ? this.memory
        : new Uint8Array(Math.max(this.length, 2 * this.memory.length));
    let at = 0;
    for (const chunk of this.chunks) {
      if (chunk === kept && memory === this.memory)
        this.memory.copyWithin(0, kept.byteOffset, kept.byteOffset + kept.length);
      else memory.set(chunk, at);
      at += chunk.length;
    }
    this.memory = memory;
    this.chunks = [memory.subarray(0, this.length)];
  }

  clear(): void {
    this.chunks = [];
    this.length = 0;
  }
}

interface OpenEntry {
  headerOffset: number;
  dataOffset: number;
  method: number;
  name: string;
  nameCrc: number;
  /** Compressed bytes still to come; undefined while they run to a data descriptor. */
  remaining: number | undefined;
  descriptorSize: number;
  passed: number;
  /** The content read so far; undefined once it cannot be read. */
  digest: ContentDigest | undefined;
  /** Whether its sha1 is wanted: a file, not encrypted, whose size may fall in the cache's range. */
  cacheable: boolean;
}

export class ZipScanner {
  private readonly queue = new ByteQueue();
  /** Offset in the zip of the queue's first byte. */
  private offset = 0;
  private entry: OpenEntry | undefined;
  /** Set at the first bytes that are not a local header: the central directory, or not a zip. */
  private ended = false;
  private digests = 0;
  private unzippedSize = 0;
  private sinceYield = 0;
  private inflater: InflateRaw | undefined;
  private readonly output = new Uint8Array(INFLATE_OUTPUT);
  private readonly head = new Uint8Array(LINK_MAX);
  private readonly seen = new Map<number, ScannedEntry>();

  constructor(private readonly limits: ScanLimits) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.ended) return;
    this.queue.push(chunk);
    while (!this.ended && (this.entry ? await this.readData(this.entry) : this.readHeader()));
    this.queue.detach();
  }

  /** What was read; an entry left open is dropped. */
  scanned(): ScannedZip {
    return this.seen;
  }

  /** Opens the entry whose local header starts the queue; false while more bytes are needed. */
  private readHeader(): boolean {
    const { queue } = this;
    if (queue.length < 4) return false;
    if (queue.u32(0) !== LOCAL_SIGNATURE) {
      this.ended = true;
      queue.clear();
      return false;
    }
    if (queue.length < LOCAL_HEADER_SIZE) return false;
    const nameLength = queue.u16(26);
    const extraLength = queue.u16(28);
    const headerSize = LOCAL_HEADER_SIZE + nameLength + extraLength;
    if (queue.length < headerSize) return false;
    if (this.seen.size + 1 > this.limits.maxEntries) throw tooManyEntries(this.limits.maxEntries);
    const flags = queue.u16(6);
    const method = queue.u16(8);
    const name = queue.copy(LOCAL_HEADER_SIZE, nameLength);
    const sizes = this.localSizes(LOCAL_HEADER_SIZE + nameLength, extraLength);
    const isFile = nameLength > 0 && name[nameLength - 1] !== SLASH;
    const entry: OpenEntry = {
      headerOffset: this.offset,
      dataOffset: this.offset + headerSize,
      method,
      name: decoder.decode(name),
      nameCrc: crc32(name),
      remaining: flags & FLAG_DESCRIPTOR ? undefined : sizes.compressed,
      descriptorSize: sizes.zip64 ? ZIP64_DESCRIPTOR_SIZE : DESCRIPTOR_SIZE,
      passed: 0,
      digest: undefined,
      cacheable:
        isFile &&
        !(flags & FLAG_ENCRYPTED) &&
        ((flags & FLAG_DESCRIPTOR) !== 0 ||
          (sizes.uncompressed >= this.limits.minCachedSize &&
            sizes.uncompressed <= this.limits.maxCachedSize)),
    };
    if (!(flags & FLAG_ENCRYPTED) && (method === 0 || method === DEFLATED)) {
      const sha1MaxSize = entry.cacheable && this.digests < this.limits.maxDigests;
      entry.digest = new ContentDigest(sha1MaxSize ? this.limits.maxCachedSize : undefined, this.head);
      if (method === DEFLATED) this.inflaterReady();
    }
    this.consume(headerSize);
    this.entry = entry;
    return true;
  }

  /** The local header's sizes, from its zip64 extra field where it saturates them. */
  private localSizes(extraStart: number, extraLength: number) {
    const { queue } = this;
    const sizes = { compressed: queue.u32(18), uncompressed: queue.u32(22), zip64: false };
    for (let at = extraStart; at + 4 <= extraStart + extraLength; at += 4 + queue.u16(at + 2)) {
      if (queue.u16(at) !== ZIP64_EXTRA) continue;
      sizes.zip64 = true;
      let field = at + 4;
      if (sizes.uncompressed === U32_MAX) {
        sizes.uncompressed = queue.u64(field);
        field += 8;
      }
      if (sizes.compressed === U32_MAX) sizes.compressed = queue.u64(field);
    }
    return sizes;
  }

  /** Passes the open entry's data on; false while more bytes are needed. */
  private async readData(entry: OpenEntry): Promise<boolean> {
    if (entry.remaining !== undefined) {
      const count = Math.min(entry.remaining, this.queue.length);
      await this.pass(entry, count);
      entry.remaining -= count;
      if (entry.remaining > 0) return false;
      this.closeEntry(entry);
      return true;
    }
    const at = this.findDescriptor(entry);
    if (at === -1) {
      // The last bytes may begin the descriptor: they wait for the next chunk.
      const count = this.queue.length - (entry.descriptorSize - 1);
      if (count <= 0) return false;
      await this.pass(entry, count);
      return true;
    }
    await this.pass(entry, at);
    this.consume(entry.descriptorSize);
    this.closeEntry(entry);
    return true;
  }

  /** Where the open entry's data descriptor starts in the queue, or -1 when it is not there (yet). */
  private findDescriptor(entry: OpenEntry): number {
    const { queue } = this;
    const last = queue.length - entry.descriptorSize;
    const compressedSize = (at: number) =>
      entry.descriptorSize === DESCRIPTOR_SIZE ? queue.u32(at + 8) : queue.u64(at + 8);
    for (let at = queue.indexOf(0x50, 0); at !== -1 && at <= last; at = queue.indexOf(0x50, at + 1)) {
      if (queue.u32(at) === DESCRIPTOR_SIGNATURE && compressedSize(at) === entry.passed + at) return at;
    }
    return -1;
  }

  private async pass(entry: OpenEntry, count: number): Promise<void> {
    if (count === 0) return;
    const chunks = this.consume(count);
    entry.passed += count;
    if (!entry.digest) return;
    for (const chunk of chunks) {
      if (entry.method === DEFLATED) await this.inflate(entry, chunk);
      else await this.content(entry, chunk);
      if (!entry.digest) return;
    }
  }

  /** Takes a piece of the open entry's content; past the package's maximum, stops all reading. */
  private async content(entry: OpenEntry, chunk: Uint8Array): Promise<void> {
    this.unzippedSize += chunk.length;
    if (this.unzippedSize > this.limits.maxUnzippedSize) throw packageTooLarge(this.limits.maxUnzippedSize);
    entry.digest?.update(chunk);
    this.sinceYield += chunk.length;
    if (this.sinceYield >= YIELD_EVERY) {
      this.sinceYield = 0;
      await yieldToEventLoop();
    }
  }

  /** One inflater for the whole zip, reset for each entry (a new one per entry costs ~10× more). */
  private inflaterReady(): void {
    if (this.inflater) {
      this.inflater.reset();
      return;
    }
    const inflater = createInflateRaw();
    // A zlib error shows at once as the engine losing its handle; the event that follows adds nothing.
    inflater.on("error", () => {});
    this.inflater = inflater;
  }

  /**
   * Inflates the entry's next compressed bytes into the one output buffer, each fill taken before the
   * next is made (node:zlib's stream API would give each 16 KiB of output a new Buffer, memory V8 frees
   * only when it collects, and it collects late: a zip bomb grew workerd ~64 MiB that way against ~14 MiB
   * for a normal upload). Data that does not inflate leaves the entry unreadable.
   */
  private async inflate(entry: OpenEntry, input: Uint8Array): Promise<void> {
    const { output } = this;
    const inflater = this.inflater!;
    let at = 0;
    for (;;) {
      inflater._handle?.writeSync(Z_NO_FLUSH, input, at, input.length - at, output, 0, output.length);
      if (!inflater._handle) {
        entry.digest = undefined;
        this.inflater = undefined;
        return;
      }
      const [outputLeft = 0, inputLeft = 0] = inflater._writeState;
      await this.content(entry, output.subarray(0, output.length - outputLeft));
      // Output space left over: all the input is taken, or the deflate stream has ended.
      if (outputLeft > 0) return;
      at = input.length - inputLeft;
    }
  }

  private closeEntry(entry: OpenEntry): void {
    this.entry = undefined;
    let content: ScannedContent | undefined;
    if (entry.digest) {
      const read = entry.digest.finish();
      const first = entry.digest.first();
      const cached = read.sha1 !== undefined && read.size >= this.limits.minCachedSize;
      if (cached) this.digests++;
      content = {
        ...read,
        sha1: cached ? read.sha1 : undefined,
        linkInside: read.size <= LINK_MAX && linkStaysInside(entry.name, decoder.decode(first)),
      };
    }
    this.seen.set(entry.headerOffset, {
      dataOffset: entry.dataOffset,
      method: entry.method,
      compressedSize: entry.passed,
      nameCrc: entry.nameCrc,
      content,
    });
  }

  private consume(count: number): Uint8Array[] {
    this.offset += count;
    return this.queue.take(count);
  }
}
