// The package the client meant: the zip it uploaded plus the files it named from the resource cache,
// each with the mode the client sent. Written as a new version of the package's key: the uploaded
// entries are copied over unchanged (same offsets), the cached files appended after them, then a
// central directory for all. A cached file replaces an uploaded entry of the same path, as CC's zip does.
import { CfError } from "../../http/errors";
import { BlobWriter, type StoredBlob } from "./blob-writer";
import type { Fingerprint } from "./fingerprints";
import { resourceKey, SHA1 } from "./resource-cache";
import type { CentralDirectory } from "./zip-read";
import { writeCentralDirectory, writeEntry } from "./zip-write";

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
): Promise<StoredBlob> {
  const byPath = new Map(fingerprints.map((fingerprint) => [fingerprint.path, fingerprint]));
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
      const cached = SHA1.test(fingerprint.sha1) ? await bucket.get(resourceKey(fingerprint.sha1)) : null;
      if (!cached) throw notCached(fingerprint);
      records.push(await writeEntry(writer, fingerprint.path, fingerprint.mode, cached.body));
    }
    await writeCentralDirectory(writer, records);
    return await writer.close();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}
