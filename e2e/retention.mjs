// Records retention as the owner works it: one record past retention and one coming due are
// listed; the one coming due is put under a legal hold; rules out of range and a purge not
// confirmed are refused; the confirmed purge removes the record (its chart is gone) and lists
// it as purged; a practice-wide hold needs its matter, and is released.
//
// usage: node retention.mjs BASE_URL OWNER_EMAIL:PASSWORD PAST_CLIENT SOON_CLIENT SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, past, soon, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node retention.mjs BASE_URL OWNER PAST_CLIENT SOON_CLIENT SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.click("a:has-text('Records retention')");
  await page.waitForURL(`${base}/practice/retention`);
  const pastRow = page.locator("#past tr", { has: page.locator(`a[href='/clients/${past}']`) });
  const soonRow = page.locator("#soon tr", { has: page.locator(`a[href='/clients/${soon}']`) });
  check((await pastRow.count()) === 1, "the record past retention is not listed as past");
  check((await soonRow.count()) === 1, "the record coming due is not listed as coming due");
  const soonName = (await soonRow.locator("td").first().textContent()).trim();

  // Rules out of range: refused, what was typed kept.
  await page.fill("#clinical_years", "5");
  await submit(page, "button:has-text('Save the rules')");
  check((await page.textContent("div.alert")).includes("clinical years must be a whole number of years from 7"), "short retention not refused");
  check((await page.inputValue("#clinical_years")) === "5", "what was typed was lost");

  // The record coming due is held.
  await page.goto(`${base}/practice/retention`);
  await soonRow.locator("input[name=matter]").fill("Records request, Doe v. Roe");
  await submit(page, `#soon tr:has(a[href='/clients/${soon}']) button:has-text('Hold')`);
  check((await soonRow.locator(".badge:has-text('legal hold')").count()) === 1, "the held record shows no hold");
  const holds = await page.textContent("#holds");
  check(holds.includes(soonName) && holds.includes("Doe v. Roe"), `the hold is not listed: ${holds}`);
  await page.screenshot({ path: `${shots}/retention.png`, fullPage: true });

  // A purge not confirmed is refused; confirmed, the record goes.
  await submit(page, `#past tr:has(a[href='/clients/${past}']) button:has-text('Purge now')`);
  check((await page.textContent("div.alert")).includes("cannot be undone"), "an unconfirmed purge was not refused");
  check((await pastRow.count()) === 1, "the record went without confirmation");
  await pastRow.locator("input[name=confirm]").check();
  await submit(page, `#past tr:has(a[href='/clients/${past}']) button:has-text('Purge now')`);
  check((await pastRow.count()) === 0, "the purged record is still listed as past");
  check((await page.textContent("#purges")).includes(past), "the purge is not listed");

  // The whole practice held: the matter is required; released again.
  await submit(page, "button:has-text('Place the hold')");
  check((await page.textContent("div.alert")).includes("matter is required"), "a hold without its matter was not refused");
  await page.fill("#matter", "HHS compliance review 2026");
  await submit(page, "button:has-text('Place the hold')");
  const practiceHold = page.locator("#holds tr", { hasText: "The whole practice" });
  check((await practiceHold.locator(".badge:has-text('in force')").count()) === 1, "the practice-wide hold is not in force");
  await page.screenshot({ path: `${shots}/retention-purged.png`, fullPage: true });
  await submit(page, "#holds tr:has-text('The whole practice') button:has-text('Release')");
  check((await practiceHold.locator(".badge:has-text('in force')").count()) === 0, "the practice-wide hold was not released");

  const gone = await page.goto(`${base}/clients/${past}`);
  check(gone.status() === 404, `the purged chart answers ${gone.status()}`);
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
