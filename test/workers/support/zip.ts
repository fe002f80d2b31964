// Zips and multipart bodies built in the test, independently of the worker's own zip code, and a zip
// reader to check what the worker stored.

const encoder = new TextEncoder();
export const bytes = (data: string | Uint8Array) => (typeof data === "string" ? encoder.encode(data) : data);

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

async function transform(data: Uint8Array, stream: TransformStream<Uint8Array, Uint8Array>) {
  return new Uint8Array(await new Response(new Blob([data]).stream().pipeThrough(stream)).arrayBuffer());
}

export const deflate = (data: Uint8Array) => transform(data, new CompressionStream("deflate-raw"));
export const inflate = (data: Uint8Array) => transform(data, new DecompressionStream("deflate-raw"));

/** Incompressible bytes: crypto.getRandomValues fills at most 64 KiB a call. */
export function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(size, i + 65536)));
  return out;
}

export async function digest(algorithm: "SHA-1" | "SHA-256", data: Uint8Array): Promise<string> {
  const hash = await crypto.subtle.digest(algorithm, data);
  return [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export interface ZipFile {
  name: string;
  data: string | Uint8Array;
  mode?: number;
  deflate?: boolean;
  /** As Go's archive/zip (the cf CLI) writes entries: zero sizes and CRC up front, a data descriptor after. */
  descriptor?: boolean;
  /** The stored bytes, when they are not what `data` packs to (a corrupt entry); CRC and size stay data's. */
  packed?: Uint8Array;
  /** The CRC-32 the headers claim, when it is not data's (a corrupt entry). */
  crc?: number;
  /** The uncompressed size the headers claim, when it is not data's (a zip bomb lying about its size). */
  claimedSize?: number;
}

export interface ZipOptions {
  /** End with zip64 end records and a saturated end record, as Go's archive/zip does from 65,535 entries. */
  zip64?: boolean;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function record(fields: [number, 2 | 4][], name: Uint8Array): Uint8Array {
  const size = fields.reduce((n, [, width]) => n + width, 0);
  const out = new Uint8Array(size + name.length);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const [value, width] of fields) {
    if (width === 2) view.setUint16(at, value, true);
    else view.setUint32(at, value >>> 0, true);
    at += width;
  }
  out.set(name, at);
  return out;
}

/**
 * A zip made on Unix (so modes count), entries stored or deflated, sizes in local headers or descriptors.
 * The end record's 16-bit entry count wraps past 65,535 entries, as a zip32 writer's would.
 */
export async function buildZip(files: ZipFile[], options: ZipOptions = {}): Promise<Uint8Array> {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const file of files) {
    const name = encoder.encode(file.name);
    const data = bytes(file.data);
    const packed = file.packed ?? (file.deflate ? await deflate(data) : data);
    const method = file.deflate ? 8 : 0;
    const crc = file.crc ?? crc32(data);
    const size = file.claimedSize ?? data.length;
    const flags = file.descriptor ? 0x0008 : 0;
    const up = file.descriptor ? [0, 0, 0] : [crc, packed.length, size];
    const local = record(
      [
        [0x04034b50, 4],
        [20, 2],
        [flags, 2],
        [method, 2],
        [0, 2],
        [0x21, 2],
        [up[0]!, 4],
        [up[1]!, 4],
        [up[2]!, 4],
        [name.length, 2],
        [0, 2],
      ],
      name,
    );
    const trailer = file.descriptor
      ? record(
          [
            [0x08074b50, 4],
            [crc, 4],
            [packed.length, 4],
            [size, 4],
          ],
          new Uint8Array(0),
        )
      : new Uint8Array(0);
    const mode = file.mode ?? (file.name.endsWith("/") ? 0o40755 : 0o100644);
    centrals.push(
      record(
        [
          [0x02014b50, 4],
          [(3 << 8) | 20, 2],
          [20, 2],
          [flags, 2],
          [method, 2],
          [0, 2],
          [0x21, 2],
          [crc, 4],
          [packed.length, 4],
          [size, 4],
          [name.length, 2],
          [0, 2],
          [0, 2],
          [0, 2],
          [0, 2],
          [(mode << 16) >>> 0, 4],
          [offset, 4],
        ],
        name,
      ),
    );
    locals.push(local, packed, trailer);
    offset += local.length + packed.length + trailer.length;
  }
  const directory = concat(centrals);
  const zip64 = options.zip64 ? zip64Ends(files.length, directory.length, offset) : [];
  const saturated = (value: number, max: number) => (options.zip64 ? max : value);
  const end = record(
    [
      [0x06054b50, 4],
      [0, 2],
      [0, 2],
      [saturated(files.length, 0xffff), 2],
      [saturated(files.length, 0xffff), 2],
      [saturated(directory.length, 0xffffffff), 4],
      [saturated(offset, 0xffffffff), 4],
      [0, 2],
    ],
    new Uint8Array(0),
  );
  return concat([...locals, directory, ...zip64, end]);
}

/** The zip64 end record and its locator, for a directory of `size` bytes at `offset`. */
function zip64Ends(count: number, size: number, offset: number): Uint8Array[] {
  const u64 = (value: number): [number, 4][] => [
    [value, 4],
    [0, 4],
  ];
  const end = record(
    [
      [0x06064b50, 4],
      ...u64(44),
      [(3 << 8) | 45, 2],
      [45, 2],
      [0, 4],
      [0, 4],
      ...u64(count),
      ...u64(count),
      ...u64(size),
      ...u64(offset),
    ],
    new Uint8Array(0),
  );
  const locator = record([[0x07064b50, 4], [0, 4], ...u64(offset + size), [1, 4]], new Uint8Array(0));
  return [end, locator];
}

export interface ReadEntry {
  name: string;
  /** Full Unix mode (type and permission bits). */
  mode: number;
  data: Uint8Array;
}

/** Reads a zip through its central directory, checking each entry's CRC-32 and size. */
export async function readZip(zip: Uint8Array): Promise<ReadEntry[]> {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let end = zip.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error("no end of central directory");
  let count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  if (end >= 20 && view.getUint32(end - 20, true) === 0x07064b50) {
    const zip64End = view.getUint32(end - 12, true);
    count = view.getUint32(zip64End + 32, true);
    at = view.getUint32(zip64End + 48, true);
  }
  const entries: ReadEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`bad central record ${i}`);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const name = new TextDecoder().decode(zip.subarray(at + 46, at + 46 + nameLength));
    const local = view.getUint32(at + 42, true);
    if (view.getUint32(local, true) !== 0x04034b50) throw new Error(`bad local header for ${name}`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const packed = zip.subarray(start, start + compressed);
    const data = method === 8 ? await inflate(packed) : packed;
    if (data.length !== size || crc32(data) !== crc) throw new Error(`corrupt entry ${name}`);
    entries.push({ name, mode: view.getUint32(at + 38, true) >>> 16, data });
    at += 46 + nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return entries;
}

export interface FormField {
  name: string;
  data: string | Uint8Array;
  filename?: string;
}

export const BOUNDARY = "----cf-cli-boundary-7d8a9f";

/** A multipart/form-data body as the cf CLI lays it out (file parts as application/octet-stream). */
export function multipartBody(fields: FormField[], boundary = BOUNDARY): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const field of fields) {
    const disposition = `form-data; name="${field.name}"${field.filename ? `; filename="${field.filename}"` : ""}`;
    const type = field.filename ? "\r\nContent-Type: application/zip" : "";
    parts.push(
      bytes(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`),
      bytes(field.data),
      bytes("\r\n"),
    );
  }
  parts.push(bytes(`--${boundary}--\r\n`));
  return concat(parts);
}
