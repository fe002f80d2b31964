// Follows a zip as it streams to R2, entry by entry from its local headers, and digests the content of
// the files the resource cache may take (sha1, CRC-32 and size; deflated entries inflated on the way),
// so caching them later needs no read back to learn their key or to check their data. An entry whose
// sizes follow its data (Go's archive/zip, so the cf CLI) ends at the data descriptor whose compressed
// size is the distance from the data's start. Nothing here fails an upload: the central directory,
// read once the zip is stored, has the last word (resource-cache.ts uses an entry only where it agrees).
import { ContentDigest, type EntryContent } from "./checksums";

const LOCAL_SIGNATURE = 0x04034b50;
const DESCRIPTOR_SIGNATURE = 0x08074b50;
const LOCAL_HEADER_SIZE = 30;
// Signature, CRC-32, compressed and uncompressed size (zip32: zip64 archives are refused anyway).
const DESCRIPTOR_SIZE = 16;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DESCRIPTOR = 0x0008;
const STORED = 0;
const DEFLATED = 8;
const SLASH = 0x2f;
// The most compressed bytes held while an entry's size is unknown (sizes in a descriptor): an entry that
// ends before this is digested only if its descriptor says it is large enough; a longer one at once.
const MAX_HELD_BYTES = 1024 * 1024;

export interface ScannedEntry {
  dataOffset: number;
  method: number;
  compressedSize: number;
  /** What the data gave, or undefined when it could not be read (deflate data that does not inflate). */
  content: EntryContent | undefined;
}

/** Bytes received but not yet consumed: the chunks as they came, read across their boundaries. */
class ByteQueue {
  private chunks: Uint8Array[] = [];
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

  clear(): void {
    this.chunks = [];
    this.length = 0;
  }

  /** Copies what is left into memory of its own: a chunk written is valid only until write() resolves. */
  own(): void {
    if (!this.length) return;
    const kept = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      kept.set(chunk, at);
      at += chunk.length;
    }
    this.chunks = [kept];
  }
}

interface OpenEntry {
  headerOffset: number;
  dataOffset: number;
  method: number;
  /** Compressed bytes still to come; undefined while they run to a data descriptor. */
  remaining: number | undefined;
  passed: number;
  /** Whether the content can be digested at all (a file, not encrypted, stored or deflated). */
  digestible: boolean;
  digest: ContentDigest | undefined;
  /** Compressed bytes kept while it is not known yet whether the entry is large enough to digest. */
  held: Uint8Array[];
}

export class ZipScanner {
  private readonly queue = new ByteQueue();
  /** Offset in the zip of the queue's first byte. */
  private offset = 0;
  private entry: OpenEntry | undefined;
  /** Set at the first bytes that are not a local header: the central directory, or not a zip. */
  private ended = false;
  private digests = 0;
  private readonly seen = new Map<number, ScannedEntry>();

  /** Digests entries of at least `minSize` bytes, at most `maxDigests` of them. */
  constructor(
    private readonly minSize: number,
    private readonly maxDigests: number,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    if (this.ended) return;
    this.queue.push(chunk);
    while (!this.ended && (this.entry ? await this.readData(this.entry) : await this.readHeader()));
    this.queue.own();
  }

  /** The digested entries by the offset of their local header; an entry left open is dropped. */
  entries(): ReadonlyMap<number, ScannedEntry> {
    return this.seen;
  }

