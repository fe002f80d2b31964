// The list messages every resource list is built from: a comma-list filter given a nested value
// (`names[x]=a`) is CC's "must be an array", and an unknown parameter names the list's valid ones.
import { describe, expect, it } from "vitest";
import { badQueryBody } from "./support/errors";
import { addPackage, createWorld, grant, newUser } from "./support/fixtures";
import { BASE, call, cfError } from "./support/http";
import { packageOf, pagination, type SeededPackage, seedPackage } from "./support/list-seeds";
import { adminToken, token } from "./support/tokens";

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
    ["/v3/organizations", `${COMMON}, 'names', 'label_selector'`],
    ["/v3/spaces", `${COMMON}, 'names', 'organization_guids', 'label_selector'`],
    ["/v3/apps", `${COMMON}, 'names', 'organization_guids', 'space_guids', 'label_selector'`],
    ["/v3/roles", `${COMMON}, 'organization_guids', 'space_guids', 'user_guids', 'types'`],
  ])("%s", async (path, valid) => {
    const reply = await call("GET", `${path}?foo=1`, { token: await adminToken() });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQuery(`Unknown query parameter(s): 'foo'. Valid parameters are: ${valid}`));
  });
});

// Rails' array form (`guids[]=a`, what Ruby's to_query sends): Rack makes it an array, and CC's to_array!
// splits the array's Ruby text (`["a", "b"]`) at its commas. So every list filter of every list accepts it
// (200), filtering by those pieces, which the links repeat; other parameters given so fail their checks.
describe("the array form of list parameters, as CC reads it", () => {
  /** Each list this API serves, with every comma-list filter it takes. */
  async function lists(): Promise<[string, string[]][]> {
    const world = await createWorld();
    const pkg = await addPackage(world.appGuid);
    return [
      ["/v3/organizations", ["guids", "names"]],
      ["/v3/spaces", ["guids", "names", "organization_guids"]],
      ["/v3/apps", ["guids", "names", "organization_guids", "space_guids"]],
      ["/v3/roles", ["guids", "organization_guids", "space_guids", "user_guids", "types"]],
      ["/v3/packages", ["guids", "states", "types", "app_guids", "space_guids", "organization_guids"]],
      [`/v3/apps/${world.appGuid}/packages`, ["guids", "states", "types"]],
      [`/v3/packages/${pkg}/droplets`, ["guids", "app_guids", "organization_guids", "space_guids", "states"]],
      ["/v3/audit_events", ["guids", "types", "target_guids", "space_guids", "organization_guids"]],
    ];
  }

  it("every filter of every list: 200, filtering by the array's Ruby text split at its commas", async () => {
    const admin = await adminToken();
    for (const [path, filters] of await lists()) {
      for (const filter of filters) {
        const reply = await call("GET", `${path}?${filter}[]=a&${filter}[]=b`, { token: admin });
        expect(reply.status, `${path} ${filter}`).toBe(200);
        expect(reply.json.resources, `${path} ${filter}`).toEqual([]);
        // The pieces `["a"` and `"b"]`, joined again by the link.
        expect(new URL(reply.json.pagination.first.href).searchParams.get(filter)).toBe('["a","b"]');
      }
    }
  });

  it("mixed with comma lists and nested: the pieces of Ruby's text, quotes and brackets included", async () => {
    const world = await createWorld();
    const admin = await adminToken();
    const named = async (name: string) => {
      const created = await call("POST", "/v3/apps", {
        token: admin,
        body: { name, relationships: { space: { data: { guid: world.spaceGuid } } } },
      });
      expect(created.status).toBe(201);
      return created.json.guid as string;
    };
    const plain = await named("web");
    const bracketed = await named('["web"]');
    const [first, last] = [await named('["a'), await named('"c"]')];
    const names = async (query: string) => {
      const reply = await call("GET", `/v3/apps?space_guids=${world.spaceGuid}&${query}`, { token: admin });
      expect(reply.status).toBe(200);
      return {
        guids: (reply.json.resources as { guid: string }[]).map((app) => app.guid),
        link: new URL(reply.json.pagination.first.href).searchParams.get("names"),
      };
    };

    expect(await names("names=web")).toEqual({ guids: [plain], link: "web" });
    expect(await names("names[]=web")).toEqual({ guids: [bracketed], link: '["web"]' });
    // ["a,b", "c"] is the text `["a,b", "c"]`: the pieces `["a`, `b"` and `"c"]`.
    expect(await names("names[]=a,b&names[]=c")).toEqual({ guids: [first, last], link: '["a,b","c"]' });
    expect(await names("names[][]=web")).toEqual({ guids: [], link: '[["web"]]' });
    expect(await names("names[][x]=web")).toEqual({ guids: [], link: '[{"x"=>"web"}]' });
    // Rack fills a hash in the array until it meets a key it already has.
    expect(await names("names[][x]=a&names[][y]=b")).toEqual({ guids: [], link: '[{"x"=>"a","y"=>"b"}]' });
    expect(await names("names[][x][y]=1&names[][x][y]=2")).toEqual({
      guids: [],
      link: '[{"x"=>{"y"=>"1"}},{"x"=>{"y"=>"2"}}]',
    });
    expect(await names("names[]=%22%23%7B%5Cn%0A")).toEqual({ guids: [], link: '["\\"\\#{\\\\n\\n"]' });
    // Rack: a later plain value replaces the array; an array after a plain value is its 400.
    expect(await names("names[]=a&names=web")).toEqual({ guids: [plain], link: "web" });
  });

  it.each([
    ["guids=a&guids[]=b", "expected Array (got String) for param `guids'"],
    ["guids[x]=a&guids[]=b", "expected Array (got Hash) for param `guids'"],
    ["guids=a&guids[x]=b", "expected Hash (got String) for param `guids'"],
    [`guids${"[x]".repeat(32)}=a`, "exceeded available parameter key space"],
    ["page[]=1", "Page must be a positive integer"],
    ["per_page[]=10", "Per page must be a positive integer"],
    ["order_by[]=created_at", "Order by can only be: 'created_at', 'updated_at', 'name'"],
    ["label_selector[]=env", "Invalid label_selector value"],
    [
      "created_ats[]=2020-01-01T00:00:00Z",
      "Created ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'",
    ],
    [
      "updated_ats[lt][]=2020-01-01T00:00:00Z",
      "Updated ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'",
    ],
    [
      "created_ats[gt][]=2020-01-01T00:00:00Z&created_ats[gt][]=2020-01-02T00:00:00Z",
      "Created ats only accepts one value when using a relational operator",
    ],
  ])("/v3/apps?%s → 400 %s", async (query, detail) => {
    const reply = await call("GET", `/v3/apps?${query}`, { token: await adminToken() });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQuery(detail));
  });
});

