// A weekly series as the front desk keeps it: book eight weekly sessions for a client; a
// second client goes on the waitlist; the third session is cancelled late with its reason and
// its time is offered to the waiting client, who is booked into it in one click; from the second on, the run moves a day later at
// 11:00 ("this and following"), the cancelled week staying as it was; the week view shows the
// moved run, and one session is dragged to another day of its week; from the sixth, the series ends and the rest leaves the calendar.
//
// usage: node series.mjs BASE_URL SCHEDULER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, scheduler, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node series.mjs BASE_URL SCHEDULER SCREENSHOT_DIR");
  process.exit(2);
}

/** The ISO date `days` after `iso`. */
function plus(iso, days) {
  const d = new Date(`${iso}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, scheduler);
  await page.goto(`${base}/clients`);
  const link = page.locator("section:has(h2:has-text('Added lately')) tbody a").first();
  const [family, given] = (await link.textContent()).trim().split(", ");
  await page.goto(`${base}${await link.getAttribute("href")}`);
  const clientEmail = (await page.textContent("dt:has-text('E-mail') + dd")).trim();
  const other = page.locator("section:has(h2:has-text('Added lately')) tbody a").nth(1);
  await page.goto(`${base}/clients`);
  const [otherFamily, otherGiven] = (await other.textContent()).trim().split(", ");
  await page.goto(`${base}${await other.getAttribute("href")}`);
  const otherEmail = (await page.textContent("dt:has-text('E-mail') + dd")).trim();

  const first = plus(new Date().toISOString().slice(0, 10), 2);
  const day = (n, extra = 0) => plus(first, 7 * n + extra);
  const open = async (date) => {
    await page.goto(`${base}/schedule/day?date=${date}`);
  };
  const row = "table.appointments tbody tr";

  // Eight weekly sessions at 9:00.
  await open(first);
  await page.fill("#client", clientEmail);
  await page.fill("#time", "09:00");
  await page.selectOption("#repeat", "1");
  await page.fill("#sessions", "8");
  await submit(page, "#book-form button[type=submit]");
  check((await page.textContent(".notice[role=status]")).includes("Booked"), "no confirmation of the series");
  for (const n of [0, 7]) {
    await open(day(n));
    const text = await page.textContent(row);
    check(text.includes(`${given} ${family}`) && text.includes("9:00 AM") && text.includes("Repeats"), `week ${n + 1}: ${text}`);
  }

  // A second client waits for any morning.
  await page.goto(`${base}/schedule/waitlist`);
  await page.fill("#client", otherEmail);
  await page.fill("#earliest", "08:00");
  await page.fill("#latest", "12:00");
  await submit(page, "#wish-form button[type=submit]");
  check((await page.textContent(".notice[role=status]")).includes("Added"), "not added to the waitlist");
  check((await page.textContent("#waiting")).includes(`${otherGiven} ${otherFamily}`), "the waiting client is not listed");
  await page.screenshot({ path: `${shots}/waitlist.png`, fullPage: true });

  // The third session is cancelled late, with its reason; its time goes to the waiting client.
  await open(day(2));
  await page.selectOption(`${row} select[name=status]`, "late_cancelled");
  await page.fill(`${row} input[name=reason]`, "Car broke down");
  await submit(page, `${row} >> button:has-text('Record')`);
  check((await page.textContent(row)).includes("Cancelled late"), "the late cancellation is not on the day");
  await submit(page, `${row} >> button:has-text('Book ${otherGiven} ${otherFamily}')`);
  check((await page.textContent(".notice[role=status]")).includes("Booked from the waitlist"), "not booked from the waitlist");
  check((await page.locator(`${row}:has-text('${otherGiven} ${otherFamily}')`).count()) === 1, "the waiting client is not on the day");
  await page.goto(`${base}/schedule/waitlist`);
  check(!(await page.textContent("#waiting")).includes(`${otherGiven} ${otherFamily}`), "the booked client still waits");

  // From the second on, a day later at 11:00.
  await open(day(1));
  await page.fill(`${row} input[name=to_date]`, day(1, 1));
  await page.fill(`${row} input[name=to_time]`, "11:00");
  await page.selectOption(`${row} select[name=scope]`, "following");
  await submit(page, `${row} >> button:has-text('Move')`);
  check((await page.textContent(".notice[role=status]")).includes("Moved"), "no confirmation of the move");
  check((await page.textContent(row)).includes("11:00 AM"), "the chosen session is not at 11:00");
  await open(day(1));
  check((await page.locator(row).count()) === 0, "the second session stayed on its old day");
  await open(day(2));
  check((await page.textContent("table.appointments")).includes("Cancelled late"), "the cancelled session moved");
  await open(day(3, 1));
  check((await page.textContent(row)).includes("11:00 AM"), "a following session did not move");

  // The week of the fourth session shows it on its new day.
  await page.goto(`${base}/schedule/week?date=${day(3, 1)}`);
  const column = page.locator(`.week-day:has(a[href$='date=${day(3, 1)}'])`);
  check((await column.textContent()).includes("11:00 AM"), `the week does not show the moved session: ${await column.textContent()}`);
  await page.screenshot({ path: `${shots}/series-week.png`, fullPage: true });

  // Dragged to another day of the week, that one session moves there at the same time.
  const columns = await page.locator(".week-day").evaluateAll((days) => days.map((d) => d.getAttribute("data-drop-date")));
  const from = columns.indexOf(day(3, 1));
  const target = columns[from > 0 ? from - 1 : from + 1];
  await Promise.all([
    page.waitForURL(/moved=1/),
    page.dragAndDrop(`.week-day[data-drop-date='${day(3, 1)}'] li[draggable=true]`, `.week-day[data-drop-date='${target}']`),
  ]);
  await page.waitForSelector(".notice[role=status]");
  check((await page.textContent(`.week-day[data-drop-date='${target}']`)).includes("11:00 AM"), "the dragged session is not on its new day");
  check(!(await page.textContent(`.week-day[data-drop-date='${day(3, 1)}']`)).includes("11:00 AM"), "the dragged session stayed");

  // The series ends at the sixth: it, the seventh and the eighth leave the calendar.
  await open(day(5, 1));
  await submit(page, `${row} >> button:has-text('End series here')`);
  check((await page.textContent(".notice[role=status]")).includes("3 sessions were taken off"), "the series did not end");
  await open(day(7, 1));
  check((await page.locator(row).count()) === 0, "the eighth session is still booked");
  await open(day(4, 1));
  check((await page.textContent(row)).includes("Repeats"), "the fifth session went with the end");
  await page.screenshot({ path: `${shots}/series-day.png`, fullPage: true });
  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
