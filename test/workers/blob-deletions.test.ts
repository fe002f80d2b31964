// A zip R2 refuses to delete stays queued, with the attempt and R2's reason, and goes on a later run of
// the scheduled handler: a failed delete is never silently dropped. R2 here is the real local bucket;
// only its delete is made to fail, for one run.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { runScheduled } from "./support/bits";

/** The real bucket, except that delete fails as an unavailable R2 would. */
function refusingDeletes(bucket: R2Bucket): R2Bucket {
  return new Proxy(bucket, {
    get(target, property) {
      if (property === "delete") return async () => Promise.reject(new Error("R2 is unavailable"));
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

const queued = (key: string) =>
  env.DB.prepare("SELECT attempts, last_error FROM blob_deletions WHERE key = ?").bind(key).first();

describe("queued R2 deletions", () => {
  it("survive a refused delete and are retried until R2 confirms", async () => {
    const key = `packages/${crypto.randomUUID()}`;
    await env.BITS.put(key, "orphaned zip");
    await env.DB.prepare("INSERT INTO blob_deletions (key, attempts, created_at) VALUES (?, 0, ?)")
      .bind(key, Math.floor(Date.now() / 1000))
      .run();

    await runScheduled({ BITS: refusingDeletes(env.BITS) });
    expect(await queued(key)).toEqual({ attempts: 1, last_error: "R2 is unavailable" });
    expect(await env.BITS.head(key)).not.toBeNull();

    await runScheduled();
    expect(await queued(key)).toBeNull();
    expect(await env.BITS.head(key)).toBeNull();
  });
});
