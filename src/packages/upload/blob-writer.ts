// Writes a stream of unknown length to R2 with memory that stays flat: bytes collect in one part-sized
// buffer, reused for every part (a part has been sent once uploadPart resolves); a body that fits in
// one part is a single put, a larger one an R2 multipart upload whose parts are all PART_SIZE but the
// last (R2 requires equal parts of at least 5 MiB). sha1 and sha256 of what was written come out at the
// end. On any failure, abort() leaves no object and no parts behind. A writer that closes leaves its
// buffer to the isolate's next writer: otherwise each upload leaves 5 MiB of external memory that V8
// collects late, and uploads in a row add them up.
import { DigestPair, type Digests } from "./checksums";

export const PART_SIZE = 5 * 1024 * 1024;
const ZIP = { contentType: "application/zip" };
// The part buffer of the last writer closed, for the next one (one only: what concurrent uploads
// allocated more is collected as before, not kept).
let sparePart: Uint8Array | undefined;

function takeSparePart(): Uint8Array {
  const part = sparePart ?? new Uint8Array(PART_SIZE);
  sparePart = undefined;
  return part;
}

export interface StoredBlob extends Digests {
  size: number;
}

export class BlobWriter {
  private readonly part = takeSparePart();
  private filled = 0;
  private upload: R2MultipartUpload | undefined;
  private readonly parts: R2UploadedPart[] = [];
  private readonly digests = new DigestPair();
  /** Bytes written so far: the offset the next write lands at. */
  size = 0;

  /** `onMultipartStarted` learns the multipart upload's id before its first part, to record it. */
  constructor(
    private readonly bucket: R2Bucket,
    private readonly key: string,
    private readonly onMultipartStarted?: (uploadId: string) => Promise<void>,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    await this.digests.update(chunk);
    this.size += chunk.length;
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(PART_SIZE - this.filled, chunk.length - offset);
      this.part.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === PART_SIZE) await this.flushPart();
    }
  }

  /** Writes every chunk of `stream`. */
  async writeStream(stream: ReadableStream<Uint8Array>): Promise<void> {
    for await (const chunk of stream) await this.write(chunk);
  }

  async close(): Promise<StoredBlob> {
    const digests = await this.digests.finish();
    if (this.upload) {
      if (this.filled > 0) await this.flushPart();
      await this.upload.complete(this.parts);
    } else {
      await this.bucket.put(this.key, this.part.subarray(0, this.filled), { httpMetadata: ZIP });
    }
    // Every part has been sent: the buffer is free. (After a failure it is not: a part may be sending.)
    sparePart = this.part;
    return { ...digests, size: this.size };
  }

  async abort(): Promise<void> {
    await this.upload?.abort().catch(() => undefined);
  }

  private async flushPart(): Promise<void> {
    if (!this.upload) {
      this.upload = await this.bucket.createMultipartUpload(this.key, { httpMetadata: ZIP });
      await this.onMultipartStarted?.(this.upload.uploadId);
    }
    const data = this.part.subarray(0, this.filled);
    this.parts.push(await this.upload.uploadPart(this.parts.length + 1, data));
    this.filled = 0;
  }
}
