// Bits copy: COPYING → READY with the source's checksums once R2 has copied the zip (streamed, never
// buffered), or FAILED with the reason. Runs after the response; the watchdog fails a copy that never ends.
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { packageBitsKey } from "./bits-keys";
import { type PackageRow, transitionPackage } from "./store";

async function copyBits(c: Context<AppEnv>, source: PackageRow, copy: PackageRow): Promise<void> {
  const db = c.get("db");
  try {
    const object = await c.env.BITS.get(packageBitsKey(source.guid));
    if (!object) throw new Error("source package has no bits");
    await c.env.BITS.put(packageBitsKey(copy.guid), object.body, {
      httpMetadata: { contentType: "application/zip" },
    });
    const done = await transitionPackage(db, copy.guid, "COPYING", "READY", {
      sha1: source.sha1,
      sha256: source.sha256,
      bitsSize: source.bitsSize,
    });
    // The watchdog failed it meanwhile: the bits are orphaned, so remove them.
    if (!done) await c.env.BITS.delete(packageBitsKey(copy.guid));
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await transitionPackage(db, copy.guid, "COPYING", "FAILED", { error: `failed to copy - ${reason}` });
  }
}

/** Starts the bits copy for a new COPYING package; docker copies are READY already. */
export function startCopy(c: Context<AppEnv>, source: PackageRow, copy: PackageRow): void {
  if (copy.state !== "COPYING") return;
  c.executionCtx.waitUntil(copyBits(c, source, copy));
}
