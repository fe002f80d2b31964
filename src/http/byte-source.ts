// A request body read into memory the reader offers, one read after another: straight into it (BYOB)
// when the body is a byte stream, as workerd's request bodies are, or copied into it from a stream of
// chunks (one made in JavaScript). Reading into one reused buffer allocates nothing per read, where a
// chunk per read leaves megabytes of ArrayBuffers for V8 to collect late (they are external memory).

/** Where the reader's bytes come from. */
export interface ByteSource {
  /**
   * Reads at least one byte into the start of `into` (fewer than it holds when fewer have come); the
   * view of what was read, empty at the end of the body. `into`'s buffer may be transferred: the view
   * returned is of the same memory, and the only valid handle on it from then on.
   */
  read(into: Uint8Array): Promise<Uint8Array>;
  cancel(reason: unknown): Promise<void>;
}

/** A stream's bytes read straight into the caller's memory, or copied there when it is no byte stream. */
export function byteSource(stream: ReadableStream<Uint8Array>): ByteSource {
  let reader: ReadableStreamBYOBReader;
  try {
    reader = stream.getReader({ mode: "byob" });
  } catch {
    return copiedSource(stream.getReader());
  }
  return {
    async read(into) {
      const { value } = await reader.read(into);
      // A closed stream still gives the memory back, as an empty view; only a cancelled one does not.
      if (!value) throw new Error("body cancelled while read");
      return value;
    },
    cancel: (reason) => reader.cancel(reason).catch(() => undefined),
  };
}

/** A stream of chunks (one made in JavaScript, say) copied into the memory offered. */
function copiedSource(reader: ReadableStreamDefaultReader<Uint8Array>): ByteSource {
  let rest: Uint8Array = new Uint8Array(0);
  return {
    async read(into) {
      while (!rest.length) {
        const { done, value } = await reader.read();
        if (done) return into.subarray(0, 0);
        rest = value;
      }
      const count = Math.min(rest.length, into.length);
      into.set(rest.subarray(0, count));
      rest = rest.subarray(count);
      return into.subarray(0, count);
    },
    cancel: (reason) => reader.cancel(reason).catch(() => undefined),
  };
}
