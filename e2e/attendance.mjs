// Attendance as the owner reads it, over the demo calendar's past sessions: rates per clinician
// and per client with their bars, most missed first; the fees set, a bad amount refused beside
// its field; the front desk then sees the fees said on the day, and every clinician's next
// Thursday side by side, then only its video sessions, then Room 2's day, and a clinician's day
// whose video sessions have no link until the video service's BAA is recorded.
//
// usage: node attendance.mjs BASE_URL OWNER_EMAIL:PASSWORD SCHEDULER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, scheduler, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node attendance.mjs BASE_URL OWNER SCHEDULER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.goto(`${base}/schedule/attendance`);
  check((await page.locator("#by-clinician tbody tr").count()) > 0, "no clinician rates");
  const rates = await page.locator("#by-client td.rate").allTextContents();
  const percents = rates.map((r) => parseInt(r.trim(), 10));
  check(percents.length > 0 && percents.some((p) => p > 0), `no missed sessions: ${rates}`);
  check(percents.every((p, i) => i === 0 || percents[i - 1] >= p), `not most missed first: ${percents}`);
  check((await page.locator("#by-client svg.bar").count()) === percents.length, "a rate without its bar");

  await page.fill("#late_cancel_fee", "fifty");
  await submit(page, "#fees-form button[type=submit]");
  check((await page.textContent("#late_cancel_fee-error")).includes("amount"), "a bad fee was not refused beside its field");
  await page.fill("#late_cancel_fee", "50");
  await page.fill("#no_show_fee", "75.00");
  await submit(page, "#fees-form button[type=submit]");
  check((await page.textContent(".notice[role=status]")).includes("Saved"), "the fees were not saved");
  await page.screenshot({ path: `${shots}/attendance.png`, fullPage: true });

  const desk = await signedIn(browser, base, scheduler);
  await desk.page.goto(`${base}/schedule/day`);
  check((await desk.page.textContent("#appointments")).includes("a $50.00 fee, a no-show a $75.00 fee"), "the day does not say the fees");

  const thursday = new Date();
  thursday.setUTCDate(thursday.getUTCDate() + ((4 - thursday.getUTCDay() + 7) % 7 || 7));
  const date = thursday.toISOString().slice(0, 10);
  await desk.page.goto(`${base}/schedule/practice?date=${date}`);
  const columns = await desk.page.locator("#practice-day .week-day").count();
  const sessions = await desk.page.locator("#practice-day li.slot").count();
  check(columns >= 3 && sessions > 0, `every clinician's day: ${columns} columns, ${sessions} sessions`);
  await desk.page.screenshot({ path: `${shots}/practice-day.png`, fullPage: true });
  await desk.page.selectOption("#where", "telehealth");
  await submit(desk.page, "#pick-practice-day button[type=submit]");
  const video = await desk.page.locator("#practice-day li.slot").allTextContents();
  check(video.length > 0 && video.length < sessions && video.every((v) => v.includes("video")), `video sessions: ${video}`);
  await desk.page.selectOption("#where", "room:Room 2");
  await submit(desk.page, "#pick-practice-day button[type=submit]");
  const room = await desk.page.locator("#practice-day li.slot").allTextContents();
  check(room.length > 0 && room.every((v) => v.includes("Room 2")), `Room 2's day: ${room}`);

  // Video sessions get no link until the video service's BAA is recorded, and the day says why.
  await desk.page.goto(`${base}/schedule/day?date=${date}`);
  const clinicians = await desk.page.locator("#pick-clinician option").evaluateAll((os) => os.map((o) => o.value));
  let closed = null;
  for (const clinician of clinicians) {
    await desk.page.goto(`${base}/schedule/day?clinician=${clinician}&date=${date}`);
    if ((await desk.page.locator("#video-closed").count()) > 0) {
      closed = await desk.page.textContent("#video-closed");
      break;
    }
  }
  check(closed !== null && closed.includes("business associate agreement"), `no reason for the missing video links: ${closed}`);
  check((await desk.page.locator("a:has-text('Join video')").count()) === 0, "a video link without the BAA");
  await desk.page.screenshot({ path: `${shots}/day-video-closed.png`, fullPage: true });
  check(problems.length === 0 && desk.problems.length === 0, `browser reported problems:\n${problems.concat(desk.problems).join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
