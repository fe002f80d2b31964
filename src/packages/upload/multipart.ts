// A streaming multipart/form-data reader (RFC 7578): parts come one at a time, each body a stream read
// straight off the request, so a package of any size passes through and the whole body is never held.
// The request body is read (BYOB) into one buffer reused for every read, and a part's body is handed on
// as views of that buffer: receiving 90 MiB allocates nothing per read, where a chunk per read left
// megabytes of ArrayBuffers for V8 to collect (it collects late: they are external memory). Only the
// bytes that might begin the next delimiter are kept back between reads, moved to the buffer's front.
//
// So a chunk of a part's body is valid only until the consumer asks for the next one: whoever gets one
// (a `for await` over the body, or a write() it is passed to, until the promise write() returns
// resolves) and keeps bytes of it for later must copy them.
import type { ByteSource } from "../../http/byte-source";

const MAX_BOUNDARY_LENGTH = 70;

export class MalformedMultipart extends Error {
  override readonly name = "MalformedMultipart";
}

export interface FormPart {
  name: string;
  filename: string | undefined;
  /** Must be read (or left to be skipped by the next `nextPart`) before asking for the next part. */
  body: ReadableStream<Uint8Array>;
}

const CRLF = new Uint8Array([13, 10]);
const MAX_HEADER_BYTES = 16 * 1024;
// Large enough for the longest part headers with room to read more; a read takes what fits.
export const BUFFER_SIZE = 256 * 1024;
const encoder = new TextEncoder();

