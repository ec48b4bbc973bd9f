// Documents on a chart as a practice uses them: a clinician uploads outside records (a real
// PDF) and opens them back byte for byte; a web page renamed .pdf is refused beside the file
// field with the title kept; the scheduler adds an insurance card and sees the paperwork only,
// never the clinical records, and cannot open them by address.
//
// usage: node documents.mjs BASE_URL CLINICIAN_EMAIL:PASSWORD SCHEDULER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, clinician, scheduler, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node documents.mjs BASE_URL CLINICIAN SCHEDULER SCREENSHOT_DIR");
  process.exit(2);
}

const pdf = Buffer.from(
  "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" +
    "% Discharge summary, County Hospital\ntrailer << /Root 1 0 R >>\n%%EOF\n",
);
// A 1×1 PNG.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

const browser = await launch();
try {
  const as = (account) => signedIn(browser, base, account);

  // --- the clinician opens a client of their caseload and adds outside records
  const c = await as(clinician);
  await c.page.goto(`${base}/clients`);
  await c.page.click("section:has(h2:has-text('Your caseload')) tbody a >> nth=0");
  await c.page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  const chart = c.page.url();
  await c.page.click("section#documents a.button[href$='/documents']");
  await c.page.waitForURL(`${chart}/documents`);

  // A web page named like a PDF is refused by what it is; the title typed stays.
  await c.page.setInputFiles("#file", { name: "records.pdf", mimeType: "application/pdf", buffer: Buffer.from("<!DOCTYPE html><script>alert(1)</script>") });
  await c.page.selectOption("#kind", "outside_records");
  await c.page.fill("#title", "Hospital discharge summary");
  await submit(c.page, "#upload button[type=submit]");
  const refusal = await c.page.textContent("#file-error");
  check(/web page or script/.test(refusal), `a disguised web page was not refused by its content: ${refusal}`);
  check((await c.page.inputValue("#title")) === "Hospital discharge summary", "the typed title was lost");
  check((await c.page.inputValue("#kind")) === "outside_records", "the chosen kind was lost");
  await c.page.screenshot({ path: `${shots}/document-refused.png`, fullPage: true });

  await c.page.setInputFiles("#file", { name: "discharge.pdf", mimeType: "application/pdf", buffer: pdf });
  await submit(c.page, "#upload button[type=submit]");
  check((await c.page.textContent(".notice")).includes("Added “Hospital discharge summary”"), "no confirmation of the upload");
  const row = c.page.locator("table.documents tr:has-text('Hospital discharge summary')");
  check((await row.textContent()).includes("discharge.pdf · PDF"), `the row does not describe the file: ${await row.textContent()}`);
  const href = await row.locator("a").getAttribute("href");
  const opened = await c.page.request.get(`${base}${href}`);
  check(opened.status() === 200, `opening the document answered ${opened.status()}`);
  check(opened.headers()["content-type"] === "application/pdf", `served as ${opened.headers()["content-type"]}`);
  check(Buffer.compare(await opened.body(), pdf) === 0, "the document came back changed");
  check(/inline; filename="discharge.pdf"/.test(opened.headers()["content-disposition"]), "no file name on the answer");
  await c.page.screenshot({ path: `${shots}/documents.png`, fullPage: true });
  await c.page.goto(chart);
  check((await c.page.textContent("section#documents")).includes("Hospital discharge summary"), "the chart does not list the document");
  await c.page.locator("section#documents").screenshot({ path: `${shots}/chart-documents.png` });

  // --- the scheduler adds the insurance card and sees paperwork only
  const s = await as(scheduler);
  await s.page.goto(`${chart}/documents`);
  const kinds = await s.page.locator("#kind option").allTextContents();
  check(kinds.includes("Insurance card") && !kinds.includes("Records from another provider"), `the front desk is offered ${kinds}`);
  check(!(await s.page.textContent("main")).includes("Hospital discharge summary"), "the front desk sees clinical records");
  await s.page.setInputFiles("#file", { name: "card-front.png", mimeType: "image/png", buffer: png });
  await s.page.selectOption("#kind", "insurance_card");
  await submit(s.page, "#upload button[type=submit]");
  check((await s.page.textContent(".notice")).includes("Added “card-front.png”"), "the card was not added under its file name");
  const refused = await s.page.request.get(`${base}${href}`);
  check(refused.status() === 403, `the front desk opened clinical records (${refused.status()})`);
  await s.page.screenshot({ path: `${shots}/documents-front-desk.png`, fullPage: true });

  // The clinician sees both.
  await c.page.goto(`${chart}/documents`);
  check((await c.page.locator("table.documents tbody tr").count()) === 2, "the care team does not see every document");

  for (const who of [c, s]) check(who.problems.length === 0, `browser reported problems:\n${who.problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