// page, per_page and order_by as CC reads them: Ruby's to_i of the text, and a blank order as none.
describe("page, per_page and order_by read as CC reads them", () => {
  it("page=2abc is page 2 and per_page= 1_0 is 10; a blank order_by is the default order", async () => {
    const reply = await list("/v3/organizations?page=2abc&per_page=%201_0&order_by=");
    expect(reply.status).toBe(200);
    expect(reply.json.pagination.first.href).toBe(`${BASE}/v3/organizations?page=1&per_page=10`);
    expect(reply.json.pagination.previous.href).toBe(`${BASE}/v3/organizations?page=1&per_page=10`);
  });

  it("roles: an absent order_by is CC's created_at, a blank one no order at all", async () => {
    const absent = await list("/v3/roles");
    expect(absent.json.pagination.first.href).toBe(
      `${BASE}/v3/roles?order_by=%2Bcreated_at&page=1&per_page=50`,
    );
    const blank = await list("/v3/roles?order_by=");
    expect(blank.status).toBe(200);
    expect(blank.json.pagination.first.href).toBe(`${BASE}/v3/roles?page=1&per_page=50`);
  });

  it.each([
    ["page=-1", "Page must be a positive integer"],
    ["page=0x10", "Page must be a positive integer"],
    ["per_page=5_001", "Per page must be between 1 and 5000"],
    ["order_by=%20name", "Order by can only be: 'created_at', 'updated_at', 'name'"],
  ])("%s → 400 %s", async (query, detail) => {
    const reply = await list(`/v3/organizations?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQuery(detail));
  });
});

// Huge page numbers: CC refuses a page * per_page past its max_total_results (2^63 - 1) and otherwise
// answers an empty page whose links name exact integers, so following `previous` works.
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

// label_selector (B.12) through the package lists: CC's grammar (=, ==, !=, in, notin, key, !key),
// its key and value rules and messages, the 50-requirement limit, and the selector in pagination links.
const T = 1_710_000_000;

/** An app whose packages carry labels: prod/web, dev with a prefixed key, none, and worker without env. */
async function labelledApp() {
  const world = await createWorld();
  const prod = await seedPackage(world.appGuid, { createdAt: T, labels: { env: "prod", tier: "web" } });
  const dev = await seedPackage(world.appGuid, {
    createdAt: T + 1,
    labels: { env: "dev", "example.com/team": "a" },
    annotations: { note: "not a label" },
  });
  const bare = await seedPackage(world.appGuid, { createdAt: T + 2 });
  const worker = await seedPackage(world.appGuid, { createdAt: T + 3, labels: { tier: "worker" } });
  return { world, prod, dev, bare, worker };
}

type App = Awaited<ReturnType<typeof labelledApp>>;

const select = (app: App, selector: string, bearer: string) =>
  call("GET", `/v3/apps/${app.world.appGuid}/packages?label_selector=${encodeURIComponent(selector)}`, {
    token: bearer,
  });

describe("valid selectors", () => {
  const cases: [string, (app: App) => SeededPackage[]][] = [
    ["env=prod", (a) => [a.prod]],
    ["env==prod", (a) => [a.prod]],
    ["env!=prod", (a) => [a.dev, a.bare, a.worker]],
    ["env in (prod,dev)", (a) => [a.prod, a.dev]],
    ["env notin (prod)", (a) => [a.dev, a.bare, a.worker]],
    ["env", (a) => [a.prod, a.dev]],
    ["!env", (a) => [a.bare, a.worker]],
    ["env,tier=web", (a) => [a.prod]],
    ["tier in (web,worker),!env", (a) => [a.worker]],
    ["example.com/team=a", (a) => [a.dev]],
    ["example.com/team notin (b)", (a) => [a.prod, a.dev, a.bare, a.worker]],
    ["note", () => []],
    ["env=", () => []],
    ["env!=", (a) => [a.prod, a.dev, a.bare, a.worker]],
    ["env in ()", () => []],
    ["env in (prod,)", (a) => [a.prod]],
    [",env=prod,,tier,", (a) => [a.prod]],
    ["ENV=prod", () => []],
  ];

  it.each(cases)("%s", async (selector, expected) => {
    const app = await labelledApp();
    const reply = await select(app, selector, await adminToken());
    expect(reply.status).toBe(200);
    expect(reply.json.resources).toEqual(expected(app).map(packageOf));
  });

  it("repeats the selector in the links as CC encodes it", async () => {
    const app = await labelledApp();
    const path = `/v3/apps/${app.world.appGuid}/packages`;
    const bearer = await adminToken();

    const equal = await select(app, "env=prod", bearer);
    expect(equal.json.pagination).toEqual(
      pagination(path, (p) => `label_selector=env%3Dprod&page=${p}&per_page=50`, 1, 1),
    );
    const set = await select(app, "env in (prod,dev),!tier", bearer);
    expect(set.json.pagination.first.href).toBe(
      `http://api.example.org${path}?label_selector=env+in+%28prod%2Cdev%29%2C%21tier&page=1&per_page=50`,
    );
  });

  it("applies on top of visibility on the global list", async () => {
    const mine = await labelledApp();
    await labelledApp();
    const user = newUser();
    await grant(user, "space_auditor", mine.world);
    const reply = await call("GET", "/v3/packages?label_selector=env", { token: await token(user) });
    expect(reply.json).toEqual({
      pagination: pagination("/v3/packages", (p) => `label_selector=env&page=${p}&per_page=50`, 2, 1),
      resources: [mine.prod, mine.dev].map(packageOf),
    });
  });

  it("reads a long set, commas and all, as one requirement", async () => {
    const app = await labelledApp();
    const reply = await select(app, `env in (${"x,".repeat(3000)}prod),tier`, await adminToken());
    expect(reply.status).toBe(200);
    expect(reply.json.resources).toEqual([packageOf(app.prod)]);
  });

  it("takes 50 requirements of every kind in one statement (one parameter each)", async () => {
    const app = await labelledApp();
    const kinds = ["env in (prod,x)", "tier notin (y,z)", "env", "!other", "tier=web", "env!=dev"];
    const selector = Array.from({ length: 50 }, (_, i) => kinds[i % kinds.length]).join(",");
    const reply = await select(app, selector, await adminToken());
    expect(reply.status).toBe(200);
    expect(reply.json.resources).toEqual([packageOf(app.prod)]);
  });
});

