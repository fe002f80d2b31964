// label_selector (B.12) through the package lists: CC's grammar (=, ==, !=, in, notin, key, !key),
// its key and value rules and messages, the 50-requirement limit, and the selector in pagination links.
import { describe, expect, it } from "vitest";
import { badQueryBody } from "./support/errors";
import { createWorld, grant, newUser } from "./support/fixtures";
import { call } from "./support/http";
import { packageOf, pagination, type SeededPackage, seedPackage } from "./support/list-seeds";
import { adminToken, token } from "./support/tokens";

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
