// Debian's Chromium (/usr/bin/chromium) driven by playwright-core, opening the /docs reference page of a
// running server. Shared by the browser test and `npm run screenshot`.
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's package; playwright-core brings no browser of its own. */
export const CHROMIUM = "/usr/bin/chromium";

// Headless, as root, and quiet: with background networking on, Chromium keeps calling out to hosts this
// machine cannot reach. playwright-core starts each browser on a new, empty --user-data-dir of its own.
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

export interface OpenedReference {
  page: Page;
  /** Requests the page made to any other origin: each was refused, as with no internet. */
  elsewhere: string[];
  /** Errors the page's scripts threw or logged. */
  errors: string[];
}

/** Opens `origin`/docs and waits until Swagger UI has rendered the document's operations. */
export async function openReference(browser: Browser, origin: URL, viewport = { width: 1280, height: 900 }) {
  const page = await browser.newPage({ viewport });
  const opened: OpenedReference = { page, elsewhere: [], errors: [] };
  await page.route("**/*", (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin.origin) return route.continue();
    opened.elsewhere.push(url);
    return route.abort("internetdisconnected");
  });
  page.on("pageerror", (error) => opened.errors.push(error.message));
  page.on("console", (message) => {
    if (message.type() === "error") opened.errors.push(message.text());
  });
  await page.goto(new URL("/docs", origin).href);
  await page.locator(".opblock").first().waitFor({ timeout: 30_000 });
  return opened;
}
