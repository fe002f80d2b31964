// The metadata member (B.12): CC's key and value rules and messages, through package create and update.
import { beforeAll, describe, expect, it } from "vitest";
import { tokenFor } from "../support/callers";
import { unprocessableBody } from "../support/errors";
import { createWorld, type World } from "../support/fixtures";
import { call } from "../support/http";

let world: World;
let bearer: string;

beforeAll(async () => {
  world = await createWorld();
  bearer = await tokenFor(world, "space_developer");
});

const create = (metadata: unknown) =>
  call("POST", "/v3/packages", {
    token: bearer,
    body: { type: "bits", relationships: { app: { data: { guid: world.appGuid } } }, metadata },
  });

const LONG_PREFIX = ["a", "b", "c", "d", "e"].map((c) => c.repeat(61)).join(".");
const VALID_LONG_PREFIX = `${"a".repeat(61)}.sub-part.${"b".repeat(61)}.com`;
const SMILE = "\u{1F600}";

const INVALID: { name: string; metadata: unknown; detail: string }[] = [
  { name: "metadata a string", metadata: "notahash", detail: "Metadata must be an object" },
  { name: "metadata an array", metadata: [], detail: "Metadata must be an object" },
  { name: "metadata null", metadata: null, detail: "Metadata must be an object" },
  {
    name: "keys other than labels and annotations",
    metadata: { other: "stuff", extra: "fields" },
    detail: "Metadata has unexpected field(s): 'other' 'extra'",
  },
  {
    name: "labels not an object",
    metadata: { labels: "potato" },
    detail: "Metadata 'labels' is not an object",
  },
  { name: "labels a number", metadata: { labels: 0 }, detail: "Metadata 'labels' is not an object" },
  {
    name: "annotations not an object",
    metadata: { annotations: ["potato"] },
    detail: "Metadata 'annotations' is not an object",
  },
  {
    name: "every top-level problem, in order",
    metadata: { labels: "x", annotations: "y", foo: 1 },
    detail:
      "Metadata has unexpected field(s): 'foo', Metadata 'labels' is not an object, " +
      "Metadata 'annotations' is not an object",
  },
  {
    name: "label key with an invalid character",
    metadata: { labels: { "potato!": "mashed" } },
    detail: "Metadata label key error: 'potato!' contains invalid characters",
  },
  {
    name: "label key with a space",
    metadata: { labels: { "pot ato": "mashed" } },
    detail: "Metadata label key error: 'pot ato' contains invalid characters",
  },
  ...["-a", "a-", "_a", ".a", "-"].map((key) => ({
    name: `label key ${key}`,
    metadata: { labels: { [key]: "v" } },
    detail: `Metadata label key error: '${key}' starts or ends with invalid characters`,
  })),
  {
    name: "label key over 63 characters",
    metadata: { labels: { ["b".repeat(64)]: "v" } },
    detail: "Metadata label key error: 'bbbbbbbb...' is greater than 63 characters",
  },
  ...["", " ", "example.com/", "/"].map((key) => ({
    name: `label key '${key}'`,
    metadata: { labels: { [key]: "v" } },
    detail: "Metadata label key error: key cannot be empty string",
  })),
  {
    name: "label key with two slashes",
    metadata: { labels: { "example.com/capi/tests": "failing" } },
    detail: "Metadata label key error: key has more than one '/'",
  },
  ...["-a", "a%a.com", "a..com", "onlycom", ""].map((prefix) => ({
    name: `label prefix '${prefix}'`,
    metadata: { labels: { [`${prefix}/key`]: "v" } },
    detail: `Metadata label key error: prefix '${prefix}' must be in valid dns format`,
  })),
  ...["cloudfoundry.org", "CloudFoundry.org"].map((prefix) => ({
    name: `reserved prefix ${prefix}`,
    metadata: { labels: { [`${prefix}/key`]: "v" } },
    detail: "Metadata label key error: prefix 'cloudfoundry.org' is reserved",
  })),
  {
    name: "label prefix over 253 characters",
    metadata: { labels: { [`${LONG_PREFIX}/key`]: "v" } },
    detail: "Metadata label key error: prefix 'aaaaaaaa...' is greater than 253 characters",
  },
  {
    name: "label value with an invalid character",
    metadata: { labels: { potato: "mashed!", release: "é" } },
    detail:
      "Metadata label value error: 'mashed!' contains invalid characters, " +
      "Metadata label value error: 'é' contains invalid characters",
  },
  {
    name: "label value with bad edges",
    metadata: { labels: { key1: "-a", key2: "a_" } },
    detail:
      "Metadata label value error: '-a' starts or ends with invalid characters, " +
      "Metadata label value error: 'a_' starts or ends with invalid characters",
  },
  {
    name: "label value over 63 characters",
    metadata: { labels: { key: "b".repeat(64) } },
    detail: "Metadata label value error: 'bbbbbbbb...' is greater than 63 characters",
  },
  {
    name: "label value that is an object",
    metadata: { labels: { key: { a: 1 } } },
    detail: `Metadata label value error: '{"a":1}' contains invalid characters`,
  },
  {
    name: "label key and value both wrong: key first",
    metadata: { labels: { "-k": "v!" } },
    detail:
      "Metadata label key error: '-k' starts or ends with invalid characters, " +
      "Metadata label value error: 'v!' contains invalid characters",
  },
  {
    name: "annotation key over 63 characters",
    metadata: { annotations: { ["b".repeat(64)]: "value3" } },
    detail: "Metadata annotation key error: 'bbbbbbbb...' is greater than 63 characters",
  },
  {
    name: "annotation key empty",
    metadata: { annotations: { "": "value3" } },
    detail: "Metadata annotation key error: key cannot be empty string",
  },
  {
    name: "annotation key with invalid characters",
    metadata: { annotations: { "Bill tel(1111111)": "contacts" } },
    detail: "Metadata annotation key error: 'Bill tel(1111111)' contains invalid characters",
  },
  {
    name: "annotation value over 5000 characters",
    metadata: { annotations: { key: "a".repeat(5001) } },
    detail: "Metadata annotation value error: 'aaaaaaaa...' is greater than 5000 characters",
  },
  {
    name: "annotation value over 5000 characters, counted and cut as characters",
    metadata: { annotations: { key: SMILE.repeat(5001) } },
    detail: `Metadata annotation value error: '${SMILE.repeat(8)}...' is greater than 5000 characters`,
  },
  {
    name: "annotation value that is an object",
    metadata: { annotations: { key: { a: 1 } } },
    detail: "Metadata annotation value error: value must be a string or null",
  },
  {
    name: "labels before annotations",
    metadata: { annotations: { "": "v" }, labels: { "": "v" } },
    detail:
      "Metadata label key error: key cannot be empty string, Metadata annotation key error: key cannot be empty string",
  },
];

