// Huge page numbers: CC refuses a page * per_page past its max_total_results (2^63 - 1) and otherwise
// answers an empty page whose links name exact integers, so following `previous` works.
import { describe, expect, it } from "vitest";
import { badQueryBody } from "./support/errors";
import { createWorld } from "./support/fixtures";
import { BASE, call } from "./support/http";
import { adminToken } from "./support/tokens";

const MAXIMUM_RESULT = "Maximum result (page * per_page) must be less than 9223372036854775807";

const list = async (path: string) => call("GET", path, { token: await adminToken() });

describe("page numbers past 2^53", () => {
  it.each([
    ["page=100000000000000000000000", "/v3/packages"],
    ["page=184467440737095517&per_page=50", "/v3/packages"],
    ["per_page=5000&page=1844674407370956", "/v3/organizations"],
    ["page=9223372036854775807&per_page=2", "/v3/spaces"],
  ])("%s on %s: 400, as CC", async (query, path) => {
    const reply = await list(`${path}?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQueryBody(MAXIMUM_RESULT));
  });

  it("the largest page CC accepts is an empty page whose previous link is exact and answers 200", async () => {
    const world = await createWorld();
    const path = `/v3/apps/${world.appGuid}/packages`;
    // 184467440737095516 * 50 = 9223372036854775800, just within CC's limit; as a double it is ...520.
    const reply = await list(`${path}?page=184467440737095516&per_page=50`);
    expect(reply.status).toBe(200);
    const link = (page: string) => ({ href: `${BASE}${path}?page=${page}&per_page=50` });
    expect(reply.json).toEqual({
      pagination: {
        total_results: 0,
        total_pages: 1,
        first: link("1"),
        last: link("1"),
        next: null,
        previous: link("184467440737095515"),
      },
      resources: [],
    });

    const previous = await call("GET", reply.json.pagination.previous.href, { token: await adminToken() });
    expect(previous.status).toBe(200);
    expect(previous.json.pagination.previous).toEqual(link("184467440737095514"));
  });

  it("keeps the page's digits, not a rounded double, with leading zeros dropped", async () => {
    const reply = await list("/v3/organizations?page=0009007199254740993&per_page=1");
    expect(reply.status).toBe(200);
    expect(reply.json.resources).toEqual([]);
    expect(reply.json.pagination.previous).toEqual({
      href: `${BASE}/v3/organizations?page=9007199254740992&per_page=1`,
    });
  });
});
