// A refused request leaves its connection usable, whatever the route read of its body: the route reads
// the body through a counting stream it may cancel, and once the response is ready whatever is left is
// read to its end before it goes out, as nginx does in front of Cloud Controller. Past a bound (the
// largest body any route takes, plus a little) the client gets the response and its connection is
// closed instead. Without this, workerd resets the connection of a request whose body was left unread,
// wrangler dev stalls it, and a client that reuses connections (go-cfclient, the cf CLI) fails or hangs
// on its next request.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { byteSource } from "./byte-source";

// Room beyond the largest package for multipart framing and a body cut off just past the limit.
const DRAIN_SLACK_BYTES = 1024 * 1024;

// Every read of the request body lands in one buffer, reused (default readers of the route, a JSON
// body's, get chunks of its size): nothing is allocated per read.
const READ_BUFFER_BYTES = 64 * 1024;

export const drainRequestBody = createMiddleware<AppEnv>(async (c, next) => {
  const body = c.req.raw.body;
  if (!body) return next();
  const source = byteSource(body);
  // A body that declares its length needs no more memory than that: most are JSON of a few hundred bytes.
  const declared = Number(c.req.header("Content-Length"));
  const bufferBytes = declared > 0 && declared < READ_BUFFER_BYTES ? declared : READ_BUFFER_BYTES;
  let buffer: Uint8Array = new Uint8Array(bufferBytes);
  let seen = 0;
  let ended = false;
  // workerd's request body takes one read at a time: a read waits for the one before it (a route may
  // give up on the body with a read still pending).
  let previous: Promise<unknown> = Promise.resolve();
  /** The next bytes of the body (empty at its end), valid until the next read. */
  const read = (most: number) => {
    const result = previous.then(async () => {
      const bytes = await source.read(buffer.subarray(0, Math.min(most, buffer.length)));
      // A BYOB read takes the buffer over; its memory comes back in the view it answers with.
      buffer = new Uint8Array(bytes.buffer);
      if (bytes.length === 0) ended = true;
      seen += bytes.length;
      return bytes;
    });
    previous = result.catch(() => undefined);
    return result;
  };
  // A byte stream: the route's reads are copied into the memory its reader offers (one buffer of its
  // own, for the upload), so neither side allocates per read.
  const counted = new ReadableStream(
    {
      type: "bytes",
      // Gives default readers (a JSON body, say) a byobRequest too.
      autoAllocateChunkSize: bufferBytes,
      async pull(controller) {
        const request = controller.byobRequest!;
        const view = request.view!;
        const bytes = await read(view.byteLength);
        if (bytes.length === 0) {
          controller.close();
          request.respond(0);
          return;
        }
        new Uint8Array(view.buffer, view.byteOffset, view.byteLength).set(bytes);
        request.respond(bytes.length);
      },
      // A route that gives up on the body leaves the rest of it to be drained below.
      cancel: () => undefined,
    },
    // Nothing is read ahead of the route: a body it never asks for is only read by the drain.
    { highWaterMark: 0 },
  );
  // A Request cannot be built with a GET or HEAD body; their routes never read one, so it is only drained.
  if (c.req.method !== "GET" && c.req.method !== "HEAD")
    c.req.raw = new Request(c.req.raw, { body: counted });
  await next();
  const bound = c.get("config").maxPackageSize + DRAIN_SLACK_BYTES;
  try {
    while (!ended && seen <= bound) await read(bufferBytes);
  } catch {
    // The client went away: there is no connection left to keep.
  }
  // Past the bound the body is given up: workerd closes a connection whose request was not read to
  // its end, after the response.
  if (!ended) await source.cancel(undefined);
});