describe("invalid metadata: 422 CF-UnprocessableEntity", () => {
  it.each(INVALID)("$name", async ({ metadata, detail }) => {
    const reply = await create(metadata);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });
});

const VALID: { name: string; metadata: unknown; shown: { labels: object; annotations: object } }[] = [
  {
    name: "label keys and values CC accepts",
    metadata: {
      labels: {
        potato: "mashed",
        p_otato: "mashed",
        "p.otato": "mashed",
        "p-otato": "mashed",
        empty: "",
        yams: null,
        ["a".repeat(63)]: "b".repeat(63),
        "example.com/potato": "mashed",
        [`${VALID_LONG_PREFIX}/release`]: "stable",
        "capi.ci.cf-app.com/dashboard": "green",
        x: "y",
      },
    },
    shown: {
      labels: {
        potato: "mashed",
        p_otato: "mashed",
        "p.otato": "mashed",
        "p-otato": "mashed",
        empty: "",
        ["a".repeat(63)]: "b".repeat(63),
        "example.com/potato": "mashed",
        [`${VALID_LONG_PREFIX}/release`]: "stable",
        "capi.ci.cf-app.com/dashboard": "green",
        x: "y",
      },
      annotations: {},
    },
  },
  {
    name: "annotations with free text, long values and skipped keys",
    metadata: {
      annotations: {
        contacts: "Bill tel(1111111) email(bill@fixme), Bob tel(222222) pager(3333333#555)",
        long: "b".repeat(5000),
        smiles: SMILE.repeat(5000),
        ["b".repeat(64)]: "",
        gone: null,
      },
    },
    shown: {
      labels: {},
      annotations: {
        contacts: "Bill tel(1111111) email(bill@fixme), Bob tel(222222) pager(3333333#555)",
        long: "b".repeat(5000),
        smiles: SMILE.repeat(5000),
        ["b".repeat(64)]: "",
      },
    },
  },
  {
    name: "numbers and booleans, stored as text",
    metadata: { labels: { port: 8080, enabled: true }, annotations: { ratio: 1.5 } },
    shown: { labels: { port: "8080", enabled: "true" }, annotations: { ratio: "1.5" } },
  },
  {
    name: "null or false labels and annotations: nothing to do",
    metadata: { labels: null, annotations: false },
    shown: { labels: {}, annotations: {} },
  },
];

describe("valid metadata", () => {
  it.each(VALID)("$name", async ({ metadata, shown }) => {
    const reply = await create(metadata);
    expect(reply.status).toBe(201);
    expect(reply.json.metadata).toEqual(shown);
    const stored = await call("GET", `/v3/packages/${reply.json.guid}`, { token: bearer });
    expect(stored.json.metadata).toEqual(shown);
  });
});

describe("the same rules on update", () => {
  it.each(
    INVALID.filter(({ name }) =>
      ["label key with an invalid character", "annotation value that is an object"].includes(name),
    ),
  )("PATCH refuses $name", async ({ metadata, detail }) => {
    const created = await create({});
    const reply = await call("PATCH", `/v3/packages/${created.json.guid}`, {
      token: bearer,
      body: { metadata },
    });
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
  });

  it("PATCH stores numbers as text and deletes keys set to null", async () => {
    const created = await create({ labels: { a: "1", b: "2" } });
    const reply = await call("PATCH", `/v3/packages/${created.json.guid}`, {
      token: bearer,
      body: { metadata: { labels: { a: 10, b: null } } },
    });
    expect(reply.status).toBe(200);
    expect(reply.json.metadata).toEqual({ labels: { a: "10" }, annotations: {} });
  });
});
