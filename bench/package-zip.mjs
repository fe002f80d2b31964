// @ts-check
// The upload body: a valid zip of incompressible files (stored, not deflated, so the zip is as large as
// its content), wrapped in the multipart form the cf CLI sends (`resources`, then `bits`).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { crc32, createDeflateRaw } from "node:zlib";

const MODE = 0o100644;
const DOS_TIME = 0;
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;

/**
 * @param {number} size
 * @param {(view: DataView) => void} fill
 */
function record(size, fill) {
  const bytes = Buffer.alloc(size);
  fill(new DataView(bytes.buffer, bytes.byteOffset, size));
  return bytes;
}

/**
 * What an app looks like to the upload: half its bytes in a few large files (jars, binaries: above the
 * resource cache's minimum size), half in many small ones (sources, assets).
 * @param {number} totalBytes
 */
export function packageFiles(totalBytes) {
  const large = 1024 * 1024;
  const small = 16 * 1024;
  const largeCount = Math.floor(totalBytes / 2 / large);
  const smallCount = Math.ceil((totalBytes - largeCount * large) / small);
  return [...Array(largeCount).fill(large), ...Array(smallCount).fill(small)];
}

/** The name of the `i`th file of a package: every name has the same length (below 10,000 files). */
const entryName = (/** @type {number} */ i, /** @type {number} */ size) =>
  Buffer.from(`app/${size >= 1024 * 1024 ? "lib" : "src"}/file-${String(i).padStart(4, "0")}.bin`);

/**
 * The size of the stored zip of files of these sizes: each has a local header and a central directory
 * record (30 and 46 bytes, its name in both), then the end record (22 bytes).
 * @param {number[]} sizes
 */
function zipBytes(sizes) {
  return sizes.reduce((sum, size, i) => sum + size + 76 + 2 * entryName(i, size).length, 22);
}

/**
 * A stored zip of random files of the given sizes.
 * @param {number[]} sizes
 */
export function storedZip(sizes) {
  /** @type {Buffer[]} */
  const parts = [];
  /** @type {Buffer[]} */
  const central = [];
  let offset = 0;
  for (const [i, size] of sizes.entries()) {
    const name = entryName(i, size);
    const data = randomBytes(size);
    const crc = crc32(data);
    const local = record(30, (v) => {
      v.setUint32(0, 0x04034b50, true);
      v.setUint16(4, 20, true);
      v.setUint16(10, DOS_TIME, true);
      v.setUint16(12, DOS_DATE, true);
      v.setUint32(14, crc, true);
      v.setUint32(18, data.length, true);
      v.setUint32(22, data.length, true);
      v.setUint16(26, name.length, true);
    });
    const localOffset = offset;
    central.push(
      record(46, (v) => {
        v.setUint32(0, 0x02014b50, true);
        v.setUint16(4, (3 << 8) | 20, true);
        v.setUint16(6, 20, true);
        v.setUint16(12, DOS_TIME, true);
        v.setUint16(14, DOS_DATE, true);
        v.setUint32(16, crc, true);
        v.setUint32(20, data.length, true);
        v.setUint32(24, data.length, true);
        v.setUint16(28, name.length, true);
        v.setUint32(38, MODE * 0x10000, true);
        v.setUint32(42, localOffset, true);
      }),
      name,
    );
    parts.push(local, name, data);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(central);
  const entries = central.length / 2;
  const end = record(22, (v) => {
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, entries, true);
    v.setUint16(10, entries, true);
    v.setUint32(12, directory.length, true);
    v.setUint32(16, offset, true);
  });
  return Buffer.concat([...parts, directory, end]);
}

/**
 * Writes the zip, and the multipart upload form carrying it, to files: `totalBytes` of files, fewer when
 * the form would pass `maxFormBytes` (the largest upload the app accepts).
 * @param {number} totalBytes
 * @param {string} zipFile
 * @param {string} formFile
 * @param {number} [maxFormBytes]
 */
