// The package the client meant: the zip it uploaded plus the files it named from the resource cache,
// each with the mode the client sent. Written as a new version of the package's key: the uploaded
// entries are copied over unchanged (same offsets), the cached files appended after them, then a
// central directory for all. A cached file replaces an uploaded entry of the same path, as CC's zip does.
// A cached file is used only as the client describes it (its size) and only if the cache could hold it
// (within the cache's size range); the package's unzipped size counts the cached files before a byte is
// written (CC's validate_size!), and its stored size stays within the package maximum as it is written.
import type { Config } from "../../config";
import { CfError } from "../../http/errors";
import { BlobWriter, type StoredBlob } from "./blob-writer";
import type { Fingerprint } from "./fingerprints";
import { resourceKey, SHA1 } from "./resource-cache";
import { type CentralDirectory, tooManyEntries } from "./zip-read";
import { packageTooLarge } from "./zip-scan";
import { writeCentralDirectory, writeEntry } from "./zip-write";

type Limits = Pick<
  Config,
  "maxPackageSize" | "maxUnzippedPackageSize" | "maxPackageEntries" | "resourceMinSize" | "resourceMaxSize"
>;

/** The size of each cached file the fingerprints name, or CC's upload error for one it cannot use. */
async function cachedSizes(
  bucket: R2Bucket,
  fingerprints: Iterable<Fingerprint>,
  limits: Limits,
): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const fingerprint of fingerprints) {
    const { sha1 } = fingerprint;
    if (SHA1.test(sha1) && !sizes.has(sha1)) {
      const cached = await bucket.head(resourceKey(sha1));
      if (cached) sizes.set(sha1, cached.size);
    }
    const size = sizes.get(sha1);
    if (
      size === undefined ||
      size !== fingerprint.size ||
      size < limits.resourceMinSize ||
      size > limits.resourceMaxSize
    ) {
      throw notCached(fingerprint);
    }
  }
  return sizes;
}

const notCached = (fingerprint: Fingerprint) =>
  new CfError(
    "AppBitsUploadInvalid",
    `resource '${fingerprint.path}' (sha1 ${fingerprint.sha1 || "missing"}) is not in the resource cache`,
  );

export async function assemblePackage(
  bucket: R2Bucket,
  key: string,
  uploaded: CentralDirectory | undefined,
  fingerprints: readonly Fingerprint[],
  limits: Limits,
): Promise<StoredBlob> {
  const byPath = new Map(fingerprints.map((fingerprint) => [fingerprint.path, fingerprint]));
  // The assembled package's entries count as an uploaded zip's do, before any R2 read for them.
  const kept = uploaded?.entries.filter((entry) => !byPath.has(entry.name)).length ?? 0;
  if (kept + byPath.size > limits.maxPackageEntries) throw tooManyEntries(limits.maxPackageEntries);
  const sizes = await cachedSizes(bucket, byPath.values(), limits);
  let unzippedSize = 0;
  for (const entry of uploaded?.entries ?? [])
    if (!byPath.has(entry.name)) unzippedSize += entry.uncompressedSize;
  for (const fingerprint of byPath.values()) unzippedSize += sizes.get(fingerprint.sha1)!;
  if (unzippedSize > limits.maxUnzippedPackageSize) throw packageTooLarge(limits.maxUnzippedPackageSize);
  const writer = new BlobWriter(bucket, key);
  try {
    const records: Uint8Array[] = [];
    if (uploaded) {
      const entries = await bucket.get(key, { range: { offset: 0, length: uploaded.offset } });
      if (!entries) throw new Error(`blob ${key} is missing`);
      await writer.writeStream(entries.body);
      for (const entry of uploaded.entries) if (!byPath.has(entry.name)) records.push(entry.record);
    }
    for (const fingerprint of byPath.values()) {
      const cached = await bucket.get(resourceKey(fingerprint.sha1));
      if (!cached || cached.size !== fingerprint.size) throw notCached(fingerprint);
      records.push(await writeEntry(writer, fingerprint.path, fingerprint.mode, cached.body));
      if (writer.size > limits.maxPackageSize) throw packageTooLarge(limits.maxPackageSize);
    }
    await writeCentralDirectory(writer, records);
    return await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