  /** Opens the entry whose local header starts the queue; false while more bytes are needed. */
  private async readHeader(): Promise<boolean> {
    const { queue } = this;
    if (queue.length < 4) return false;
    if (queue.u32(0) !== LOCAL_SIGNATURE) {
      this.ended = true;
      queue.clear();
      return false;
    }
    if (queue.length < LOCAL_HEADER_SIZE) return false;
    const nameLength = queue.u16(26);
    const headerSize = LOCAL_HEADER_SIZE + nameLength + queue.u16(28);
    if (queue.length < headerSize) return false;
    const flags = queue.u16(6);
    const method = queue.u16(8);
    const size = queue.u32(22);
    const isFile = nameLength > 0 && queue.byteAt(LOCAL_HEADER_SIZE + nameLength - 1) !== SLASH;
    const entry: OpenEntry = {
      headerOffset: this.offset,
      dataOffset: this.offset + headerSize,
      method,
      remaining: flags & FLAG_DESCRIPTOR ? undefined : queue.u32(18),
      passed: 0,
      digestible: isFile && !(flags & FLAG_ENCRYPTED) && (method === STORED || method === DEFLATED),
      digest: undefined,
      held: [],
    };
    this.consume(headerSize);
    this.entry = entry;
    if (entry.remaining !== undefined && size >= this.minSize) await this.startDigest(entry);
    return true;
  }

  /** Passes the open entry's data on; false while more bytes are needed. */
  private async readData(entry: OpenEntry): Promise<boolean> {
    if (entry.remaining !== undefined) {
      const count = Math.min(entry.remaining, this.queue.length);
      await this.pass(entry, count);
      entry.remaining -= count;
      if (entry.remaining > 0) return false;
      await this.closeEntry(entry);
      return true;
    }
    const at = this.findDescriptor(entry);
    if (at === -1) {
      // The last bytes may begin the descriptor: they wait for the next chunk.
      const count = this.queue.length - (DESCRIPTOR_SIZE - 1);
      if (count <= 0) return false;
      await this.pass(entry, count);
      return true;
    }
    await this.pass(entry, at);
    const size = this.queue.u32(12);
    this.consume(DESCRIPTOR_SIZE);
    if (!entry.digest && size >= this.minSize) await this.startDigest(entry);
    await this.closeEntry(entry);
    return true;
  }

  /** Where the open entry's data descriptor starts in the queue, or -1 when it is not there (yet). */
  private findDescriptor(entry: OpenEntry): number {
    const { queue } = this;
    const last = queue.length - DESCRIPTOR_SIZE;
    for (let at = queue.indexOf(0x50, 0); at !== -1 && at <= last; at = queue.indexOf(0x50, at + 1)) {
      if (queue.u32(at) === DESCRIPTOR_SIGNATURE && queue.u32(at + 8) === entry.passed + at) return at;
    }
    return -1;
  }

  private async pass(entry: OpenEntry, count: number): Promise<void> {
    if (count === 0) return;
    const chunks = this.consume(count);
    entry.passed += count;
    if (entry.digest) {
      for (const chunk of chunks) await entry.digest.write(chunk);
      return;
    }
    if (entry.remaining !== undefined || !entry.digestible) return;
    // Copies: the chunks are the writer's, valid only until write() resolves.
    entry.held.push(...chunks.map((chunk) => chunk.slice()));
    if (entry.passed >= Math.min(this.minSize, MAX_HELD_BYTES)) await this.startDigest(entry);
  }

  /** Digests the entry from here on, with what was held, if it can be digested and the budget allows. */
  private async startDigest(entry: OpenEntry): Promise<void> {
    const held = entry.held;
    entry.held = [];
    if (!entry.digestible || this.digests >= this.maxDigests) {
      entry.digestible = false;
      return;
    }
    this.digests++;
    entry.digest = new ContentDigest(entry.method === DEFLATED);
    for (const chunk of held) await entry.digest.write(chunk);
  }

  private async closeEntry(entry: OpenEntry): Promise<void> {
    this.entry = undefined;
    if (!entry.digest) return;
    this.seen.set(entry.headerOffset, {
      dataOffset: entry.dataOffset,
      method: entry.method,
      compressedSize: entry.passed,
      content: await entry.digest.finish(),
    });
  }

  private consume(count: number): Uint8Array[] {
    this.offset += count;
    return this.queue.take(count);
  }
}
