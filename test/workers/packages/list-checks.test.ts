// GET /v3/packages and GET /v3/apps/:guid/packages (B.7): CC's validation messages, checked before any
// lookup, and who sees which packages.
import { describe, expect, it } from "vitest";
import { type Caller, GLOBAL_READERS, ORGANIZATION_ONLY, SPACE_READERS, tokenFor } from "../support/callers";
import { badQueryBody, NOT_AUTHENTICATED, NOT_AUTHORIZED, notFoundBody } from "../support/errors";
import { createWorld, newUser } from "../support/fixtures";
import { call } from "../support/http";
import { appWithPackages, list, pagination, resources } from "../support/list-seeds";
import { adminToken, token } from "../support/tokens";

const T = 1_700_000_000;
const VALID =
  "Valid parameters are: 'page', 'per_page', 'order_by', 'created_ats', 'updated_ats', 'guids', 'states', 'types', 'app_guids', 'app_guid', 'space_guids', 'organization_guids', 'label_selector'";

describe("validation (400 CF-BadQueryParameter, before any lookup)", () => {
  it.each([
    ["page=0", "Page must be a positive integer"],
    ["page=abc", "Page must be a positive integer"],
    ["per_page=0", "Per page must be a positive integer"],
    ["per_page=5001", "Per page must be between 1 and 5000"],
    ["order_by=name", "Order by can only be: 'created_at', 'updated_at'"],
    ["states[x]=READY", "States must be an array"],
    ["types[x]=bits", "Types must be an array"],
    ["guids[x]=g", "Guids must be an array"],
    ["app_guids[x]=g", "App guids must be an array"],
    ["space_guids[x]=g", "Space guids must be an array"],
    ["organization_guids[x]=g", "Organization guids must be an array"],
    [
      "created_ats=yesterday",
      "Created ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'",
    ],
    [
      "updated_ats=2024-02-30T00:00:00Z",
      "Updated ats has an invalid timestamp format. Timestamps should be formatted as 'YYYY-MM-DDThh:mm:ssZ'",
    ],
    ["created_ats[foo]=2024-01-01T00:00:00Z", "Created ats Invalid relational operator: 'foo'"],
    [
      "updated_ats[gt]=2024-01-01T00:00:00Z,2024-01-02T00:00:00Z",
      "Updated ats only accepts one value when using a relational operator",
    ],
    ["label_selector=", "Missing label_selector value"],
    ["invalid=1&bad=2", `Unknown query parameter(s): 'invalid', 'bad'. ${VALID}`],
    ["foo[bar]=1", `Unknown query parameter(s): 'foo'. ${VALID}`],
    [
      "page=0&per_page=9999&order_by=x",
      "Page must be a positive integer, Per page must be between 1 and 5000, Order by can only be: 'created_at', 'updated_at'",
    ],
  ])("%s → %s", async (query, detail) => {
    const reply = await list(`/v3/packages?${query}`, await adminToken());
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(badQueryBody(detail));
  });

  it("on an app's list, filters across apps are unknown (no valid-parameters suffix), after CC's other checks", async () => {
    const world = await createWorld();
    const reply = await list(
      `/v3/apps/${world.appGuid}/packages?space_guids=s&app_guids=a&foo=1&organization_guids=o`,
      await tokenFor(world, "space_developer"),
    );
    expect(reply.json).toEqual(
      badQueryBody(
        `Unknown query parameter(s): 'foo'. ${VALID}, Unknown query parameter(s): 'app_guids', 'organization_guids', 'space_guids'`,
      ),
    );
  });

  it("validates before looking the app up: a bad query on a missing app is 400", async () => {
    const reply = await list(`/v3/apps/${crypto.randomUUID()}/packages?page=0`, await adminToken());
    expect(reply.json).toEqual(badQueryBody("Page must be a positive integer"));
  });

  it("app_guid on /v3/packages makes it that app's list, as CC reads it", async () => {
    const { world, docker, ready, failed } = await appWithPackages(T);
    const bearer = await tokenFor(world, "space_developer");
    const reply = await list(`/v3/packages?app_guid=${world.appGuid}`, bearer);
    expect(reply.json).toEqual({
      pagination: pagination(`/v3/apps/${world.appGuid}/packages`, (p) => `page=${p}&per_page=50`, 3, 1),
      resources: resources(docker, ready, failed),
    });
    expect((await list(`/v3/packages?app_guid=${world.appGuid}&app_guids=x`, bearer)).json).toEqual(
      badQueryBody("Unknown query parameter(s): 'app_guids'"),
    );
  });

  it.each([`app_guid=${crypto.randomUUID()}`, "app_guid[x]=1", "app_guid[]=x"])(
    "%s names no app: 404, as CC's lookup finds none",
    async (query) => {
      const reply = await list(`/v3/packages?${query}`, await adminToken());
      expect({ status: reply.status, body: reply.json }).toEqual({ status: 404, body: notFoundBody("App") });
    },
  );
});

