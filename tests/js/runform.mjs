// Fills in a deployment's custom run form in the Prefect UI (the V2 UI, Prefect's default) with Debian's headless
// Chromium and submits it, as the kansli would: every field found by its visible label and typed into.
// Usage: node runform.mjs URL VALUES.json OUTPUT.png
//   URL: http://HOST:PORT/v2/deployments/deployment/<id>/run
//   VALUES.json: {"Insats": "text", "Datum": "17/12/2026", "Beslut": {"select": "avslås"}, "Extra sammanträde": {"switch": true},
//                 "Huvudman": {"list": ["Gävle kommun", ""]}, ...}   ("" adds a line left empty)
// Prints JSON: {labels: [the field labels in page order], optional: [labels the UI marks "(Optional)"], flowRunId, flowRunUrl}.
import { readFileSync } from "node:fs";
import { launch } from "./chromium.mjs";

const [url, valuesFile, output] = process.argv.slice(2);
const values = JSON.parse(readFileSync(valuesFile, "utf-8"));
const browser = await launch();
try {
  // Tall enough for the whole form in one screenshot.
  const page = await browser.newPage({ viewport: { width: 1400, height: 2600 } });
  await page.goto(url, { waitUntil: "networkidle", timeout: 60000 });
  const all = page.locator("label[data-slot=label]");
  const bare = (label) => label.replace(/ \(Optional\)$/, "");
  const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // The parameters' part of the form is loaded after the page: wait for the first field asked for.
  const first = Object.keys(values)[0];
  await all.filter({ hasText: new RegExp(`^${escape(first)}( \\(Optional\\))?$`) }).first().waitFor({ timeout: 60000 });
  const shown = (await all.allInnerTexts()).map((t) => t.trim())
    .filter((t) => !["Run Name", "Enforce Parameter Schema", "Start"].includes(t));
  // A property: its label sits in a header whose parent holds the input (or the list of inputs).
  const field = (label) => all.filter({ hasText: new RegExp(`^${escape(label)}( \\(Optional\\))?$`) }).locator("xpath=../../..");
  for (const [label, value] of Object.entries(values)) {
    const box = field(label);
    if (await box.count() !== 1) throw new Error(`no single field labelled ${label}; the form shows ${shown.join(", ")}`);
    if (value && typeof value === "object" && "select" in value) {
      await box.locator("fieldset button[aria-haspopup=listbox]").first().click();
      await page.getByRole("option", { name: value.select, exact: true }).click();
    } else if (value && typeof value === "object" && "switch" in value) {
      const toggle = box.getByRole("switch").first();
      if ((await toggle.getAttribute("aria-checked") === "true") !== value.switch) await toggle.click();
    } else if (value && typeof value === "object" && "list" in value) {
      for (const item of value.list) {
        await box.getByRole("button", { name: "Add item" }).click();
        if (item !== "") await box.locator("textarea, input[type=text]").last().fill(item);
      }
    } else {
      const input = box.locator("textarea, input").first();
      await input.click();
      await page.keyboard.type(String(value));  // typed key by key, as a person types
    }
  }
  await page.screenshot({ path: output, fullPage: true });
  // The UI posts the form to the API; the run is in the API's answer.
  const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/create_flow_run"),
                                       { timeout: 60000 });
  await page.getByRole("button", { name: "Submit", exact: true }).click();
  const response = await created;
  if (!response.ok()) throw new Error(`the run was not created: ${response.status()} ${await response.text()}`);
  const flowRunId = (await response.json()).id;
  const flowRunUrl = new URL(`/v2/runs/flow-run/${flowRunId}`, url).href;
  console.log(JSON.stringify({ labels: shown.map(bare), optional: shown.filter((l) => l !== bare(l)).map(bare),
                               flowRunId, flowRunUrl }));
} finally {
  await browser.close();
}
