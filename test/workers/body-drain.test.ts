// The request body is read to its end before a refusal goes out, whatever the route read of it, so the
// client's connection serves its next request; past the bound (MAX_PACKAGE_SIZE plus 1 MiB) it is given
// up instead. The body here is a stream that records how far it was read; test/socket covers the socket.
import { describe, expect, it } from "vitest";
import { bitsWorld, send, uploadRequest } from "./support/bits";
import { tokenFor } from "./support/callers";
import { NOT_AUTHENTICATED, NOT_AUTHORIZED, PARSE_ERROR } from "./support/errors";
import { addPackage, createWorld } from "./support/fixtures";
import { BASE, cfError } from "./support/http";

const MiB = 1024 * 1024;

/** `total` bytes in 64 KiB chunks, counting what was read and whether the reader gave up. */
function recordedBody(total: number, head: Uint8Array = new Uint8Array()) {
  const record = { read: 0, cancelled: false };
  let headSent = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!headSent) {
        headSent = true;
        record.read += head.length;
        return controller.enqueue(head);
      }
      if (record.read >= total) return controller.close();
      const size = Math.min(64 * 1024, total - record.read);
      record.read += size;
      controller.enqueue(new Uint8Array(size));
    },
    cancel: () => {
      record.cancelled = true;
    },
  });
  return { stream, record };
}

describe("the request body is drained before the answer", () => {
  it("an upload refused before the route reads (401): read to its end", async () => {
    const { newPackage } = await bitsWorld();
    const { stream, record } = recordedBody(3 * MiB);
    const request = uploadRequest(await newPackage(), "", stream);
    request.headers.delete("Authorization");
    const reply = await send(request);
    expect(reply.status).toBe(401);
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
    expect(record).toEqual({ read: 3 * MiB, cancelled: false });
  });

  it("an upload refused by the package check (403): read to its end", async () => {
    const world = await createWorld();
    const guid = await addPackage(world.appGuid);
    const { stream, record } = recordedBody(3 * MiB);
    const reply = await send(uploadRequest(guid, await tokenFor(world, "space_auditor"), stream));
    expect(reply.json).toEqual(NOT_AUTHORIZED);
    expect(record).toEqual({ read: 3 * MiB, cancelled: false });
  });

  it("an upload refused mid-body (malformed multipart): the rest read to its end", async () => {
    const { developer, newPackage } = await bitsWorld();
    const head = new TextEncoder().encode("--x\r\nContent-Disposition: form-data\r\n\r\n");
    const { stream, record } = recordedBody(3 * MiB, head);
    const reply = await send(
      uploadRequest(await newPackage(), developer, stream, "multipart/form-data; boundary=x"),
    );
    expect(reply.json).toEqual(
      cfError(
        1001,
        "CF-MessageParseError",
        "Request invalid due to parse error: invalid multipart body (part without a form-data name)",
      ),
    );
    expect(record).toEqual({ read: 3 * MiB, cancelled: false });
  });

  it("a JSON body refused before it is parsed (401): read to its end", async () => {
    const { stream, record } = recordedBody(2 * MiB, new TextEncoder().encode('{"type":'));
    const reply = await send(
      new Request(`${BASE}/v3/packages`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: stream,
      }),
    );
    expect(reply.json).toEqual(NOT_AUTHENTICATED);
    expect(record.read).toBe(2 * MiB);
  });

  it("a JSON body that does not parse: read to its end by the parser", async () => {
    const { developer } = await bitsWorld();
    const { stream, record } = recordedBody(MiB, new TextEncoder().encode('{"type":'));
    const reply = await send(
      new Request(`${BASE}/v3/packages`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `bearer ${developer}` },
        body: stream,
      }),
    );
    expect(reply.json).toEqual(PARSE_ERROR);
    expect(record).toEqual({ read: MiB, cancelled: false });
  });

  it("past MAX_PACKAGE_SIZE plus 1 MiB: the answer, and the rest of the body given up", async () => {
    const { developer, newPackage } = await bitsWorld();
    const { stream, record } = recordedBody(8 * MiB);
    const reply = await send(
      uploadRequest(await newPackage(), developer, stream, "multipart/form-data; boundary=x"),
      { MAX_PACKAGE_SIZE: String(MiB) },
    );
    expect(reply.json).toEqual(
      cfError(
        150001,
        "CF-AppPackageInvalid",
        `The app package is invalid: Package may not be larger than ${MiB} bytes`,
      ),
    );
    expect(record.cancelled).toBe(true);
    expect(record.read).toBeGreaterThan(2 * MiB);
    expect(record.read).toBeLessThan(8 * MiB);
  });
});
