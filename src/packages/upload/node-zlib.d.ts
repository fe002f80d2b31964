// The one node:zlib function the upload uses (workerd implements it under nodejs_compat); the project
// does not load Node's type definitions, which describe a different runtime.
declare module "node:zlib" {
  /** CRC-32 of `data`, continuing from `value` (the CRC of the bytes before it). */
  export function crc32(data: Uint8Array, value?: number): number;
}
