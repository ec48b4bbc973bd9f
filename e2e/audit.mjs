// The audit log as the owner reads it: a clinician signs in and tries the audit page (refused,
// and the refusal, naming the route and the rule, is itself in the log); the owner sees the newest checkpoint on the dashboard,
// opens the log, narrows it to the clinician, to refusals, sorts by action, asks for after-hours
// access, is told plainly about a malformed client id (what was typed stays), and downloads the
// selection as CSV.
//
// usage: node audit.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, clinician, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node audit.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const as = (account) => signedIn(browser, base, account);
  const rows = (page) => page.locator("table.audit tbody tr");

  // --- a clinician may not read the log
  const c = await as(clinician);
  check(!(await c.page.locator("a.navlink:has-text('Audit log')").count()), "a clinician is offered the audit log");
  const refused = await c.page.goto(`${base}/audit`);
  check(refused.status() === 403, `a clinician opened the audit log (${refused.status()})`);

  // --- the owner's dashboard names the newest checkpoint
  const o = await as(owner);
  const card = o.page.locator("section.audit-head");
  check(await card.isVisible(), "the dashboard shows no audit checkpoint");
  const size = Number(await card.locator(".number").textContent());
  check(size >= 3, `the checkpoint covers ${size} events`);
  await o.page.screenshot({ path: `${shots}/audit-dashboard.png`, fullPage: true });

  // --- the whole log, newest first
  await o.page.click("a.navlink:has-text('Audit log')");
  await o.page.waitForURL(`${base}/audit`);
  check((await rows(o.page).count()) >= 3, "the audit log is empty");
  check((await rows(o.page).first().textContent()).includes("auth.sign_in"), "the newest event is not the owner's sign-in");

  // --- the clinician's events only: their sign-in and the refused look at the log
  const [email] = clinician.split(":");
  const options = await o.page.$$eval("#staff option", (all) => all.map((x) => [x.value, x.textContent]));
  const names = options.filter(([value]) => value);
  // Pick the clinician by trying each: the right one lists a refused audit.view.
  let found = false;
  for (const [value, name] of names) {
    await o.page.selectOption("#staff", value);
    await o.page.selectOption("#outcome", "denied");
    await submit(o.page, "button:has-text('Filter')");
    const n = await rows(o.page).count();
    if (n > 0 && (await rows(o.page).first().textContent()).includes("access.denied")) {
      const texts = await rows(o.page).allTextContents();
      check(texts.every((t) => t.includes(name.trim())), "a row of someone else under the clinician's filter");
      check(texts.every((t) => t.includes("Refused")), "an allowed event under the refusals filter");
      found = true;
      break;
    }
  }
  check(found, `the clinician's refused look at the audit log (${email}) is not in the log`);
  check((await rows(o.page).first().textContent()).includes("GET /audit"), "the refusal does not name the route");
  await o.page.screenshot({ path: `${shots}/audit-refusals.png`, fullPage: true });

  // --- everyone again, sorted by action; then after hours
  await o.page.selectOption("#staff", "");
  await o.page.selectOption("#outcome", "");
  await submit(o.page, "button:has-text('Filter')");
  await submit(o.page, "thead a:has-text('Action')");
  const actions = await o.page.locator("table.audit tbody tr td:nth-child(3) code").allTextContents();
  check(actions.join() === [...actions].sort().reverse().join(), `not sorted by action: ${actions}`);
  await submit(o.page, "thead a:has-text('Action')");
  const ascending = await o.page.locator("table.audit tbody tr td:nth-child(3) code").allTextContents();
  check(ascending.join() === [...ascending].sort().join(), `a second click does not turn the order: ${ascending}`);
  await o.page.check("#after_hours");
  await submit(o.page, "button:has-text('Filter')");
  check(o.page.url().includes("after_hours=1"), "the after-hours choice is not in the address");
  check(await o.page.isChecked("#after_hours"), "the after-hours box did not stay checked");

  // --- a malformed client id is refused beside its field, what was typed kept
  await o.page.uncheck("#after_hours");
  await o.page.fill("#client", "Jane Doe");
  await submit(o.page, "button:has-text('Filter')");
  check(await o.page.isVisible("#client-error"), "a malformed client id was not refused beside its field");
  check((await o.page.inputValue("#client")) === "Jane Doe", "the typed client id was lost");
  await o.page.fill("#client", "");
  await submit(o.page, "button:has-text('Filter')");
  await o.page.screenshot({ path: `${shots}/audit-log.png`, fullPage: true });

  // --- the CSV of the same selection, every field
  const href = await o.page.getAttribute("a:has-text('Download CSV')", "href");
  const csv = await o.page.evaluate(async (url) => (await fetch(url)).text(), href);
  const lines = csv.trim().split("\r\n");
  check(lines[0].startsWith("seq,time,actor_kind,actor,actor_name,role,session,action"), `CSV header: ${lines[0]}`);
  check(lines.length - 1 >= (await rows(o.page).count()), "the CSV has fewer rows than the page");

  // --- retention: ten years, under a legal hold; the change is itself in the log
  await o.page.fill("#years", "10");
  await o.page.check("#legal_hold");
  await submit(o.page, "button:has-text('Save retention')");
  check((await o.page.inputValue("#years")) === "10", "the retention did not stay at ten years");
  check(await o.page.isChecked("#legal_hold"), "the legal hold did not stay on");
  await o.page.fill("#action", "audit.retention");
  await submit(o.page, "button:has-text('Filter')");
  check((await rows(o.page).count()) === 1, "the retention change is not in the log");
  await o.page.locator("#retention-title").scrollIntoViewIfNeeded();
  await o.page.screenshot({ path: `${shots}/audit-retention.png`, fullPage: true });

  for (const { problems } of [c, o]) check(problems.length === 0, problems.join("\n"));
  console.log("audit log flow passed");
} finally {
  await browser.close();
}