describe("invalid selectors (400 CF-BadQueryParameter)", () => {
  const long = "a".repeat(64);
  it.each([
    ["", "Missing label_selector value"],
    [",,", "Missing label_selector value"],
    [
      Array.from({ length: 51 }, (_, i) => `k${i}`).join(","),
      "Too many label_selector requirements (maximum is 50)",
    ],
    [
      `${Array.from({ length: 51 }, () => "a b").join(",")}`,
      "Too many label_selector requirements (maximum is 50)",
    ],
    ["env=prod, tier=web", "Invalid label_selector value"],
    ["env = prod", "Invalid label_selector value"],
    ["!env=prod", "Invalid label_selector value"],
    ["env=a,b!c", "Invalid label_selector value"],
    ["en$v", "Invalid label_selector value"],
    ["en$v in (a)", "'en$v' contains invalid characters"],
    ["env in (a b)", "'a b' contains invalid characters"],
    ["env in (ok,-a)", "'-a' starts or ends with invalid characters"],
    ["env=a_", "'a_' starts or ends with invalid characters"],
    ["a/b/c=d", "key has more than one '/'"],
    ["foo_/bar=x", "prefix 'foo_' must be in valid dns format"],
    ["com/bar=x", "prefix 'com' must be in valid dns format"],
    ["CloudFoundry.org/x=y", "prefix 'cloudfoundry.org' is reserved"],
    ["example.com/=x", "key cannot be empty string"],
    [" in (a)", "key cannot be empty string"],
    [`${long}=y`, "'aaaaaaaa...' is greater than 63 characters"],
    [`env=${long}`, "'aaaaaaaa...' is greater than 63 characters"],
    ["a b in (x),c=-d", "'a b' contains invalid characters, '-d' starts or ends with invalid characters"],
  ])("%j → %s", async (selector, detail) => {
    const world = await createWorld();
    const reply = await call(
      "GET",
      `/v3/apps/${world.appGuid}/packages?label_selector=${encodeURIComponent(selector)}`,
      {
        token: await adminToken(),
      },
    );
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQueryBody(detail));
  });

  // Forms a backtracking reading would scan to the end once per "(" or per " in (".
  it.each([
    ["unclosed parentheses before a line break", `${"(".repeat(8000)}\n`],
    ["set openers never closed", "env in (".repeat(2000)],
    ["set openers before a line break", `${" in (".repeat(2000)}\nx)`],
  ])("%s: CC's 400", async (_, selector) => {
    const reply = await call("GET", `/v3/packages?label_selector=${encodeURIComponent(selector)}`, {
      token: await adminToken(),
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQueryBody("Invalid label_selector value"));
  });

  it("a nested label_selector is invalid, and other unknown parameters still report", async () => {
    const reply = await call("GET", "/v3/packages?label_selector[x]=env&foo=1", {
      token: await adminToken(),
    });
    expect(reply.json).toEqual(
      badQueryBody(
        "Invalid label_selector value, Unknown query parameter(s): 'foo'. Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'states', 'types', 'app_guids', 'app_guid', 'space_guids', 'organization_guids', 'label_selector'",
      ),
    );
  });
});