describe("visibility", () => {
  it.each(GLOBAL_READERS)("%s sees every package", async (role) => {
    const one = await appWithPackages(T);
    const two = await appWithPackages(T);
    const bearer = await tokenFor(one.world, role);
    const reply = await list(
      `/v3/packages?space_guids=${one.world.spaceGuid},${two.world.spaceGuid}&types=docker`,
      bearer,
    );
    expect(reply.json.resources).toEqual(resources(one.docker, two.docker));
    expect(
      (await list(`/v3/apps/${one.world.appGuid}/packages?types=docker`, bearer)).json.resources,
    ).toEqual(resources(one.docker));
  });

  it.each(SPACE_READERS)("a %s sees the packages of its space only", async (role) => {
    const mine = await appWithPackages(T);
    const other = await appWithPackages(T);
    const bearer = await tokenFor(mine.world, role);

    const reply = await list("/v3/packages", bearer);
    expect(reply.json).toEqual({
      pagination: pagination("/v3/packages", (p) => `page=${p}&per_page=50`, 3, 1),
      resources: resources(mine.docker, mine.ready, mine.failed),
    });
    expect((await list(`/v3/apps/${mine.world.appGuid}/packages`, bearer)).json.resources).toHaveLength(3);
    expect((await list(`/v3/apps/${other.world.appGuid}/packages`, bearer)).json).toEqual(
      notFoundBody("App"),
    );
  });

  it.each<Caller>([...ORGANIZATION_ONLY, "no_role"])(
    "a user with %s sees an empty list, and 404 for the app's",
    async (role) => {
      const { world } = await appWithPackages(T);
      const bearer = await tokenFor(world, role);

      expect((await list("/v3/packages", bearer)).json).toEqual({
        pagination: pagination("/v3/packages", (p) => `page=${p}&per_page=50`, 0, 1),
        resources: [],
      });
      const nested = await list(`/v3/apps/${world.appGuid}/packages`, bearer);
      expect(nested.status).toBe(404);
      expect(nested.json).toEqual(notFoundBody("App"));
    },
  );

  it("a missing app is 404 App not found, even for admins", async () => {
    const reply = await list(`/v3/apps/${crypto.randomUUID()}/packages`, await adminToken());
    expect(reply.status).toBe(404);
    expect(reply.json).toEqual(notFoundBody("App"));
  });

  it("needs a token (401) with a read scope (403)", async () => {
    expect((await call("GET", "/v3/packages")).json).toEqual(NOT_AUTHENTICATED);
    const writeOnly = await token(newUser(), { scopes: ["cloud_controller.write"] });
    const reply = await list("/v3/apps/x/packages?page=0", writeOnly);
    expect(reply.status).toBe(403);
    expect(reply.json).toEqual(NOT_AUTHORIZED);
  });
});
