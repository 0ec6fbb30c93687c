// Fills in a deployment's custom run form in the Prefect UI with Debian's headless Chromium and submits it,
// as the kansli would: fields found by their visible labels, dates through the UI's date picker.
// Usage: node runform.mjs URL VALUES.json OUTPUT.png
//   URL: http://HOST:PORT/deployments/deployment/<id>/run
//   VALUES.json: {"Insats": "text", "Datum": {"date": "2021-11-18"}, "Beslut": {"select": "avslås"}, ...}
// Prints JSON: {labels: [the field labels in page order], optional: [those the UI marks "(Optional)"], flowRunId, flowRunUrl}.
import { readFileSync } from "node:fs";
import { launch } from "./chromium.mjs";

const [url, valuesFile, output] = process.argv.slice(2);
const values = JSON.parse(readFileSync(valuesFile, "utf-8"));
const browser = await launch();
try {
  // Tall enough for the whole form in one screenshot (the UI scrolls inside its own pane, not the page).
  const page = await browser.newPage({ viewport: { width: 1400, height: 1900 } });
  await page.goto(url, { waitUntil: "networkidle", timeout: 60000 });
  const labels = page.locator(".schema-form-property-object .schema-form-property-object .schema-form-property__label");
  await labels.first().waitFor({ timeout: 60000 });
  // The UI marks optional fields "(Optional)"; the label itself is the schema's title.
  const shown = (await labels.allInnerTexts()).map((t) => t.trim());
  const bare = (label) => label.replace(/ \(Optional\)$/, "");
  const field = (label) => page.locator(".schema-form-property").filter({
    has: page.locator(":scope > .p-label__header .schema-form-property__label")
      .filter({ hasText: new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( \\(Optional\\))?$`) }),
  });
  for (const [label, value] of Object.entries(values)) {
    const box = field(label);
    if (await box.count() !== 1) throw new Error(`no single field labelled ${label}; the form shows ${shown.join(", ")}`);
    if (value && typeof value === "object" && "date" in value) {
      await box.locator(".p-date-button__control").click();
      const picker = page.locator(".p-pop-over-content .p-date-picker");
      await picker.locator("input[type=date]").fill(value.date);
      await picker.getByRole("button", { name: "Apply" }).click();
    } else if (value && typeof value === "object" && "select" in value) {
      const option = page.locator(".p-select-option").getByText(value.select, { exact: true });
      // The combobox opens from the keyboard (a headless click does not open it), as a kansli's Tab + arrow would.
      await box.locator(".p-select-button__control").focus();
      await page.keyboard.press("ArrowDown");
      await option.click();
    } else {
      await box.locator("textarea, input").first().fill(String(value));
    }
  }
  await page.screenshot({ path: output, fullPage: true });
  // The UI posts the form to the API and goes back to the deployment's page; the run is in the API's answer.
  const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/create_flow_run"),
                                       { timeout: 60000 });
  await page.getByRole("button", { name: "Submit", exact: true }).click();
  const response = await created;
  if (!response.ok()) throw new Error(`the run was not created: ${response.status()} ${await response.text()}`);
  const flowRunId = (await response.json()).id;
  const flowRunUrl = new URL(`/runs/flow-run/${flowRunId}`, url).href;
  console.log(JSON.stringify({ labels: shown.map(bare), optional: shown.filter((l) => l !== bare(l)).map(bare),
                               flowRunId, flowRunUrl }));
} finally {
  await browser.close();
}
