// The node:zlib and node:crypto parts the upload uses (workerd implements them under nodejs_compat);
// the project does not load Node's type definitions, which describe a different runtime.
declare module "node:zlib" {
  /** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it). */
  export function crc32(data: Uint8Array, value?: number): number;

  /** A raw-deflate inflater: output comes as "data" events of at most 16 KiB while a write runs. */
  export interface InflateRaw {
    on(event: "data", listener: (chunk: Uint8Array) => void): this;
    once(event: "error", listener: (error: Error) => void): this;
    off(event: "error", listener: (error: Error) => void): this;
    write(chunk: Uint8Array, callback: () => void): boolean;
    /** Ready for a new deflate stream. */
    reset(): void;
    destroy(): this;
  }
  export function createInflateRaw(): InflateRaw;
}

declare module "node:crypto" {
  export interface Hash {
    update(data: Uint8Array): Hash;
    digest(encoding: "hex"): string;
  }
  export function createHash(algorithm: "sha1"): Hash;
}
