// The list messages every resource list is built from: a comma-list filter given a nested value
// (`names[x]=a`) is CC's "must be an array", and an unknown parameter names the list's valid ones.
import { describe, expect, it } from "vitest";
import { call, cfError } from "./support/http";
import { adminToken } from "./support/tokens";

const badQuery = (detail: string) =>
  cfError(10005, "CF-BadQueryParameter", `The query parameter is invalid: ${detail}`);

const COMMON = "'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids'";

describe("comma-list filters given a nested value (400 CF-BadQueryParameter)", () => {
  it.each([
    ["/v3/organizations", "guids", "Guids"],
    ["/v3/organizations", "names", "Names"],
    ["/v3/spaces", "names", "Names"],
    ["/v3/spaces", "organization_guids", "Organization guids"],
    ["/v3/apps", "names", "Names"],
    ["/v3/apps", "organization_guids", "Organization guids"],
    ["/v3/apps", "space_guids", "Space guids"],
    ["/v3/roles", "guids", "Guids"],
    ["/v3/roles", "organization_guids", "Organization guids"],
    ["/v3/roles", "space_guids", "Space guids"],
    ["/v3/roles", "user_guids", "User guids"],
    ["/v3/roles", "types", "Types"],
  ])("%s?%s[x]=a", async (path, filter, name) => {
    const reply = await call("GET", `${path}?${filter}[x]=a`, { token: await adminToken() });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQuery(`${name} must be an array`));
  });

  it("reports every nested filter, in the list's order", async () => {
    const reply = await call("GET", "/v3/apps?space_guids[x]=a&names[y]=b", { token: await adminToken() });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQuery("Names must be an array, Space guids must be an array"));
  });
});

describe("unknown parameters name the list's valid ones", () => {
  it.each([
    ["/v3/apps", `${COMMON}, 'label_selector', 'names', 'organization_guids', 'space_guids'`],
    ["/v3/roles", `${COMMON}, 'organization_guids', 'space_guids', 'user_guids', 'types'`],
  ])("%s", async (path, valid) => {
    const reply = await call("GET", `${path}?foo=1`, { token: await adminToken() });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQuery(`Unknown query parameter(s): 'foo'. Valid parameters are: ${valid}`));
  });
});
