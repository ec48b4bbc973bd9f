// A week across a clock change: the owner puts the practice in New York's time zone, books a
// weekly Monday 9:00 series from March 1, 2027 and a session at 2:30 on Sunday March 14 — a
// time the clocks skip, so it starts at 3:30 and the page says so. The week of March 8 shows
// both (screenshot); the week after still has Monday at 9:00.
//
// usage: node dst.mjs BASE_URL OWNER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node dst.mjs BASE_URL OWNER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.goto(`${base}/clients`);
  const link = page.locator("section:has(h2:has-text('Added lately')) tbody a").first();
  await page.goto(`${base}${await link.getAttribute("href")}`);
  const email = (await page.textContent("dt:has-text('E-mail') + dd")).trim();

  await page.goto(`${base}/practice/profile`);
  await page.fill("#time_zone", "America/New_York");
  await submit(page, "form[action='/practice/profile'] button[type=submit]");
  check((await page.textContent(".notice[role=status]")).includes("saved"), "the time zone was not saved");

  await page.goto(`${base}/schedule/day?date=2027-03-01`);
  await page.fill("#client", email);
  await page.fill("#time", "09:00");
  await page.selectOption("#repeat", "1");
  await page.fill("#sessions", "4");
  await submit(page, "#book-form button[type=submit]");
  check((await page.textContent(".notice[role=status]")).includes("Booked"), "the series was not booked");
  const clinician = await page.inputValue("#book-form input[name=clinician]");

  await page.goto(`${base}/schedule/day?clinician=${clinician}&date=2027-03-14`);
  await page.fill("#client", email);
  await page.fill("#time", "02:30");
  await submit(page, "#book-form button[type=submit]");
  const notice = await page.textContent(".notice[role=status]");
  check(notice.includes("2:30 AM does not exist") && notice.includes("3:30 AM"), `the skipped time was not explained: ${notice}`);

  await page.goto(`${base}/schedule/week?clinician=${clinician}&date=2027-03-08`);
  const day = (date) => page.textContent(`.week-day[data-drop-date='${date}']`);
  check((await day("2027-03-08")).includes("9:00 AM"), "Monday before the change is not at 9:00");
  check((await day("2027-03-14")).includes("3:30 AM"), "the Sunday of the change does not show 3:30");
  check((await day("2027-03-14")).includes("Clocks change: EST → EDT"), "the week does not say the clocks change");
  await page.screenshot({ path: `${shots}/week-dst.png`, fullPage: true });
  await page.goto(`${base}/schedule/week?clinician=${clinician}&date=2027-03-15`);
  check((await day("2027-03-15")).includes("9:00 AM"), "Monday after the change is not at 9:00");
  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
