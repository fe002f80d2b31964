// A refused request leaves its connection usable, whatever the route read of its body: the route reads
// the body through a counting stream it may cancel, and once the response is ready whatever is left is
// read to its end before it goes out, as nginx does in front of Cloud Controller. Past a bound (the
// largest body any route takes, plus a little) the client gets the response and its connection is
// closed instead. Without this, workerd resets the connection of a request whose body was left unread,
// wrangler dev stalls it, and a client that reuses connections (go-cfclient, the cf CLI) fails or hangs
// on its next request.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

// Room beyond the largest package for multipart framing and a body cut off just past the limit.
const DRAIN_SLACK_BYTES = 1024 * 1024;

export const drainRequestBody = createMiddleware<AppEnv>(async (c, next) => {
  const body = c.req.raw.body;
  if (!body) return next();
  const source = body.getReader();
  let seen = 0;
  let ended = false;
  // workerd's request body takes one read at a time: a read waits for the one before it (a route may
  // give up on the body with a read still pending).
  let previous: Promise<unknown> = Promise.resolve();
  const read = () => {
    const result = previous.then(async () => {
      const chunk = await source.read();
      if (chunk.done) ended = true;
      else seen += chunk.value.byteLength;
      return chunk;
    });
    previous = result.catch(() => undefined);
    return result;
  };
  const counted = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const chunk = await read();
        if (chunk.done) controller.close();
        else controller.enqueue(chunk.value);
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
    while (!ended && seen <= bound) await read();
  } catch {
    // The client went away: there is no connection left to keep.
  }
  // Past the bound the body is given up: workerd closes a connection whose request was not read to
  // its end, after the response.
  if (!ended) await source.cancel().catch(() => undefined);
});
