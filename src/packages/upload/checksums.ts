// Checksums computed while bytes stream past, never over a buffered whole: CF's sha1 and sha256 of a
// package (crypto.DigestStream hashes without keeping the data) and zip's CRC-32 of each entry.

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

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** Zip's CRC-32, fed chunk by chunk. */
export class Crc32 {
  private crc = 0xffffffff;

  update(chunk: Uint8Array): void {
    let crc = this.crc;
    for (let i = 0; i < chunk.length; i++) crc = CRC_TABLE[(crc ^ chunk[i]!) & 0xff]! ^ (crc >>> 8);
    this.crc = crc;
  }

  get value(): number {
    return (this.crc ^ 0xffffffff) >>> 0;
  }
}