/** The boundary of a multipart/form-data Content-Type, or undefined for any other type. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first, from); i !== -1; i = haystack.indexOf(first, i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function dispositionParam(header: string, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${param}=([^;\\s]+)`, "i").exec(
    header,
  );
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, "$1") : match[2];
}

export class MultipartReader {
  /** "--boundary" before the first part, "\r\n--boundary" between parts. */
  private readonly delimiter: Uint8Array;
  /** Every read lands here. */
  private memory: Uint8Array = new Uint8Array(BUFFER_SIZE);
  /** The bytes read and not consumed yet: a view of `memory`. */
  private buffer: Uint8Array;
  private started = false;
  private finished = false;
  private partOpen = false;
  /** The open part's closing delimiter was found; what follows it is read once its last chunk is done. */
  private partClosed = false;

  constructor(
    private readonly source: ByteSource,
    boundary: string,
  ) {
    // RFC 2046's bound (Rack refuses longer ones too): each read matches the delimiter again, so its
    // length multiplies the cost of every byte of the body.
    if (boundary.length > MAX_BOUNDARY_LENGTH)
      throw new MalformedMultipart("boundary longer than 70 characters");
    this.delimiter = encoder.encode(`\r\n--${boundary}`);
    // The first delimiter may open the body (no CRLF before it): the search starts with a CRLF.
    this.memory.set(CRLF);
    this.buffer = this.memory.subarray(0, CRLF.length);
  }

  /** The next part, or undefined after the closing delimiter. Skips what is left of the current part. */
  async nextPart(): Promise<FormPart | undefined> {
    while (this.partOpen) await this.readBodyChunk();
    if (this.partClosed) {
      this.partClosed = false;
      await this.afterDelimiter();
    }
    if (!this.started) await this.skipPreamble();
    if (this.finished) return undefined;
    const headers = await this.readHeaders();
    const disposition = headers.get("content-disposition") ?? "";
    const name = /^\s*form-data\b/i.test(disposition) ? dispositionParam(disposition, "name") : undefined;
    if (name === undefined) throw new MalformedMultipart("part without a form-data name");
    this.partOpen = true;
    // No read ahead (high-water mark 0): the next chunk is read only when asked for, after the consumer
    // is done with the last one, whose bytes the read may overwrite.
    const body = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const chunk = await this.readBodyChunk();
          if (chunk) controller.enqueue(chunk);
          else controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    return { name, filename: dispositionParam(disposition, "filename"), body };
  }

  /** Fails the underlying body stream: used when the upload is given up part way. */
  async cancel(reason: unknown): Promise<void> {
    await this.source.cancel(reason);
  }

  /** Reads more after the unconsumed bytes, moved to the front first; false at the end of the body. */
  private async fill(): Promise<boolean> {
    const kept = this.buffer.length;
    const from = this.buffer.byteOffset;
    if (from > 0) this.memory.copyWithin(0, from, from + kept);
    // Cannot happen: at most MAX_HEADER_BYTES (or a delimiter's length) are ever kept.
    if (kept === this.memory.length) throw new MalformedMultipart("part headers too long");
    const read = await this.source.read(this.memory.subarray(kept));
    this.memory = new Uint8Array(read.buffer);
    this.buffer = this.memory.subarray(0, kept + read.length);
    return read.length > 0;
  }

  /**
   * Where the buffer's tail that could still grow into a delimiter starts (the buffer's length when no
   * tail could): with no delimiter in the buffer, everything before it is body.
   */
  private delimiterPrefixStart(): number {
    const { buffer, delimiter } = this;
    const from = Math.max(0, buffer.length - delimiter.length + 1);
    for (
      let at = buffer.indexOf(delimiter[0]!, from);
      at !== -1;
      at = buffer.indexOf(delimiter[0]!, at + 1)
    ) {
      let matched = 1;
      while (at + matched < buffer.length && buffer[at + matched] === delimiter[matched]) matched++;
      if (at + matched === buffer.length) return at;
    }
    return buffer.length;
  }

  private async skipPreamble(): Promise<void> {
    this.started = true;
    for (;;) {
      const at = indexOf(this.buffer, this.delimiter);
      if (at !== -1) {
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        return this.afterDelimiter();
      }
      this.buffer = this.buffer.subarray(this.delimiterPrefixStart());
      if (!(await this.fill())) throw new MalformedMultipart("no multipart boundary in the body");
    }
  }

  /** After a delimiter: "--" closes the body, otherwise optional whitespace and CRLF open a part. */
  private async afterDelimiter(): Promise<void> {
    while (this.buffer.length < 2) {
      if (!(await this.fill())) throw new MalformedMultipart("body ends inside a boundary");
    }
    if (this.buffer[0] === 45 && this.buffer[1] === 45) {
      this.finished = true;
      return;
    }
    for (;;) {
      const eol = indexOf(this.buffer, CRLF);
      if (eol !== -1) {
        if (this.buffer.subarray(0, eol).some((byte) => byte !== 32 && byte !== 9)) {
          throw new MalformedMultipart("unexpected bytes after a boundary");
        }
        this.buffer = this.buffer.subarray(eol + 2);
        return;
      }
      if (this.buffer.length > 1024) throw new MalformedMultipart("unexpected bytes after a boundary");
      if (!(await this.fill())) throw new MalformedMultipart("body ends inside a boundary");
    }
  }

  private async readHeaders(): Promise<Map<string, string>> {
    const end = encoder.encode("\r\n\r\n");
    // A part with no headers starts with the blank line at once. Each search starts where the last one
    // could still have matched: headers that come a byte a time are not searched again from their start
    // at every read (16 KiB of them, carriage returns all, took seconds of CPU).
    const search = (from: number) =>
      this.buffer[0] === 13 && this.buffer[1] === 10 ? -2 : indexOf(this.buffer, end, from);
    let at = search(0);
    while (at === -1) {
      if (this.buffer.length > MAX_HEADER_BYTES) throw new MalformedMultipart("part headers too long");
      const searched = this.buffer.length;
      if (!(await this.fill())) throw new MalformedMultipart("body ends inside part headers");
      at = search(Math.max(0, searched - end.length + 1));
    }
    // The limit holds wherever the chunks end, also for headers that came whole in one chunk.
    if (at > MAX_HEADER_BYTES) throw new MalformedMultipart("part headers too long");
    const text = at === -2 ? "" : new TextDecoder().decode(this.buffer.subarray(0, at));
    this.buffer = this.buffer.subarray(at + 4);
    const headers = new Map<string, string>();
    for (const line of text.split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    return headers;
  }

  /** The next piece of the open part's body, or undefined once its closing delimiter is reached. */
  private async readBodyChunk(): Promise<Uint8Array | undefined> {
    if (!this.partOpen) return undefined;
    for (;;) {
      const at = indexOf(this.buffer, this.delimiter);
      if (at !== -1) {
        const chunk = this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + this.delimiter.length);
        this.partOpen = false;
        this.partClosed = true;
        return chunk.length ? chunk : undefined;
      }
      const safe = this.delimiterPrefixStart();
      if (safe > 0) {
        const chunk = this.buffer.subarray(0, safe);
        this.buffer = this.buffer.subarray(safe);
        return chunk;
      }
      if (!(await this.fill())) throw new MalformedMultipart("body ends inside a part");
    }
  }
}
