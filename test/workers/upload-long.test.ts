// Uploads that outlast PACKAGE_STUCK_TIMEOUT_SECONDS: a live one renews its claim as its body streams
// in, so the watchdog leaves it alone; one that stops streaming (its isolate died) is failed by the
// watchdog, and the R2 multipart upload it had open is aborted, parts and all. The request body is a
// stream the test feeds piece by piece, with pauses.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  bitsWorld,
  HEAVY,
  packageRow,
  runScheduled,
  send,
  setTimes,
  storedBits,
  uploadRequest,
} from "./support/bits";
import { cfError } from "./support/http";
import { buildZip, digest, multipartBody, randomBytes } from "./support/zip";

const TIMEOUT = { PACKAGE_STUCK_TIMEOUT_SECONDS: "3" };
const now = () => Math.floor(Date.now() / 1000);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A body fed piece by piece: `send` enqueues the next bytes, `end` closes it, `fail` errors it. */
function feeder() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start: (c) => {
      controller = c;
    },
  });
  return {
    body,
    send: (bytes: Uint8Array) => controller.enqueue(bytes),
    end: () => controller.close(),
    fail: (reason: Error) => controller.error(reason),
  };
}

/** A form whose bits pass one 5 MiB R2 part: the upload goes multipart. */
async function largeForm(): Promise<{ zip: Uint8Array; form: Uint8Array }> {
  const zip = await buildZip([
    { name: "big.bin", data: randomBytes(6 * 1024 * 1024) },
    { name: "tail.txt", data: "tail\n" },
  ]);
  return { zip, form: multipartBody([{ name: "bits", filename: "package.zip", data: zip }]) };
}

const multipartUploadId = async (guid: string) =>
  (
    await env.DB.prepare("SELECT multipart_upload_id AS id FROM packages WHERE guid = ?")
      .bind(guid)
      .first<{ id: string | null }>()
  )?.id;

async function recordedUploadId(guid: string): Promise<string> {
  for (let tries = 0; tries < 200; tries++) {
    const id = await multipartUploadId(guid);
    if (id) return id;
    await pause(50);
  }
  throw new Error(`no multipart upload recorded for ${guid}`);
}

describe("an upload's multipart upload", () => {
  it(
    "is aborted and forgotten when the upload fails in its request",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const { form } = await largeForm();
      const { body, send: feed, fail } = feeder();
      const reply = send(uploadRequest(guid, developer, body), {});

      feed(form.subarray(0, 5.5 * 1024 * 1024));
      const uploadId = await recordedUploadId(guid);
      fail(new Error("client went away"));
      const answer = await reply;

      expect(answer.status).toBe(400);
      const detail =
        "The app upload is invalid: upload interrupted before the body was complete (client went away)";
      expect(answer.json).toEqual(cfError(160001, "CF-AppBitsUploadInvalid", detail));
      expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error: detail });
      expect(await multipartUploadId(guid)).toBeNull();
      await expect(
        env.BITS.resumeMultipartUpload(`packages/${guid}`, uploadId).uploadPart(1, new Uint8Array(1)),
      ).rejects.toThrow("The specified multipart upload does not exist.");
    },
    HEAVY,
  );
});

describe("uploads that outlast the watchdog's timeout", () => {
  it(
    "renew their claim while the body streams: the watchdog leaves them and they end READY",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const { zip, form } = await largeForm();
      const { body, send: feed, end } = feeder();
      const reply = send(uploadRequest(guid, developer, body), TIMEOUT);

      // Twenty pieces 0.4 s apart; the watchdog runs past the 3 s timeout, before the bits reach one
      // R2 part (only renewals keep the claim), and again once they went multipart.
      const piece = Math.ceil(form.length / 20);
      for (let i = 0; i < 19; i++) {
        feed(form.subarray(i * piece, (i + 1) * piece));
        await pause(400);
        if (i === 12) {
          expect(now() - (await packageRow(guid)).created_at).toBeGreaterThan(3);
          expect(await multipartUploadId(guid)).toBeNull();
          await runScheduled(TIMEOUT);
          expect(await packageRow(guid)).toMatchObject({ state: "PROCESSING_UPLOAD", error: null });
        }
      }
      const uploadId = await recordedUploadId(guid);
      await runScheduled(TIMEOUT);
      expect(await packageRow(guid)).toMatchObject({ state: "PROCESSING_UPLOAD", error: null });

      feed(form.subarray(19 * piece));
      end();
      const answer = await reply;

      expect(answer.status).toBe(200);
      expect(answer.json.state).toBe("READY");
      expect(await packageRow(guid)).toMatchObject({
        state: "READY",
        error: null,
        sha1: await digest("SHA-1", zip),
        bits_size: zip.length,
      });
      expect(await multipartUploadId(guid)).toBeNull();
      expect(await digest("SHA-256", (await storedBits(guid))!)).toBe(await digest("SHA-256", zip));
      // The multipart upload is complete: it takes no more parts.
      await expect(
        env.BITS.resumeMultipartUpload(`packages/${guid}`, uploadId).uploadPart(1, new Uint8Array(1)),
      ).rejects.toThrow("The specified multipart upload does not exist.");
    },
    HEAVY,
  );

  it(
    "are failed by the watchdog once they stop streaming, their multipart upload aborted",
    async () => {
      const { developer, newPackage } = await bitsWorld();
      const guid = await newPackage();
      const { form } = await largeForm();
      const { body, send: feed, end } = feeder();
      const reply = send(uploadRequest(guid, developer, body), TIMEOUT);

      // Past the first 5 MiB part, then nothing: as if the isolate streaming it had died.
      feed(form.subarray(0, 5.5 * 1024 * 1024));
      const uploadId = await recordedUploadId(guid);
      const key = `packages/${guid}`;
      const uploaded = env.BITS.resumeMultipartUpload(key, uploadId);
      const part = await uploaded.uploadPart(2, new Uint8Array(16));
      expect(part.partNumber).toBe(2);
      await setTimes(guid, now() - 60, now() - 10);

      await runScheduled(TIMEOUT);

      const error = "upload did not finish within 3 seconds";
      expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error });
      expect(await multipartUploadId(guid)).toBeNull();
      await expect(uploaded.uploadPart(3, new Uint8Array(16))).rejects.toThrow(
        "The specified multipart upload does not exist.",
      );
      await expect(uploaded.complete([part])).rejects.toThrow(
        "The specified multipart upload does not exist.",
      );

      // Should the request live on after all, its next renewal tells it the upload is over.
      await pause(1100);
      feed(form.subarray(5.5 * 1024 * 1024));
      end();
      const answer = await reply;
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(
        cfError(160001, "CF-AppBitsUploadInvalid", `The app upload is invalid: ${error}`),
      );
      expect(await packageRow(guid)).toMatchObject({ state: "FAILED", error });
      expect(await storedBits(guid)).toBeUndefined();
    },
    HEAVY,
  );
});
