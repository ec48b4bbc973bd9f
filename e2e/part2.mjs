// 42 CFR Part 2 as a practice lives it: the owner marks the practice a Part 2 program; a
// clinician records an alcohol use disorder, which the chart labels, and its notes with it; the front desk records the
// client's consent to send diagnoses to their doctor; sending notes on it is refused with the
// reason; sending the diagnoses gives a page with the federal notice on top, and the accounting
// of disclosures lists it.
//
// usage: node part2.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCHEDULER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, clinician, scheduler, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node part2.mjs BASE_URL OWNER CLINICIAN SCHEDULER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const as = (account) => signedIn(browser, base, account);

  // --- the owner marks the practice a Part 2 program
  const o = await as(owner);
  await o.page.goto(`${base}/account/security`);
  await o.page.check("input[name=part2_program]");
  await submit(o.page, "form:has(input[name=part2_program]) button[type=submit]");
  await o.page.goto(`${base}/account/security`);
  check(await o.page.isChecked("input[name=part2_program]"), "the Part 2 setting was not kept");

  // --- the clinician records an alcohol use disorder: the chart labels it
  const c = await as(clinician);
  await c.page.goto(`${base}/clients`);
  await c.page.click("section:has(h2:has-text('Your caseload')) tbody a >> nth=0");
  await c.page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  const chart = c.page.url();
  await c.page.fill("#code", "F10.20");
  await submit(c.page, "button:has-text('Add diagnosis')");
  const row = c.page.locator("table.diagnoses tr:has-text('F10.20')");
  check((await row.textContent()).includes("42 CFR Part 2"), "the SUD diagnosis carries no Part 2 label");
  // Its notes carry the label too: a contact note started on the chart is listed with it.
  await c.page.selectOption("#template", "contact");
  await c.page.click("button:has-text('Start note')");
  await c.page.waitForSelector("textarea#contact");
  await c.page.goto(chart);
  check((await c.page.textContent("table.notes tbody tr")).includes("42 CFR Part 2"), "the client's note carries no Part 2 label");

  // --- the front desk records the client's consent: diagnoses to the primary care doctor
  const s = await as(scheduler);
  await s.page.goto(`${chart}/disclosures`);
  check((await s.page.textContent(".notice.part2")).includes("42 CFR Part 2 record"), "the page does not say the record is Part 2");
  await s.page.click("summary:has-text('Record a signed consent')");
  await s.page.fill("#consent-recipient", "Dr. Ana Ruiz, Riverside Primary Care");
  await s.page.fill("#consent-purpose", "Coordination of care");
  await s.page.check("#consent-form input[value=diagnoses]");
  const inAYear = new Date(Date.now() + 365 * 864e5).toISOString().slice(0, 10);
  await s.page.fill("#consent-expires", inAYear);
  await s.page.fill("#consent-signed-by", "<b>Client</b> Name");
  await submit(s.page, "#consent-form button[type=submit]");
  check((await s.page.textContent(".notice[role=status]")).includes("consent is recorded"), "no confirmation of the consent");
  const consents = await s.page.textContent("table.consents");
  check(consents.includes("Dr. Ana Ruiz") && consents.includes("In force") && consents.includes("<b>Client</b>"), `consents: ${consents}`);

  // --- notes on that consent are refused, with the reason; the diagnoses go out with the notice
  await c.page.goto(`${chart}/disclosures`);
  await c.page.selectOption("#basis", "consent");
  await c.page.selectOption("#consent", { index: 1 });
  await c.page.check("#disclosure-form input[value=diagnoses]");
  await c.page.check("#disclosure-form input[value=notes]");
  await submit(c.page, "#disclosure-form button[type=submit]");
  const refusal = await c.page.textContent(".alert");
  check(refusal.includes("does not cover this disclosure"), `notes went out on a diagnoses-only consent: ${refusal}`);
  await c.page.screenshot({ path: `${shots}/disclosure-refused.png`, fullPage: true });
  await c.page.selectOption("#basis", "consent");
  await c.page.selectOption("#consent", { index: 1 });
  await c.page.uncheck("#disclosure-form input[value=notes]");
  await c.page.check("#disclosure-form input[value=diagnoses]");
  await submit(c.page, "#disclosure-form button[type=submit]");
  const notice = await c.page.textContent("#part2-notice");
  check(notice.includes("42 CFR part 2 prohibits unauthorized use or disclosure of these records."), `no notice: ${notice}`);
  const sent = await c.page.textContent("article.disclosure");
  check(sent.includes("F10.20") && sent.includes("Dr. Ana Ruiz"), "the disclosure does not hold what was consented");
  await c.page.screenshot({ path: `${shots}/disclosure-part2.png`, fullPage: true });

  // --- the accounting lists it, marked Part 2
  await c.page.goto(`${chart}/disclosures`);
  const accounting = await c.page.textContent("table.accounting");
  check(accounting.includes("Dr. Ana Ruiz") && accounting.includes("Part 2"), `accounting: ${accounting}`);
  await c.page.screenshot({ path: `${shots}/disclosures.png`, fullPage: true });

  for (const who of [o, c, s]) check(who.problems.length === 0, `browser reported problems:\n${who.problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
