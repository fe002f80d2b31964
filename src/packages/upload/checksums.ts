// Checksums computed while bytes stream past, never over a buffered whole: CF's sha1 and sha256 of a
// package (crypto.DigestStream hashes without keeping the data) and zip's CRC-32 of each entry.
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
