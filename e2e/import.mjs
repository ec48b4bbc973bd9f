// Importing clients as the owner does it: a SimplePractice-style export is tried (nothing
// changes; the refused row is named with why), imported while a row is refused (nothing goes
// in), then imported put right: the client is created and opens in the chart; a second import
// finds them and creates nobody twice; then the client's appointments, from the same system's
// appointment export, go on the calendar once.
//
// usage: node import.mjs BASE_URL OWNER_EMAIL:PASSWORD WITH_BAD_ROW.csv PUT_RIGHT.csv APPOINTMENTS.csv SCREENSHOT_DIR
import { launch, check, signedIn } from "./browser.mjs";

const [base, owner, bad, good, appointments, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node import.mjs BASE_URL OWNER WITH_BAD_ROW.csv PUT_RIGHT.csv APPOINTMENTS.csv SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.click("a:has-text('Import clients')");
  await page.waitForURL(`${base}/practice/import`);
  const send = async (file, button, input = "#file") => {
    await page.setInputFiles(input, file);
    const target = input === "#file" ? `${base}/practice/import` : `${base}/practice/import/appointments`;
    await Promise.all([page.waitForURL(target), page.click(`button:has-text('${button}')`)]);
    await page.waitForSelector("#report");
  };

  await send(bad, "Try it");
  check((await page.textContent("#report h2")).includes("nothing was changed"), "the dry run does not say it changed nothing");
  const refused = await page.textContent("#refused");
  check(refused.includes("3") && refused.includes("date of birth"), `the refused row is not named with why: ${refused}`);
  check((await page.textContent("#created")).includes("Marisol Vega"), "the client to be created is not listed");
  await page.screenshot({ path: `${shots}/import-tried.png`, fullPage: true });

  await send(bad, "Import the clients");
  check((await page.textContent("#report h2")).includes("Nothing was imported"), "a file with a refused row went in");

  await send(good, "Import the clients");
  check((await page.textContent("#report h2")).includes("1 client imported"), "the client was not imported");
  await page.screenshot({ path: `${shots}/import-done.png`, fullPage: true });
  await Promise.all([page.waitForURL(/\/clients\/[0-9a-f-]{36}$/), page.click("#created a:has-text('Marisol Vega')")]);
  check((await page.textContent("h1")).includes("Marisol Vega"), "the imported client's chart does not open");

  await page.goto(`${base}/practice/import`);
  await send(good, "Import the clients");
  check((await page.textContent("#existing")).includes("Marisol Vega"), "the second import does not find the client");
  check((await page.locator("#created").count()) === 0, "the second import created someone");

  await send(appointments, "Try the appointments", "#appointments-file");
  check((await page.textContent("#report h2")).includes("Tried appointments"), "the appointments' dry run is not said");
  await send(appointments, "Import the appointments", "#appointments-file");
  check((await page.textContent("#report h2")).includes("2 appointments imported"), "the appointments were not imported");
  check((await page.textContent("#created")).includes("Marisol Vega, 2026-11-12 09:00"), "the appointment is not listed");
  await page.locator("#report").screenshot({ path: `${shots}/import-appointments.png` });
  await page.goto(`${base}/practice/import`);
  await send(appointments, "Import the appointments", "#appointments-file");
  check((await page.locator("#existing tr").count()) === 3, "the second import does not find both appointments");
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
