// Bits copy: COPYING → READY with the source's checksums once R2 has copied the zip (streamed, never
// buffered), or FAILED with the reason. Runs after the response; the watchdog fails a copy that never ends.
import type { Context } from "hono";
import { assertWritable } from "../authz/access";
import { createDb } from "../db/client";
import type { AppEnv } from "../env";
import { currentUser } from "../http/auth";
import { type CfError, unprocessable } from "../http/errors";
import { packageBitsKey } from "./bits-keys";
import {
  copyOf,
  findCopyAccess,
  insertPackage,
  type PackageRow,
  type PackageView,
  transitionPackage,
} from "./store";

async function copyBits(c: Context<AppEnv>, source: PackageRow, copy: PackageRow): Promise<void> {
  // Its own db: this runs after the response, and the request's D1 figures are the request's.
  const db = createDb(c.env.DB);
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
function startCopy(c: Context<AppEnv>, source: PackageRow, copy: PackageRow): void {
  if (copy.state !== "COPYING") return;
  c.executionCtx.waitUntil(copyBits(c, source, copy));
}

/** What a missing or invisible destination app or source package is, in each API generation's words. */
export interface CopyRefusals {
  app: () => CfError;
  source: () => CfError;
}

/**
 * Copies the package `sourceGuid` into the app `appGuid`: both must be writable by the caller (checked
 * in one round trip, destination first, as CC does), and not the same app.
 */
export async function copyPackage(
  c: Context<AppEnv>,
  appGuid: string,
  sourceGuid: string,
  refusals: CopyRefusals,
): Promise<PackageView> {
  const user = currentUser(c);
  const db = c.get("db");
  const { app, source } = await findCopyAccess(db, user, appGuid, sourceGuid);
  assertWritable(user, app, refusals.app);
  assertWritable(user, source, refusals.source);
  if (source.package.appGuid === appGuid)
    throw unprocessable("Source and destination app cannot be the same");
  const copy = await insertPackage(db, copyOf(source.package, appGuid));
  startCopy(c, source.package, copy);
  return copy;
}
