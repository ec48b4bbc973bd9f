// Scheduling set-up, as a practice lives it: the owner adds appointment types (a mistake first,
// then right) and edits one; a clinician sets their own working hours, breaks and time off; the
// owner, who had the clinician's calendar open meanwhile, saves over it and is stopped instead of
// overwriting it; the next free slot for the type (which books from the clinician's day) lands in the clinician's hours after the time
// off, outside the break.
//
// usage: node scheduling.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn } from "./browser.mjs";

const [base, owner, clinician, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node scheduling.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const as = (account) => signedIn(browser, base, account);
  // A form that posts and lands on the same address: wait for the new page, not the old one.
  async function submit(page, button) {
    await Promise.all([page.waitForNavigation(), page.click(button)]);
  }

  // --- the owner sets up appointment types
  const o = await as(owner);
  await o.page.click("a.navlink:has-text('Scheduling')");
  await o.page.waitForURL(`${base}/schedule/calendars`);
  await o.page.click("nav.tabs a:has-text('Appointment types')");
  await o.page.waitForURL(`${base}/schedule/types`);

  // A zero length is stopped in the browser; a billable type without a code by the server.
  await o.page.fill("#name", "Psychotherapy, 53 min");
  await o.page.fill("#minutes", "0");
  check(!(await o.page.$eval("#minutes", (el) => el.validity.valid)), "a zero length passes the form");
  await o.page.fill("#minutes", "53");
  await o.page.fill("#service_code", "");
  await submit(o.page, "button:has-text('Add type')");
  check((await o.page.locator("#service_code-error").textContent()).includes("required for a billable type"),
    "a billable type without a code was not refused");
  check((await o.page.inputValue("#name")) === "Psychotherapy, 53 min", "the name typed was lost");
  await o.page.fill("#service_code", "90837");
  await o.page.selectOption("#color", "teal");
  await submit(o.page, "button:has-text('Add type')");
  check(await o.page.locator("table.types td:has-text('Psychotherapy, 53 min')").isVisible(), "type not listed");

  await o.page.fill("#name", "Couples");
  await o.page.fill("#minutes", "80");
  await o.page.fill("#service_code", "90847");
  await o.page.selectOption("#attendance", "family");
  await o.page.fill("#max_clients", "2");
  await o.page.selectOption("#color", "violet");
  await submit(o.page, "button:has-text('Add type')");
  await o.page.click("table.types tr:has-text('Couples') a:has-text('Edit')");
  await o.page.waitForURL(/\/schedule\/types\/[0-9a-f-]+$/);
  // The same type open in a second tab, which will be stale by the time it is saved.
  const other = await o.page.context().newPage();
  await other.goto(o.page.url());
  await o.page.fill("#name", "Couples or family");
  await o.page.fill("#max_clients", "4");
  await submit(o.page, "button:has-text('Save')");
  const edited = o.page.locator("table.types tr:has-text('Couples or family')");
  check((await edited.textContent()).includes("Couple or family, up to 4"), "the edit is not shown");
  await o.page.screenshot({ path: `${shots}/appointment-types.png`, fullPage: true });

  // The stale tab's save is refused; what was typed stays, with what the other save left.
  await other.fill("#minutes", "90");
  await submit(other, "button:has-text('Save')");
  const staleType = await other.locator(".alert").textContent();
  check(/someone else/i.test(staleType) && staleType.includes("Name: Couples or family") &&
    staleType.includes("Most clients: 4") && staleType.includes("Minutes: 80") && !staleType.includes("Colour"), `stale type save: ${staleType}`);
  check((await other.inputValue("#minutes")) === "90", "the minutes typed were lost");
  await other.screenshot({ path: `${shots}/appointment-type-stale-save.png`, fullPage: true });
  // They take the other change in and save again, knowingly.
  await other.fill("#name", "Couples or family");
  await other.fill("#max_clients", "4");
  await other.click("button:has-text('Save')");
  await other.waitForURL(`${base}/schedule/types`);
  check((await other.locator("table.types tr:has-text('Couples or family')").textContent()).includes("90 min"),
    "the second save was lost");
  await other.close();

  // --- the owner opens the clinician's calendar, and leaves it open
  await o.page.click("nav.tabs a:has-text('Calendars')");
  await o.page.waitForURL(`${base}/schedule/calendars`);

  // --- video sessions: the public Jitsi server unless configured; a test room opens on it
  const video = o.page.locator("section:has-text('Video sessions')");
  check((await video.textContent()).includes("https://meet.jit.si"), "the video server is not named");
  check((await video.locator(".alert").textContent()).includes("no BAA"), "the public server's limits are not said");
  const room = await o.page.request.get(`${base}/schedule/test-room`, { maxRedirects: 0 });
  check(room.status() === 303, `test room answered ${room.status()}`);
  check(/^https:\/\/meet\.jit\.si\/[a-z2-7]{26}$/.test(room.headers()["location"]), `test room link: ${room.headers()["location"]}`);

  const c = await as(clinician);
  const clinicianName = (await c.page.locator(".who span").first().textContent()).split(" · ")[0].trim();
  await o.page.click(`table.calendars tr:has-text(${JSON.stringify(clinicianName)}) a:has-text('Edit')`);
  await o.page.waitForURL(/\/schedule\/calendars\/[0-9a-f-]+$/);

  // --- the clinician sets their own hours: only their own calendar is editable
  await c.page.goto(`${base}/schedule/calendars`);
  check((await c.page.locator("table.calendars a:has-text('Edit')").count()) === 1, "a clinician may edit others");
  await c.page.click("table.calendars a:has-text('Edit')");
  await c.page.waitForURL(/\/schedule\/calendars\/[0-9a-f-]+$/);
  await c.page.selectOption("#time_zone", "America/Chicago");
  await c.page.fill("#buffer_minutes", "10");
  for (const day of ["mon", "tue", "wed", "thu", "fri"]) {
    await c.page.fill(`#hours_${day}`, "9-17");
    await c.page.fill(`#breaks_${day}`, "12-13");
  }
  // As people write them: "9-5" and "9am-5pm" are both nine to five.
  await c.page.fill("#hours_wed", "9-5");
  await c.page.fill("#hours_thu", "9am-5pm");
  await c.page.fill("#breaks_fri", "18-19");
  await c.page.check("label.check:has-text('Psychotherapy, 53 min') input");
  await submit(c.page, "button:has-text('Save working hours')");
  check((await c.page.locator("#breaks_fri-error").textContent()).includes("within that day's working hours"),
    "a break outside the hours was not refused");
  check((await c.page.inputValue("#hours_wed")) === "9-5", "the hours typed were lost");
  await c.page.fill("#breaks_fri", "12:00–13:00");
  await submit(c.page, "button:has-text('Save working hours')");
  await c.page.waitForURL(/\/schedule\/calendars\?saved=/);
  check(await c.page.locator(`tr:has-text(${JSON.stringify(clinicianName)}) td:has-text('Mon 09:00-17:00 (break 12:00-13:00)')`).isVisible(),
    "the saved hours are not listed");
  for (const day of ["Wed", "Thu"]) {
    check(await c.page.locator(`tr:has-text(${JSON.stringify(clinicianName)}) td:has-text('${day} 09:00-17:00 (break 12:00-13:00)')`).isVisible(),
      `${day}'s nine to five was not understood`);
  }

  // --- the owner's open form is now stale: saving it is refused, keeps the owner's edit and
  // lists the clinician's hours beside it
  await o.page.fill("#hours_mon", "8-12");
  await o.page.fill("#breaks_mon", "");
  await submit(o.page, "button:has-text('Save working hours')");
  const staleCalendar = await o.page.locator(".alert").textContent();
  check(/someone else changed this calendar/i.test(staleCalendar), "a stale save was not refused");
  check(staleCalendar.includes("Monday hours: 09:00-17:00") && /Types offered: [^\n]*Psychotherapy, 53 min/.test(staleCalendar),
    `the clinician's calendar is not shown: ${staleCalendar}`);
  check((await o.page.inputValue("#hours_mon")) === "8-12", "the owner's edit was lost");
  await o.page.screenshot({ path: `${shots}/calendar-stale-save.png`, fullPage: true });

  // --- time off: from today until three days on, in the clinician's clock
  await c.page.click(`table.calendars tr:has-text(${JSON.stringify(clinicianName)}) a:has-text('Edit')`);
  await c.page.waitForURL(/\/schedule\/calendars\/[0-9a-f-]+$/);
  const day = (offset) => {
    const d = new Date(Date.now() + offset * 86400000);
    return d.toISOString().slice(0, 10);
  };
  await c.page.fill("#starts", `${day(0)}T00:00`);
  await c.page.fill("#ends", `${day(0)}T00:00`);
  await submit(c.page, "button:has-text('Add time off')");
  check((await c.page.locator("#ends-error").textContent()).includes("after the start"), "empty time off accepted");
  await c.page.fill("#ends", `${day(3)}T23:59`);
  await c.page.fill("#label", "Conference");
  await submit(c.page, "button:has-text('Add time off')");
  check(await c.page.locator("table.time-off td:has-text('Conference')").isVisible(), "time off not listed");
  await c.page.screenshot({ path: `${shots}/calendar.png`, fullPage: true });

  // --- the next free slot for the type: the clinician's first working hour after the time off
  await o.page.click("nav.tabs a:has-text('Next free slot')");
  await o.page.waitForURL(`${base}/schedule/next-slot`);
  await o.page.selectOption("#type", { label: "Psychotherapy, 53 min" });
  await o.page.click("button:has-text('Search')");
  await o.page.locator(".slot").waitFor();
  const slot = await o.page.locator(".slot").textContent();
  check(slot.includes(clinicianName), `the slot is not with the clinician: ${slot}`);
  check(/9:00 AM – 9:53 AM C[SD]T/.test(slot), `the slot does not start at 9 in Chicago: ${slot}`);
  const date = new Date(`${(await o.page.locator(".slot .number").textContent()).split(", ").slice(1).join(", ")} 12:00 UTC`);
  check(date.toISOString().slice(0, 10) > day(3), `the slot falls in the time off: ${slot}`);
  check(![0, 6].includes(date.getUTCDay()), `the slot falls on a weekend: ${slot}`);
  check(o.page.url().includes("type="), "the search is not in the address (no way back to it)");
  const others = await o.page.locator("ul.slots li").allTextContents();
  check(others.length === 5 && others.every((t) => t.includes(clinicianName)), `not five more choices: ${others}`);
  await o.page.screenshot({ path: `${shots}/next-free-slot.png`, fullPage: true });
  // "Book this time" opens the clinician's day with the form filled in for it.
  await Promise.all([o.page.waitForURL(/\/schedule\/day\?clinician=.+&time=/), o.page.click(".slot a:has-text('Book this time')")]);
  check(/^\d\d:\d\d$/.test(await o.page.inputValue("#time")), "the booking form's time is not filled in");
  const chosen = await o.page.locator("#appointment_type option:checked").textContent();
  check(chosen.includes("Psychotherapy, 53 min"), `the booking form's session is not the type searched: ${chosen}`);
  await o.page.goto(`${base}/schedule/next-slot`);

  // A type nobody offers finds nothing, and says where to look.
  await o.page.selectOption("#type", { label: "Couples or family" });
  await o.page.click("button:has-text('Search')");
  await o.page.locator("#slot-result:has-text('No free slot')").waitFor();

  const problems = [...o.problems, ...c.problems];
  check(problems.length === 0, `page problems:\n${problems.join("\n")}`);
  console.log("scheduling set-up: ok");
} finally {
  await browser.close();
}
