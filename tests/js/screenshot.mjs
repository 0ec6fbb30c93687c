// Opens a page of the Prefect UI in Debian's headless Chromium, waits for a text, saves a screenshot.
// Usage: node screenshot.mjs URL TEXT OUTPUT.png [HEIGHT]   (prints the page's visible text as JSON)
// HEIGHT: the window's height (default 1000); the UI scrolls inside its own pane, so a full-page shot is this tall.
import { launch } from "./chromium.mjs";

const [url, text, output, height] = process.argv.slice(2);
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: Number(height || 1000) } });
  await page.goto(url, { waitUntil: "networkidle", timeout: 60000 });
  await page.getByText(text, { exact: false }).first().waitFor({ timeout: 60000 });
  await page.screenshot({ path: output, fullPage: true });
  console.log(JSON.stringify({ title: await page.title(), text: await page.innerText("body") }));
} finally {
  await browser.close();
}
