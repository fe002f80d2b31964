// Zip records for appending entries to a package as it streams to R2: each entry is deflated on the way
// with its CRC-32 and sizes in a trailing data descriptor (as Go's archive/zip writes them), so nothing
// has to be known or buffered up front. Entries are marked as made on Unix so their modes survive.
import type { BlobWriter } from "./blob-writer";
import { Crc32 } from "./checksums";
import { S_IFREG } from "./zip-read";

const VERSION_NEEDED = 20;
const MADE_ON_UNIX = (3 << 8) | VERSION_NEEDED;
// Bit 3: sizes and CRC follow the data; bit 11: the name is UTF-8.
const FLAGS = 0x0008 | 0x0800;
const DEFLATE = 8;
const MAX_ZIP32 = 0xffffffff;

class Record {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  private at = 0;

  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }

  u16(value: number): this {
    this.view.setUint16(this.at, value, true);
    this.at += 2;
    return this;
  }

  u32(value: number): this {
    this.view.setUint32(this.at, value >>> 0, true);
    this.at += 4;
    return this;
  }

  u64(value: number): this {
    return this.u32(value % 0x1_0000_0000).u32(Math.floor(value / 0x1_0000_0000));
  }

  raw(bytes: Uint8Array): this {
    this.bytes.set(bytes, this.at);
    this.at += bytes.length;
    return this;
  }
}

/** MS-DOS time and date of a moment, as zip headers store them. */
function dosDateTime(date: Date): { time: number; date: number } {
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | (date.getUTCSeconds() >> 1),
    date: ((date.getUTCFullYear() - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

/**
 * Deflates `content` into the package as entry `name` with Unix `mode`; returns the entry's central
 * directory record.
 */
export async function writeEntry(
  writer: BlobWriter,
  name: string,
  mode: number,
  content: ReadableStream<Uint8Array>,
): Promise<Uint8Array> {
  const nameBytes = new TextEncoder().encode(name);
  const { time, date } = dosDateTime(new Date());
  const offset = writer.size;
  const header = new Record(30 + nameBytes.length)
    .u32(0x04034b50)
    .u16(VERSION_NEEDED)
    .u16(FLAGS)
    .u16(DEFLATE)
    .u16(time)
    .u16(date)
    .u32(0)
    .u32(0)
    .u32(0)
    .u16(nameBytes.length)
    .u16(0)
    .raw(nameBytes);
  await writer.write(header.bytes);

  const crc = new Crc32();
  let size = 0;
  const start = writer.size;
  const counted = content.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        crc.update(chunk);
        size += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  await writer.writeStream(counted.pipeThrough(new CompressionStream("deflate-raw")));
  const compressed = writer.size - start;
  if (size > MAX_ZIP32 || writer.size > MAX_ZIP32) throw new Error("package too large for a zip32 archive");
  await writer.write(new Record(16).u32(0x08074b50).u32(crc.value).u32(compressed).u32(size).bytes);

  return new Record(46 + nameBytes.length)
    .u32(0x02014b50)
    .u16(MADE_ON_UNIX)
    .u16(VERSION_NEEDED)
    .u16(FLAGS)
    .u16(DEFLATE)
    .u16(time)
    .u16(date)
    .u32(crc.value)
    .u32(compressed)
    .u32(size)
    .u16(nameBytes.length)
    .u16(0)
    .u16(0)
    .u16(0)
    .u16(0)
    .u32(((S_IFREG | mode) << 16) >>> 0)
    .u32(offset)
    .raw(nameBytes).bytes;
}

/**
 * Writes the central directory made of `records` and the end record that points at it, preceded by
 * zip64 end records when the count does not fit the end record (65,535 entries or more, as Go writes).
 */
export async function writeCentralDirectory(
  writer: BlobWriter,
  records: readonly Uint8Array[],
): Promise<void> {
  const offset = writer.size;
  for (const record of records) await writer.write(record);
  const size = writer.size - offset;
  let count = records.length;
  if (count >= 0xffff) {
    const zip64End = writer.size;
    await writer.write(
      new Record(56)
        .u32(0x06064b50)
        .u64(44)
        .u16(MADE_ON_UNIX)
        .u16(45)
        .u32(0)
        .u32(0)
        .u64(count)
        .u64(count)
        .u64(size)
        .u64(offset).bytes,
    );
    await writer.write(new Record(20).u32(0x07064b50).u32(0).u64(zip64End).u32(1).bytes);
    count = 0xffff;
  }
  await writer.write(
    new Record(22).u32(0x06054b50).u16(0).u16(0).u16(count).u16(count).u32(size).u32(offset).u16(0).bytes,
  );
}
