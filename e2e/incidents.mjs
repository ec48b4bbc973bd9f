// Breach response as the owner works it: a chart is opened, then an incident is recorded for
// today (a refusal first, each field named), the incident page lists the client whose record
// was reached with the deadline to notify, and the draft letter to them opens.
//
// usage: node incidents.mjs BASE_URL OWNER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, firstChart, signedIn, submit } from "./browser.mjs";

const [base, owner, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node incidents.mjs BASE_URL OWNER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  const href = await firstChart(page, base);
  await page.click(`a[href='${href}']`);
  await page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);

  await page.goto(`${base}/dashboard`);
  await page.click("a:has-text('Security incidents')");
  await page.waitForURL(`${base}/practice/incidents`);
  await page.fill("#what_happened", "A printed schedule was left in the waiting room.");
  await submit(page, "button:has-text('Record the incident')");
  check((await page.textContent("#title-error")).includes("required"), "an empty title was not refused beside its field");
  check((await page.inputValue("#what_happened")).includes("waiting room"), "what was typed was lost");
  await page.screenshot({ path: `${shots}/incident-refused.png`, fullPage: true });

  await page.fill("#title", "Schedule left in the waiting room");
  await page.fill("#nature", "Client names and appointment times.");
  await submit(page, "button:has-text('Record the incident')");
  await page.waitForURL(/\/practice\/incidents\/[0-9a-f-]{36}$/);
  const row = page.locator("table.affected tr", { has: page.locator(`a[href='${href}']`) });
  check((await row.count()) === 1, `the client opened (${href}) is not among the affected`);
  const name = (await row.locator("td").first().textContent()).trim();
  check((await page.textContent("dl.facts")).includes("days left"), "no deadline shown");
  await page.screenshot({ path: `${shots}/incident.png`, fullPage: true });

  await row.locator("a:has-text('Draft letter')").click();
  const letter = await page.inputValue("#letter");
  check(letter.includes(`Dear ${name}`) && letter.includes("Client names and appointment times."), `the letter: ${letter}`);
  await page.screenshot({ path: `${shots}/incident-letter.png`, fullPage: true });
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
