// The /docs reference page in a real browser: Debian's Chromium loads it from `npm start` and Swagger UI
// renders the OpenAPI document. Not part of `npm test` (it needs Chromium): `npm run test:browser`.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOpenApi } from "../../scripts/openapi.mjs";
import { serveForTests, startDevServer } from "../socket/support/servers";
import { launchChromium, openReference } from "./support/reference";

interface Operation {
  method: string;
  path: string;
  summary: string;
}

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/** Every operation of the document, as the page should list it. */
function documentedOperations(): Operation[] {
  const paths: Record<string, Record<string, { summary?: string }>> = loadOpenApi().paths;
  return Object.entries(paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({
        method: method.toUpperCase(),
        path,
        summary: operation.summary ?? "",
      })),
  );
}

/** The routes of the packages API (src/app.ts): the page must list each. */
const PACKAGES_ROUTES = [
  "GET /v3/packages",
  "POST /v3/packages",
  "GET /v3/packages/{guid}",
  "PATCH /v3/packages/{guid}",
  "DELETE /v3/packages/{guid}",
  "POST /v3/packages/{guid}/upload",
  "GET /v3/packages/{guid}/download",
  "GET /v3/packages/{guid}/droplets",
  "GET /v3/apps/{guid}/packages",
  "POST /v3/apps/{guid}/packages",
];

const byRoute = (a: Operation, b: Operation) =>
  `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`);

describe("/docs in Chromium, served by npm start", () => {
  const server = serveForTests(() => startDevServer({}));
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(() => browser?.close());

  it("lists every operation of the document, the packages ones among them, with nothing loaded from elsewhere", async () => {
    const { page, elsewhere, errors } = await openReference(browser, server().origin);
    // What a reader sees: each operation's method, path and summary as rendered text.
    const rendered: Operation[] = [];
    for (const block of await page.locator(".opblock").all()) {
      const text = async (part: string) =>
        // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what this test reads
        (await block.locator(part).innerText()).replaceAll("\u200b", "").trim();
      rendered.push({
        method: await text(".opblock-summary-method"),
        path: await text(".opblock-summary-path"),
        summary: await text(".opblock-summary-description"),
      });
    }
    await page.close();

    const documented = documentedOperations();
    expect(rendered.sort(byRoute)).toEqual(documented.sort(byRoute));
    const packages = rendered.filter(({ method, path }) => PACKAGES_ROUTES.includes(`${method} ${path}`));
    expect(packages.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      [...PACKAGES_ROUTES].sort(),
    );
    for (const operation of packages) expect(operation.summary).not.toBe("");
    expect(packages).toContainEqual({ method: "GET", path: "/v3/packages", summary: "List packages" });
    expect({ elsewhere, errors }).toEqual({ elsewhere: [], errors: [] });
  });
});
