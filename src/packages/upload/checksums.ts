// Checksums computed while bytes stream past, never over a buffered whole: CF's sha1 and sha256 of a
// package (crypto.DigestStream hashes without keeping the data), zip's CRC-32 of each entry, and what
// the resource cache keys and checks a zip entry's content by.
import { createHash, type Hash } from "node:crypto";
import { crc32 } from "node:zlib";

export const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((byte) => byte.toString(16).padStart(2, "0")).join("");

export interface Digests {
  sha1: string;
  sha256: string;
}

/** sha1 and sha256 of everything written, in one pass. */
export class DigestPair {
  private readonly sha1 = new crypto.DigestStream("SHA-1");
  private readonly sha256 = new crypto.DigestStream("SHA-256");
  private readonly writers = [this.sha1.getWriter(), this.sha256.getWriter()];

  async update(chunk: Uint8Array): Promise<void> {
    await Promise.all(this.writers.map((writer) => writer.write(chunk)));
  }

  async finish(): Promise<Digests> {
    await Promise.all(this.writers.map((writer) => writer.close()));
    return { sha1: hex(await this.sha1.digest), sha256: hex(await this.sha256.digest) };
  }
}

/** Zip's CRC-32, fed chunk by chunk (node:zlib's, native: a JavaScript table loop costs ~15× more). */
export class Crc32 {
  value = 0;

  update(chunk: Uint8Array): void {
    this.value = crc32(chunk, this.value);
  }
}

export interface EntryContent {
  crc32: number;
  size: number;
  /** sha1 of the content, when it was asked for and the content stayed within the size it was asked for. */
  sha1: string | undefined;
}

// The longest symlink target kept (Linux PATH_MAX): a longer entry cannot be a link that resolves.
export const LINK_MAX = 4096;

/**
 * CRC-32, size and (optionally) sha1 of an entry's content, fed synchronously as it is inflated; holds
 * nothing of the content but its first LINK_MAX bytes, in `head` (the caller's, reused entry after entry).
 */
export class ContentDigest {
  private crc = 0;
  private size = 0;
  private sha1: Hash | undefined;

  /** sha1 is computed while the content stays within `sha1MaxSize` bytes (none when undefined). */
  constructor(
    private readonly sha1MaxSize: number | undefined,
    private readonly head: Uint8Array,
  ) {
    if (sha1MaxSize !== undefined) this.sha1 = createHash("sha1");
  }

  update(chunk: Uint8Array): void {
    if (this.size < LINK_MAX) this.head.set(chunk.subarray(0, LINK_MAX - this.size), this.size);
    this.crc = crc32(chunk, this.crc);
    this.size += chunk.length;
    if (this.sha1 && this.size > this.sha1MaxSize!) this.sha1 = undefined;
    this.sha1?.update(chunk);
  }

  finish(): EntryContent {
    return { crc32: this.crc, size: this.size, sha1: this.sha1?.digest("hex") };
  }

  /** The content's first bytes (all of it when it is no longer than LINK_MAX), valid until `head` is reused. */
  first(): Uint8Array {
    return this.head.subarray(0, Math.min(this.size, LINK_MAX));
  }
}
