// POST /v3/packages/:guid/upload from the first byte to READY, in the request: the package is claimed
// (AWAITING_UPLOAD → PROCESSING_UPLOAD) before a byte of the body is read, so every refusal that does not
// depend on the body (access, type, state, declared length) goes out with the body untouched; then the
// form streams in, the bits stream to R2 (their large files digested on the way), the stored zip is
// checked, completed with the cached resources it names, and the package made READY; its large files go
// to the resource cache after the response. Any failure once the bits or resources are processed leaves
// the package FAILED with data.error and no bits behind; a form that cannot be read, or a message error,
// gives the package back, as CC never takes a package for a body it refuses.
import type { BatchItem } from "drizzle-orm/batch";
import { assertWritable } from "../../authz/assert-writable";
import type { Config } from "../../config";
import type { Db } from "../../db/client";
import type { Bindings } from "../../env";
import { type ByteSource, byteSource } from "../../http/byte-source";
import { CfError, notFound, unprocessable } from "../../http/errors";
import { logError } from "../../http/log";
import type { User } from "../../user";
import { packageBitsKey } from "../bits-keys";
import { deletePackageBits } from "../bits-removal";
import { deleteExpiredBits } from "../retention";
import type { PackageAccess, PackageView } from "../store";
import { uploadTimedOut } from "../watchdog";
import { assemblePackage } from "./assemble";
import { BlobWriter, type StoredBlob } from "./blob-writer";
import { fingerprintsOf } from "./fingerprints";
import { formError, readUploadForm } from "./form";
import { MalformedMultipart, multipartBoundary } from "./multipart";
import { type CacheableFile, cacheableFiles, MAX_CACHED_FILES_PER_UPLOAD } from "./resource-cache";
import { claimUpload, failUpload, finishUpload, releaseUpload, renewUploadClaim } from "./store";
import { InvalidZip, readCentralDirectory } from "./zip-read";
import { packageTooLarge, type ScannedZip, ZipScanner } from "./zip-scan";

export interface UploadRequest {
  env: Bindings;
  db: Db;
  config: Config;
  user: User;
  guid: string;
  /** The upload's audit event: it follows the READY transition in its batch. */
  recorded?: BatchItem<"sqlite">;
  requestId: string;
}

class UploadInterrupted extends Error {
  override readonly name = "UploadInterrupted";
}

/** The request body, failing once it passes `max` bytes or when the client goes away. */
function meteredBody(body: ReadableStream<Uint8Array> | null, max: number, tooLarge: CfError) {
  if (!body) return null;
  const source = byteSource(body);
  let seen = 0;
  return {
    async read(into) {
      let read: Uint8Array;
      try {
        read = await source.read(into);
      } catch (err) {
        throw new UploadInterrupted(err instanceof Error ? err.message : String(err));
      }
      seen += read.length;
      if (seen > max) {
        await source.cancel(tooLarge);
        throw tooLarge;
      }
      return read;
    },
    cancel: (reason) => source.cancel(reason),
  } satisfies ByteSource;
}

/** What the client sees for a failure, and what data.error records; an unexpected one is logged. */
function asCfError(err: unknown, request: UploadRequest): CfError {
  if (err instanceof CfError) return err;
  if (err instanceof InvalidZip) return new CfError("AppBitsUploadInvalid", err.message);
  if (err instanceof MalformedMultipart)
    return new CfError("MessageParseError", `invalid multipart body (${err.message})`);
  if (err instanceof UploadInterrupted) {
    return new CfError(
      "AppBitsUploadInvalid",
      `upload interrupted before the body was complete (${err.message})`,
    );
  }
  logError("package upload failed", err, { requestId: request.requestId, package: request.guid });
  return new CfError("BlobstoreError");
}

/** What the client sees for an upload the watchdog failed meanwhile. */
const timedOut = (config: Config) =>
  new CfError("AppBitsUploadInvalid", uploadTimedOut(config.packageStuckTimeoutSeconds));

/** The READY package, and the files of it the resource cache is to take (after the response). */
export interface UploadedPackage {
  pkg: PackageView;
  cacheable: CacheableFile[];
}

class PackageUpload {
  private claimed: PackageAccess | undefined;
  /** The bits or the resources are being processed: a failure from here on fails the package. */
  private processing = false;
  private stored: StoredBlob | undefined;
  private scanned: ScannedZip = new Map();
  private renewedAt = 0;
  private readonly key: string;

  constructor(private readonly request: UploadRequest) {
    this.key = packageBitsKey(request.guid);
  }

  /** Takes the package for this upload, or throws CC's error for why it cannot be. */
  async claim(to: "PROCESSING_UPLOAD" | "FAILED" = "PROCESSING_UPLOAD", error?: string): Promise<void> {
    const { db, user, guid } = this.request;
    const { access, claimed } = await claimUpload(db, user, guid, to, error);
    if (!access) throw notFound("Package");
    if (claimed) {
      this.claimed = { ...access, package: { ...access.package, ...claimed } };
      this.renewedAt = Date.now();
      return;
    }
    assertWritable(user, access, () => notFound("Package"));
    if (access.package.type !== "bits") throw unprocessable("Package type must be bits.");
    throw new CfError("PackageBitsAlreadyUploaded");
  }

