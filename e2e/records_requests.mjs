// A request for a record under the right of access, as the owner handles it: logged from a
// client's chart ten days after it arrived, listed with its deadline, its PDF copy fetched,
// extended once, a denial without its ground refused, then closed as answered.
//
// usage: node records_requests.mjs BASE_URL OWNER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, firstChart, signedIn, submit } from "./browser.mjs";

const [base, owner, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node records_requests.mjs BASE_URL OWNER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  const chart = await firstChart(page, base);
  await page.goto(`${base}${chart}`);
  const received = new Date(Date.now() - 10 * 86400 * 1000).toISOString().slice(0, 10);
  await page.fill("#records-request #received_on", received);
  await page.selectOption("#records-request #requester", "representative");
  await submit(page, "#records-request button[type=submit]");
  await page.waitForURL(/\/practice\/records-requests\?done=logged$/);
  check((await page.textContent(".notice[role=status]")).includes("logged"), "the request was not logged");
  const row = page.locator("#open-requests tr[data-request]");
  check((await row.count()) === 1, "the request is not listed");
  const text = await row.textContent();
  check(text.includes(received) && text.includes("personal representative") && /\d+ days left/.test(text), `the row: ${text}`);

  const pdf = await page.request.get(`${base}${await row.locator("a:has-text('PDF')").getAttribute("href")}`);
  check(pdf.status() === 200 && pdf.headers()["content-type"] === "application/pdf", `the copy: ${pdf.status()}`);
  check((await pdf.body()).subarray(0, 4).toString() === "%PDF", "the copy is not a PDF");

  await submit(page, "#open-requests button:has-text('Extend 30 days')");
  check((await page.textContent(".notice[role=status]")).includes("Extended"), "not extended");
  check((await page.locator("#open-requests .badge:has-text('extended')").count()) === 1, "no extended mark");
  check((await page.locator("#open-requests button:has-text('Extend 30 days')").count()) === 0, "offered a second extension");
  await page.selectOption("#open-requests select[name=outcome]", "denied");
  await submit(page, "#open-requests button:has-text('Close')");
  check((await page.textContent(".alert[role=alert]")).includes("ground"), "a denial without its ground was not refused");
  await page.screenshot({ path: `${shots}/records-requests.png`, fullPage: true });

  await page.selectOption("#open-requests select[name=outcome]", "answered");
  await submit(page, "#open-requests button:has-text('Close')");
  check((await page.textContent(".notice[role=status]")).includes("closed"), "not closed");
  check((await page.textContent("#closed-requests")).includes("Answered"), "the closed request is not listed as answered");
  await page.screenshot({ path: `${shots}/records-requests-closed.png`, fullPage: true });
  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
