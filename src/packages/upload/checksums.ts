// Checksums computed while bytes stream past, never over a buffered whole: CF's sha1 and sha256 of a
// package (crypto.DigestStream hashes without keeping the data), zip's CRC-32 of each entry, and what
// the resource cache keys and checks a zip entry's content by.
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
  sha1: string;
  crc32: number;
  size: number;
}

/** sha1, CRC-32 and size of an entry's content, fed its stored (possibly deflated) bytes. */
export class ContentDigest {
  private readonly sha1 = new crypto.DigestStream("SHA-1");
  private readonly hashed = this.sha1.getWriter();
  private readonly crc = new Crc32();
  private size = 0;
  private readonly inflate:
    | { input: WritableStreamDefaultWriter<Uint8Array>; drained: Promise<void> }
    | undefined;
  private failed = false;

  constructor(deflated: boolean) {
    if (!deflated) return;
    const inflate = new DecompressionStream("deflate-raw");
    const drained = this.drain(inflate.readable);
    // Seen in finish(); until then a failure must not count as unhandled.
    drained.catch(() => undefined);
    this.inflate = { input: inflate.writable.getWriter(), drained };
  }

  private async drain(content: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of content) await this.hash(chunk);
  }

  private async hash(chunk: Uint8Array): Promise<void> {
    this.crc.update(chunk);
    this.size += chunk.length;
    await this.hashed.write(chunk);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.failed) return;
    try {
      await (this.inflate ? this.inflate.input.write(chunk) : this.hash(chunk));
    } catch {
      this.failed = true;
    }
  }

  async finish(): Promise<EntryContent | undefined> {
    try {
      if (this.inflate && !this.failed) {
        await this.inflate.input.close();
        await this.inflate.drained;
      }
    } catch {
      this.failed = true;
    }
    await this.hashed.close();
    if (this.failed) return undefined;
    return { sha1: hex(await this.sha1.digest), crc32: this.crc.value, size: this.size };
  }
}
