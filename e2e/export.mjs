// Exporting the whole practice as the owner does it: a key that is not an age public key is
// refused and named; then an export to the owner's key starts, the list refreshes itself while
// it runs (a progress bar, clients done of all), and once made the archive downloads.
//
// usage: node export.mjs BASE_URL OWNER_EMAIL:PASSWORD AGE_RECIPIENT ARCHIVE_PATH SCREENSHOT_DIR
import { launch, check, signedIn } from "./browser.mjs";

const [base, owner, recipient, archive, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node export.mjs BASE_URL OWNER AGE_RECIPIENT ARCHIVE_PATH SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.click("a:has-text('Export the practice')");
  await page.waitForURL(`${base}/practice/export`);
  check((await page.textContent("#exports")).includes("No exports yet"), "an export is listed before any was started");

  await page.fill("#recipients", "AGE-SECRET-KEY-1 is a private key");
  await Promise.all([page.waitForURL(`${base}/practice/export`), page.click("button:has-text('Start the export')")]);
  const refused = await page.textContent("#recipients-error");
  check(refused.includes("not an age recipient"), `a private key was not refused as a recipient: ${refused}`);

  await page.fill("#recipients", recipient);
  await page.check("input[name=format][value=fhir]");
  await Promise.all([page.waitForURL(`${base}/practice/export`), page.click("button:has-text('Start the export')")]);
  const row = page.locator("#exports tbody tr").first();
  check((await row.textContent()).includes("FHIR R4 bulk data"), "the export started is not listed");
  await page.screenshot({ path: `${shots}/export-running.png`, fullPage: true });
  // The list refreshes itself until the archive is made.
  await page.waitForSelector("#exports a:has-text('Download')", { timeout: 60000 });
  const holds = await page.locator("#exports tbody tr").first().textContent();
  check(/\d+ Patient/.test(holds) && holds.includes("encrypted"), `the finished export does not say what it holds: ${holds}`);
  check((await page.locator("#exports[data-background]").count()) === 0, "the list still refreshes after the export ended");
  await page.screenshot({ path: `${shots}/export-done.png`, fullPage: true });

  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#exports a:has-text('Download')")]);
  check(/^haven-export-fhir-\d{4}-\d{2}-\d{2}\.tar\.age$/.test(download.suggestedFilename()), `unexpected file: ${download.suggestedFilename()}`);
  await download.saveAs(archive);
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
