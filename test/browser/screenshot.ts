// npm run screenshot: docs/reference.png, the README's picture of /docs, taken from a fresh `npm start`
// (its own port and state) in Debian's Chromium.
import { fileURLToPath } from "node:url";
import { startDevServer } from "../socket/support/servers";
import { launchChromium, openReference } from "./support/reference";

const server = await startDevServer({});
const browser = await launchChromium();
try {
  const { page } = await openReference(browser, server.origin, { width: 1280, height: 900 });
  await page.screenshot({ path: fileURLToPath(new URL("../../docs/reference.png", import.meta.url)) });
} finally {
  await browser.close();
  await server.stop();
}
