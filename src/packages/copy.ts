// Bits copy: COPYING → READY with the source's checksums once R2 has copied the zip (streamed, never
// buffered), or FAILED with the reason. Runs after the response; the watchdog fails a copy that never ends.
import { createDb } from "../db/client";
import type { Bindings } from "../env";
import { packageBitsKey } from "./bits-keys";
import { type PackageRow, transitionPackage } from "./store";

export async function copyBits(env: Bindings, source: PackageRow, copy: PackageRow): Promise<void> {
  // Its own db: this runs after the response, and the request's D1 figures are the request's.
  const db = createDb(env.DB);
  try {
    const object = await env.BITS.get(packageBitsKey(source.guid));
    if (!object) throw new Error("source package has no bits");
    await env.BITS.put(packageBitsKey(copy.guid), object.body, {
      httpMetadata: { contentType: "application/zip" },
    });
    const done = await transitionPackage(db, copy.guid, "COPYING", "READY", {
      sha1: source.sha1,
      sha256: source.sha256,
      bitsSize: source.bitsSize,
    });
    // The watchdog failed it meanwhile: the bits are orphaned, so remove them.
    if (!done) await env.BITS.delete(packageBitsKey(copy.guid));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await transitionPackage(db, copy.guid, "COPYING", "FAILED", { error: `failed to copy - ${reason}` });
  }
}
