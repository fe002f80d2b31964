import { describe, expect, it } from "vitest";
import { developerWorld } from "./support/callers";
import { PARSE_ERROR, unprocessableBody } from "./support/errors";
import { call } from "./support/http";
import { createPackage, packageCount, relationships } from "./support/packages";

describe("message validation (422 CF-UnprocessableEntity, messages joined with ', ')", () => {
  const APP = "app-guid";
  const STRUCTURE = 'Relationships App must be structured like this: "app: {"data": {"guid": "valid-guid"}}"';
  const cases: { name: string; body: Record<string, unknown>; detail: string }[] = [
    {
      name: "empty body",
      body: {},
      detail: "Relationships 'relationships' is not an object, Type must be one of 'bits, docker'",
    },
    {
      name: "unknown top-level keys",
      body: { type: "bits", relationships: relationships(APP), foo: 1, bar: 2 },
      detail: "Unknown field(s): 'foo', 'bar'",
    },
    {
      name: "type outside bits/docker",
      body: { type: "potato", relationships: relationships(APP) },
      detail: "Type must be one of 'bits, docker'",
    },
    {
      name: "relationships not an object",
      body: { type: "bits", relationships: "app" },
      detail: "Relationships 'relationships' is not an object",
    },
    {
      name: "relationships empty",
      body: { type: "bits", relationships: {} },
      detail: "Relationships 'relationships' must include one or more valid relationships",
    },
    {
      name: "relationships without app",
      body: { type: "bits", relationships: { potato: {} } },
      detail: `Relationships Unknown field(s): 'potato', Relationships App can't be blank, ${STRUCTURE}`,
    },
    {
      name: "app empty",
      body: { type: "bits", relationships: { app: {} } },
      detail: `Relationships App can't be blank, ${STRUCTURE}`,
    },
    {
      name: "app without data",
      body: { type: "bits", relationships: { app: { guid: APP } } },
      detail: STRUCTURE,
    },
    {
      name: "app data with extra keys",
      body: { type: "bits", relationships: { app: { data: { guid: APP, name: "x" } } } },
      detail: STRUCTURE,
    },
    {
      name: "app guid not a string",
      body: { type: "bits", relationships: relationships(5) },
      detail:
        "Relationships App guid must be a string, Relationships App guid must be between 1 and 200 characters",
    },
    {
      name: "app guid empty",
      body: { type: "bits", relationships: relationships("") },
      detail: "Relationships App guid must be between 1 and 200 characters",
    },
    {
      name: "app guid over 200 characters",
      body: { type: "bits", relationships: relationships("g".repeat(201)) },
      detail: "Relationships App guid must be between 1 and 200 characters",
    },
    {
      name: "docker without data",
      body: { type: "docker", relationships: relationships(APP) },
      detail: "Data Image must be a string, Data Image required",
    },
    {
      name: "docker with a blank image",
      body: { type: "docker", data: { image: " " }, relationships: relationships(APP) },
      detail: "Data Image required",
    },
    {
      name: "docker image not a string",
      body: { type: "docker", data: { image: 5 }, relationships: relationships(APP) },
      detail: "Data Image must be a string",
    },
    {
      name: "docker data with unknown keys",
      body: { type: "docker", data: { image: "i", birthday: "today" }, relationships: relationships(APP) },
      detail: "Data Unknown field(s): 'birthday'",
    },
    {
      name: "docker credentials not strings",
      body: {
        type: "docker",
        data: { image: "i", username: 1, password: {} },
        relationships: relationships(APP),
      },
      detail: "Data Username must be a string, Data Password must be a string",
    },
    {
      name: "bits with data",
      body: { type: "bits", data: { foobar: "foobaz" }, relationships: relationships(APP) },
      detail: "Data Data must be empty if provided for bits packages",
    },
    {
      name: "bits with an array as data",
      body: { type: "bits", data: [], relationships: relationships(APP) },
      detail: "Data Data must be empty if provided for bits packages",
    },
    {
      name: "metadata, unknown fields, docker data, relationships: in that order",
      body: { relationships: {}, data: {}, type: "docker", extra: 1, metadata: "x" },
      detail:
        "Metadata must be an object, Unknown field(s): 'extra', Data Image must be a string, Data Image required, " +
        "Relationships 'relationships' must include one or more valid relationships",
    },
    {
      name: "metadata, unknown fields, bits data, relationships: in that order",
      body: { relationships: 1, data: { a: 1 }, type: "bits", extra: 1, metadata: { labels: "x" } },
      detail:
        "Metadata 'labels' is not an object, Unknown field(s): 'extra', " +
        "Data Data must be empty if provided for bits packages, Relationships 'relationships' is not an object",
    },
    {
      name: "unknown fields, relationships, type: in that order",
      body: { type: "zip", relationships: "x", junk: true },
      detail:
        "Unknown field(s): 'junk', Relationships 'relationships' is not an object, Type must be one of 'bits, docker'",
    },
  ];

  it.each(cases)("$name", async ({ body, detail }) => {
    const { world, bearer } = await developerWorld();
    const reply = await createPackage(bearer, body);
    expect(reply.status).toBe(422);
    expect(reply.json).toEqual(unprocessableBody(detail));
    expect(await packageCount(world.appGuid)).toBe(0);
  });

  it.each([
    ["not JSON", "{"],
    ["a JSON array", "[]"],
    ["a JSON string", '"bits"'],
  ])("answers 400 CF-MessageParseError for a body that is %s", async (_name, rawBody) => {
    const { bearer } = await developerWorld();
    const reply = await call("POST", "/v3/packages", { token: bearer, rawBody });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(PARSE_ERROR);
  });
});