  async storeBits(bits: ReadableStream<Uint8Array>, resources: unknown): Promise<void> {
    this.processing = true;
    // Resources sent before the bits are checked before a byte of the bits is stored.
    fingerprintsOf(resources);
    const { config } = this.request;
    const writer = new BlobWriter(this.request.env.BITS, this.key, (uploadId) => this.renewClaim(uploadId));
    const scanner = new ZipScanner({
      maxUnzippedSize: config.maxUnzippedPackageSize,
      maxEntries: config.maxPackageEntries,
      minCachedSize: config.resourceMinSize,
      maxCachedSize: config.resourceMaxSize,
      maxDigests: MAX_CACHED_FILES_PER_UPLOAD,
    });
    try {
      // Each chunk is a view of the multipart reader's one buffer, overwritten by the next read: all are
      // done with it (or have copied what they keep) before the loop asks for the next, and before any
      // failure aborts the writer (the scanner refuses bombs).
      for await (const chunk of bits) {
        const done = await Promise.allSettled([writer.write(chunk), scanner.write(chunk), this.renewClaim()]);
        for (const result of done) if (result.status === "rejected") throw result.reason;
      }
      this.stored = await writer.close();
      this.scanned = scanner.scanned();
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }

  /**
   * Renews the claim while the bits stream, at most every third of the watchdog's timeout (so a small
   * upload never does), and at once to record the multipart upload the bits went to. Throws when the
   * package is no longer processing: the watchdog failed it, the upload is over.
   */
  private async renewClaim(multipartUploadId?: string): Promise<void> {
    const { db, guid, config } = this.request;
    const every = (config.packageStuckTimeoutSeconds * 1000) / 3;
    if (!multipartUploadId && Date.now() - this.renewedAt < every) return;
    this.renewedAt = Date.now();
    if (!(await renewUploadClaim(db, guid, multipartUploadId))) throw timedOut(config);
  }

  /** Gives the package back untouched: its bits go, it awaits an upload again. */
  async release(): Promise<void> {
    if (!this.claimed) return;
    if (this.stored) await this.request.env.BITS.delete(this.key);
    await releaseUpload(this.request.db, this.request.guid);
    this.claimed = undefined;
  }

  async finish(resources: unknown): Promise<UploadedPackage> {
    const { env, db, config } = this.request;
    this.processing = true;
    const claimed = this.claimed!;
    const fingerprints = fingerprintsOf(resources);
    const directory = this.stored
      ? await readCentralDirectory(env.BITS, this.key, this.stored.size, config.maxPackageEntries)
      : undefined;
    const cacheable = directory ? cacheableFiles(directory, this.scanned, config.maxUnzippedPackageSize) : [];
    const blob = fingerprints.length
      ? await assemblePackage(env.BITS, this.key, directory, fingerprints, config)
      : this.stored!;
    const { ready, expired } = await finishUpload(
      db,
      claimed.package,
      blob,
      config.maxValidPackagesStored,
      fingerprints.map((fingerprint) => fingerprint.sha1),
      this.request.recorded,
    );
    if (!ready) throw timedOut(config);
    this.claimed = undefined;
    await deleteExpiredBits(env.BITS, db, expired);
    return { pkg: { ...claimed.package, ...ready }, cacheable };
  }

  /**
   * Records a failure: FAILED with data.error once processing began, or for a body refused as too large
   * (declared or counted); the package is given back when its form could not be read.
   */
  async fail(err: unknown, tooLarge: CfError): Promise<CfError> {
    const error = asCfError(err, this.request);
    const { env, db } = this.request;
    if (this.claimed && (this.processing || error === tooLarge)) {
      await failUpload(db, this.request.guid, error.detail);
      await deletePackageBits(env.BITS, db, [this.request.guid]);
    } else if (this.claimed) {
      await this.release();
    } else if (error === tooLarge) {
      await this.claim("FAILED", tooLarge.detail);
    }
    return error;
  }
}

/** Receives a package's bits; returns the package READY, or throws the CF error the client gets. */
export async function uploadPackage(request: UploadRequest, raw: Request): Promise<UploadedPackage> {
  const max = request.config.maxPackageSize;
  const tooLarge = packageTooLarge(max);
  const upload = new PackageUpload(request);
  try {
    if (Number(raw.headers.get("Content-Length")) > max) throw tooLarge;
    await upload.claim();
    const form = await readUploadForm(
      meteredBody(raw.body, max, tooLarge),
      multipartBoundary(raw.headers.get("Content-Type") ?? undefined),
      (bits, soFar) => upload.storeBits(bits, soFar.resources),
    );
    const error = formError(form, true);
    if (error) {
      await upload.release();
      throw error;
    }
    return await upload.finish(form.resources);
  } catch (err) {
    throw await upload.fail(err, tooLarge);
  }
}
