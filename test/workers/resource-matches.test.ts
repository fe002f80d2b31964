// POST /v3/resource_matches: CC's validation, the cached subset echoed in the client's order, and the
// round trip a cf push makes (upload caches big files, the next push matches them and leaves them out).
import { describe, expect, it } from "vitest";
import { bitsWorld, cacheResource, storedBits, upload } from "./support/bits";
import { NOT_AUTHORIZED, unprocessableBody } from "./support/errors";
import { newUser } from "./support/fixtures";
import { call } from "./support/http";
import { token } from "./support/tokens";
import { buildZip, digest, randomBytes, readZip } from "./support/zip";

const match = async (body: unknown, bearer?: string) =>
  call("POST", "/v3/resource_matches", { token: bearer ?? (await token(newUser())), body });
const resource = (value: unknown, size: unknown = 1) => ({ checksum: { value }, size_in_bytes: size });
const PREAMBLE = "Resources array contains at least one resource with a";

describe("POST /v3/resource_matches", () => {
  it("answers 201 with the cached resources, in request order, echoing path and mode", async () => {
    const first = await cacheResource(randomBytes(70_000));
    const second = await cacheResource(randomBytes(80_000));
    const resources = [
      { checksum: { value: second }, size_in_bytes: 80_000, path: "b/second.bin", mode: "644" },
      { checksum: { value: "0".repeat(40) }, size_in_bytes: 3, path: "not-cached", mode: "644" },
      { checksum: { value: first.toUpperCase() }, size_in_bytes: 70_000, path: "first.bin", mode: "0755" },
      { checksum: { value: first }, size_in_bytes: 70_000 },
    ];

    const reply = await match({ resources });

    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      resources: [
        { checksum: { value: second }, size_in_bytes: 80_000, path: "b/second.bin", mode: "644" },
        { checksum: { value: first.toUpperCase() }, size_in_bytes: 70_000, path: "first.bin", mode: "0755" },
        { checksum: { value: first }, size_in_bytes: 70_000, path: null, mode: null },
      ],
    });
  });

  it("looks up more than a statement's worth of sha1s (chunked) and returns [] when nothing is cached", async () => {
    const cached = await cacheResource(randomBytes(66_000));
    const resources = Array.from({ length: 250 }, (_, i) => resource(i.toString(16).padStart(40, "f"), 10));
    resources[230] = {
      ...resource(cached, 66_000),
      path: "late.bin",
      mode: "600",
    } as (typeof resources)[number];
    const reply = await match({ resources });
    expect(reply.status).toBe(201);
    expect(reply.json).toEqual({
      resources: [{ checksum: { value: cached }, size_in_bytes: 66_000, path: "late.bin", mode: "600" }],
    });
    expect((await match({ resources: [resource("e".repeat(40))] })).json).toEqual({ resources: [] });
  });

  it.each([
    ["no resources", {}, "Resources must be an array, Resources must have at least 1 resource"],
    ["an empty list", { resources: [] }, "Resources must have at least 1 resource"],
    ["a string", { resources: "abc" }, "Resources must be an array"],
    [
      "too many",
      { resources: Array.from({ length: 5001 }, () => resource("a".repeat(40))) },
      "Resources can have at most 5000 resources)",
    ],
    [
      "bad checksums and sizes, each message once",
      {
        resources: [
          { size_in_bytes: 1 },
          resource(12),
          resource("abc"),
          resource("a".repeat(40), "1"),
          resource("a".repeat(40), -1),
          resource("b".repeat(40), 1.5),
          "not an object",
        ],
      },
      [
        `${PREAMBLE} non-object checksum`,
        `${PREAMBLE} non-string checksum value`,
        `${PREAMBLE} non-SHA1 checksum value`,
        `${PREAMBLE} non-integer size_in_bytes`,
        `${PREAMBLE} negative size_in_bytes`,
      ].join(", "),
    ],
  ])("422s %s", async (_, body, detail) => {
    const reply = await match(body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("needs a token with write scope", async () => {
    const noToken = await call("POST", "/v3/resource_matches", {
      body: { resources: [resource("a".repeat(40))] },
    });
    expect(noToken.status).toBe(401);
    const reader = await token(newUser(), { scopes: ["cloud_controller.read"] });
    const reply = await match({ resources: [resource("a".repeat(40))] }, reader);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });

  it("matches what an earlier upload cached, and a push naming it gets the file back in its package", async () => {
    const { developer, newPackage } = await bitsWorld();
    const big = randomBytes(100_000);
    const sha1 = await digest("SHA-1", big);
    const first = await newPackage();
    const zip = await buildZip([{ name: "vendor/big.bin", data: big, deflate: true }]);
    // Overrides ({}): the call waits for the cache fill the response leaves running.
    expect(
      (await upload(first, developer, [{ name: "bits", filename: "package.zip", data: zip }], {})).status,
    ).toBe(200);

    const wanted = [
      { checksum: { value: sha1 }, size_in_bytes: big.length, path: "vendor/big.bin", mode: "644" },
      {
        checksum: { value: await digest("SHA-1", randomBytes(10)) },
        size_in_bytes: 10,
        path: "new.txt",
        mode: "644",
      },
    ];
    const matched = await match({ resources: wanted }, developer);
    expect(matched.json).toEqual({ resources: [wanted[0]] });

    const second = await newPackage();
    const rest = await buildZip([{ name: "new.txt", data: "fresh\n" }]);
    const reply = await upload(second, developer, [
      { name: "resources", data: JSON.stringify(matched.json.resources) },
      { name: "bits", filename: "package.zip", data: rest },
    ]);
    expect(reply.status).toBe(200);
    const entries = await readZip((await storedBits(second))!);
    expect(entries.map(({ name, mode, data }) => ({ name, mode, size: data.length }))).toEqual([
      { name: "new.txt", mode: 0o100644, size: 6 },
      { name: "vendor/big.bin", mode: 0o100644, size: big.length },
    ]);
    expect(await digest("SHA-1", entries[1]!.data)).toBe(sha1);
  });
});
