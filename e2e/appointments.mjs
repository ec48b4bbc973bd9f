// A clinician's day as the front desk keeps it: book a session for a client found by e-mail;
// booking the same time again lists the overlap and books only when "book anyway" is ticked;
// a no-show without a reason is refused, with one it is recorded on the day; the other session
// moves to noon and is made 80 minutes long.
//
// Then a clinician books a session with a client of their caseload on their own day and opens
// the session's note from it, dated the session's day; they make a calendar feed link, which
// says "Session" and initials but not the client's name, and revoke it.
//
// usage: node appointments.mjs BASE_URL SCHEDULER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, scheduler, clinician, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node appointments.mjs BASE_URL SCHEDULER CLINICIAN SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, scheduler);

  // A client and their e-mail, from the clients page.
  await page.goto(`${base}/clients`);
  const link = page.locator("section:has(h2:has-text('Added lately')) tbody a").first();
  const [family, given] = (await link.textContent()).trim().split(", ");
  await page.goto(`${base}${await link.getAttribute("href")}`);
  const clientEmail = (await page.textContent("dt:has-text('E-mail') + dd")).trim();

  const tomorrow = new Date(Date.now() + 864e5).toISOString().slice(0, 10);
  await page.goto(`${base}/schedule/day`);
  check((await page.getAttribute("nav.tabs a:has-text('Day')", "aria-current")) === "page", "the Day tab is not current");
  await page.fill("#pick-date", tomorrow);
  await submit(page, "#pick-day button[type=submit]");
  async function book() {
    await page.fill("#client", clientEmail);
    await page.fill("#date", tomorrow);
    await page.fill("#time", "10:00");
  }
  await book();
  await submit(page, "#book-form button[type=submit]");
  check((await page.textContent(".notice[role=status]")).includes("Booked"), "no confirmation of the booking");
  const row = page.locator("table.appointments tbody tr").first();
  check((await row.textContent()).includes(`${given} ${family}`) && (await row.textContent()).includes("10:00 AM"), `the day shows: ${await row.textContent()}`);

  // The same client twice is not a couple's session: refused beside the second field.
  await book();
  await page.fill("#with_client", clientEmail);
  await submit(page, "#book-form button[type=submit]");
  check((await page.textContent("#with_client-error")).includes("matches no other client"), "the same client was booked twice");
  await page.fill("#with_client", "");

  // The same time again: the overlap is listed and nothing is booked until "book anyway".
  await book();
  await submit(page, "#book-form button[type=submit]");
  const clashes = await page.textContent("#clashes");
  check(clashes.includes("The clinician is booked") && clashes.includes(`${given} ${family} is booked`), `overlaps: ${clashes}`);
  check((await page.locator("table.appointments tbody tr").count()) === 1, "a double-booking was booked without an override");
  await page.screenshot({ path: `${shots}/appointment-overlap.png`, fullPage: true });
  await page.check("input[name=override_conflicts]");
  await submit(page, "#book-form button[type=submit]");
  check((await page.locator("table.appointments tbody tr").count()) === 2, "the override did not book");

  // A no-show needs a reason.
  const first = page.locator("table.appointments tbody tr").first();
  await first.locator("select[name=status]").selectOption("no_show");
  await submit(page, "table.appointments tbody tr >> nth=0 >> button:has-text('Record')");
  check((await page.textContent(".alert")).includes("reason"), "a no-show without a reason was recorded");
  const again = page.locator("table.appointments tbody tr").first();
  await again.locator("select[name=status]").selectOption("no_show");
  await again.locator("input[name=reason]").fill("Did not answer the reminder call");
  await submit(page, "table.appointments tbody tr >> nth=0 >> button:has-text('Record')");
  check((await page.locator("table.appointments tbody tr").first().textContent()).includes("No-show"), "the no-show is not on the day");
  // The other session moves to noon and lasts 80 minutes.
  const scheduled = page.locator("table.appointments tbody tr:has(form.move)").first();
  await scheduled.locator("input[name=to_time]").fill("12:00");
  await scheduled.locator("input[name=to_minutes]").fill("80");
  await submit(page, "table.appointments tbody tr:has(form.move) >> nth=0 >> button:has-text('Move')");
  check((await page.textContent(".notice[role=status]")).includes("Moved"), "no confirmation of the move");
  check((await page.textContent("table.appointments")).includes("12:00 PM–1:20 PM"), "the session is not at noon for 80 minutes");
  await page.screenshot({ path: `${shots}/day.png`, fullPage: true });

  // The week holds the day: the session at noon under its date.
  await page.goto(`${base}/schedule/week?date=${tomorrow}`);
  const column = page.locator(`.week-day:has(a[href$='date=${tomorrow}'])`);
  check((await column.textContent()).includes("12:00 PM"), `the week does not show the session: ${await column.textContent()}`);
  await page.screenshot({ path: `${shots}/week.png`, fullPage: true });

  // --- the clinician's own day: book a caseload client, open the session's note
  const { page: own, problems: ownProblems } = await signedIn(browser, base, clinician);
  await own.goto(`${base}/clients`);
  await own.click("section:has(h2:has-text('Your caseload')) tbody a >> nth=0");
  await own.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  const chart = own.url();
  const clientName = (await own.textContent("h1")).trim();
  const caseEmail = (await own.textContent("dt:has-text('E-mail') + dd")).trim();
  await own.goto(`${base}/schedule/day?date=${tomorrow}`);
  await own.fill("#client", caseEmail);
  await own.fill("#time", "15:00");
  await Promise.all([own.waitForURL(/booked=1/), own.click("#book-form button[type=submit]")]);
  const session = "table.appointments tbody tr:has-text('3:00 PM')";
  await own.selectOption(`${session} select[name=template]`, "soap");
  await Promise.all([own.waitForURL(/\/notes\//), own.click(`${session} button:has-text('Session note')`)]);
  check(own.url().startsWith(`${chart}/notes/`), `the session note opened elsewhere: ${own.url()}`);
  check((await own.inputValue("#service_date")) === tomorrow, "the note is not dated the session's day");

  // The clinician's calendar feed: a secret link that says "Session" and initials, no name.
  await own.goto(`${base}/schedule/feed`);
  await submit(own, "form[action='/schedule/feed/link'] button");
  const feedLink = await own.inputValue("#new-link");
  await own.screenshot({ path: `${shots}/feed.png`, fullPage: true });
  const feed = await (await own.request.get(feedLink)).text();
  check(feed.includes("BEGIN:VCALENDAR") && feed.includes("SUMMARY:Session ·"), `the feed: ${feed.slice(0, 400)}`);
  for (const part of clientName.split(/\s+/).filter((p) => p.length > 2)) {
    check(!feed.includes(part), `the client's name (${part}) is in the feed`);
  }
  await submit(own, "form[action='/schedule/feed/revoke'] button");
  check((await own.request.get(feedLink)).status() === 404, "a revoked link still opens the feed");
  check(ownProblems.length === 0, `browser reported problems:\n${ownProblems.join("\n")}`);
  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