export function writeUploadFiles(totalBytes, zipFile, formFile, maxFormBytes = Number.POSITIVE_INFINITY) {
  const boundary = `bench-${randomBytes(12).toString("hex")}`;
  const head = (/** @type {string} */ disposition, /** @type {string} */ type) =>
    `--${boundary}\r\nContent-Disposition: form-data; ${disposition}\r\nContent-Type: ${type}\r\n\r\n`;
  const before = Buffer.from(
    `${head('name="resources"', "application/json")}[]\r\n${head('name="bits"; filename="package.zip"', "application/zip")}`,
  );
  const after = Buffer.from(`\r\n--${boundary}--\r\n`);
  let files = packageFiles(totalBytes);
  for (let content = totalBytes; ; files = packageFiles(content)) {
    const excess = before.length + zipBytes(files) + after.length - maxFormBytes;
    if (excess <= 0) break;
    content -= excess;
  }
  const zip = storedZip(files);
  const form = Buffer.concat([before, zip, after]);
  writeFileSync(zipFile, zip);
  writeFileSync(formFile, form);
  return {
    files: files.length,
    zipBytes: zip.length,
    formBytes: form.length,
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * A zip bomb beside the upload: `unzippedBytes` of zeros deflated (~1,000:1) into one entry with honest
 * sizes and CRC, in the same form as the upload, written to `formFile`.
 * @param {number} unzippedBytes
 * @param {string} formFile
 */
export async function writeBombForm(unzippedBytes, formFile) {
  const piece = Buffer.alloc(1024 * 1024);
  const deflater = createDeflateRaw({ level: 9 });
  /** @type {Buffer[]} */
  const packedParts = [];
  deflater.on("data", (/** @type {Buffer} */ chunk) => packedParts.push(chunk));
  const done = new Promise((resolve) => deflater.on("end", resolve));
  let crc = 0;
  for (let written = 0; written < unzippedBytes; written += piece.length) {
    crc = crc32(piece, crc);
    if (!deflater.write(piece)) await new Promise((resolve) => deflater.once("drain", resolve));
  }
  deflater.end();
  await done;
  const packed = Buffer.concat(packedParts);
  const name = Buffer.from("zeros.bin");
  const sizes = (/** @type {DataView} */ v, /** @type {number} */ at) => {
    v.setUint32(at, crc, true);
    v.setUint32(at + 4, packed.length, true);
    v.setUint32(at + 8, unzippedBytes, true);
  };
  const local = record(30, (v) => {
    v.setUint32(0, 0x04034b50, true);
    v.setUint16(4, 20, true);
    v.setUint16(8, 8, true);
    sizes(v, 14);
    v.setUint16(26, name.length, true);
  });
  const central = record(46, (v) => {
    v.setUint32(0, 0x02014b50, true);
    v.setUint16(4, (3 << 8) | 20, true);
    v.setUint16(6, 20, true);
    v.setUint16(10, 8, true);
    sizes(v, 16);
    v.setUint16(28, name.length, true);
    v.setUint32(38, MODE * 0x10000, true);
  });
  const offset = local.length + name.length + packed.length;
  const end = record(22, (v) => {
    v.setUint32(0, 0x06054b50, true);
    v.setUint16(8, 1, true);
    v.setUint16(10, 1, true);
    v.setUint32(12, central.length + name.length, true);
    v.setUint32(16, offset, true);
  });
  const zip = Buffer.concat([local, name, packed, central, name, end]);
  const boundary = `bench-${randomBytes(12).toString("hex")}`;
  writeFileSync(
    formFile,
    Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="bits"; filename="package.zip"\r\n` +
          "Content-Type: application/zip\r\n\r\n",
      ),
      zip,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]),
  );
  return { zipBytes: zip.length, contentType: `multipart/form-data; boundary=${boundary}` };
}
