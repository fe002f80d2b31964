// The node:zlib and node:crypto parts the upload uses (workerd implements them under nodejs_compat);
// the project does not load Node's type definitions, which describe a different runtime.
declare module "node:zlib" {
  /** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it). */
  export function crc32(data: Uint8Array, value?: number): number;

  /**
   * A raw-deflate inflater, driven as node:zlib's own synchronous path drives it (processChunkSync, in
   * Node and in workerd): `_handle.writeSync` inflates into a buffer the caller gives, and leaves in
   * `_writeState` what stayed free of that buffer and of the input. Its public stream API puts every
   * 16 KiB of output in a new Buffer instead. A zlib error destroys the inflater during the call, which
   * drops `_handle`.
   */
  export interface InflateRaw {
    _handle: {
      writeSync(
        flush: number,
        input: Uint8Array,
        inputOffset: number,
        inputLength: number,
        output: Uint8Array,
        outputOffset: number,
        outputLength: number,
      ): void;
    } | null;
    /** [output bytes left free, input bytes left unread] after the last writeSync. */
    _writeState: Uint32Array;
    on(event: "error", listener: (error: Error) => void): this;
    /** Ready for a new deflate stream. */
    reset(): void;
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
