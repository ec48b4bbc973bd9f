// Billing as the owner works it over the demo calendar: the attended sessions of the last weeks
// become charges, each not-ready charge names its missing link (a note left unsigned), the
// ready ones go out as one 837P batch, which downloads; the set-up page lists the payers and
// refuses a fee that is not an amount beside its field.
//
// usage: node billing.mjs BASE_URL OWNER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node billing.mjs BASE_URL OWNER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.click("nav a:has-text('Billing')");
  await page.waitForURL(`${base}/billing`);
  const to = new Date();
  const from = new Date(to.getTime() - 35 * 24 * 3600 * 1000);
  await page.fill("#from", from.toISOString().slice(0, 10));
  await page.fill("#to", to.toISOString().slice(0, 10));
  await submit(page, "form.period button[type=submit]");
  await submit(page, "button:has-text('Make charges for attended sessions')");
  check((await page.locator("table.charges tbody tr").count()) > 3, "no charges were made");
  const missing = await page.locator("ul.missing li").allTextContents();
  check(missing.some((m) => m.includes("note is not signed")), `no unsigned note named: ${missing}`);
  const ready = await page.locator("td.claim-state.ready").count();
  check(ready > 0, "no charge is ready to claim");
  await page.screenshot({ path: `${shots}/billing-charges.png`, fullPage: true });

  await submit(page, "button:has-text('ready claim')");
  check((await page.textContent(".notice[role=status]")).includes(`batch of ${ready} claim`), "the batch was not made");
  check((await page.locator("td.claim-state:has-text('Claimed (H0000001)')").count()) === 1, "claim numbers do not start at 1");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("table.batches a:has-text('Download 837P')"),
  ]);
  check(download.suggestedFilename() === "claims-000000001.x12", `unexpected file: ${download.suggestedFilename()}`);
  await page.screenshot({ path: `${shots}/billing-sent.png`, fullPage: true });

  await page.click("a:has-text('Billing set-up')");
  await page.waitForURL(`${base}/billing/setup`);
  check((await page.textContent("table.payers")).includes("Aetna"), "the payers are not listed");
  await page.fill("#service_code", "90834");
  await page.fill("#amount", "one fifty");
  await submit(page, "button:has-text('Set the fee')");
  check((await page.textContent("#amount-error")).includes("not an amount"), "a bad fee was not refused beside its field");
  await page.screenshot({ path: `${shots}/billing-setup.png`, fullPage: true });
  check(problems.length === 0, problems.join("\n"));
} finally {
  await browser.close();
}
