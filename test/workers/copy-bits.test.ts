// The bits copy (src/packages/copy.ts) on real uploaded bits: COPYING → READY with the source's
// checksums and an identical zip streamed R2 to R2 (multi-part sized too), or FAILED with CC's
// `failed to copy - ...`; a copy that ends after the watchdog failed it leaves no bits behind.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bitsField, bitsWorld, HEAVY, packageRow, storedBits, upload } from "./support/bits";
import { addApp, addPackage } from "./support/fixtures";
import { callWithEnv } from "./support/http";
import { buildZip, digest, randomBytes } from "./support/zip";

const copyTo = (bearer: string, sourceGuid: string, appGuid: string) =>
  // callWithEnv waits for the copy the response leaves running (waitUntil).
  callWithEnv({}, "POST", `/v3/packages?source_guid=${sourceGuid}`, {
    token: bearer,
    body: { relationships: { app: { data: { guid: appGuid } } } },
  });

describe("copying bits", () => {
  it.each([
    ["a small package", () => buildZip([{ name: "a.txt", data: "a\n" }])],
    [
      "a package larger than one R2 part",
      () => buildZip([{ name: "big.bin", data: randomBytes(6 * 1024 * 1024) }]),
    ],
  ])(
    "copies %s: READY with the source's checksums and the same zip",
    async (_, makeZip) => {
      const { world, developer, newPackage } = await bitsWorld();
      const source = await newPackage();
      const zip = await makeZip();
      expect((await upload(source, developer, [await bitsField(zip)])).status).toBe(200);
      const target = await addApp(world.spaceGuid);

      const reply = await copyTo(developer, source, target);

      expect(reply.status).toBe(201);
      expect(reply.json.state).toBe("COPYING");
      const copy = reply.json.guid;
      expect(await packageRow(copy)).toMatchObject({
        state: "READY",
        error: null,
        sha1: await digest("SHA-1", zip),
        sha256: await digest("SHA-256", zip),
        bits_size: zip.length,
      });
      expect(await digest("SHA-256", (await storedBits(copy))!)).toBe(await digest("SHA-256", zip));
      expect((await env.BITS.head(`packages/${copy}`))?.httpMetadata?.contentType).toBe("application/zip");
    },
    HEAVY,
  );

  it("fails the copy with CC's prefix when the source's bits are gone", async () => {
    const { world, developer } = await bitsWorld();
    const source = await addPackage(world.appGuid, { state: "READY", sha256: "f".repeat(64) });
    const reply = await copyTo(developer, source, await addApp(world.spaceGuid));
    expect(await packageRow(reply.json.guid)).toMatchObject({
      state: "FAILED",
      error: "failed to copy - source package has no bits",
      sha256: null,
    });
    expect(await storedBits(reply.json.guid)).toBeUndefined();
  });

  it("removes the copied bits when the package stopped COPYING before the copy finished", async () => {
    const { world, developer, newPackage } = await bitsWorld();
    const source = await newPackage();
    const zip = await buildZip([{ name: "a.txt", data: "a\n" }]);
    await upload(source, developer, [await bitsField(zip)]);
    const target = await addApp(world.spaceGuid);
    // A trigger plays the watchdog: the copy's package is FAILED the moment it is created.
    await env.DB.prepare(
      `CREATE TRIGGER copy_timed_out AFTER INSERT ON packages WHEN NEW.state = 'COPYING' AND NEW.app_guid = '${target}'
       BEGIN UPDATE packages SET state = 'FAILED', error = 'timed out' WHERE guid = NEW.guid; END`,
    ).run();
    const reply = await copyTo(developer, source, target);
    await env.DB.prepare("DROP TRIGGER copy_timed_out").run();
    expect(await packageRow(reply.json.guid)).toMatchObject({ state: "FAILED", error: "timed out" });
    expect(await storedBits(reply.json.guid)).toBeUndefined();
  });
});
