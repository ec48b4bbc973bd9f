// The compliance page as the owner reaches it from the dashboard: every section with how each
// safeguard stands, the count of what needs attention, the subprocessors; then as printed (no
// navigation, the sections whole). E-mail to clients stays closed until the owner records the mail
// provider's BAA there: the reminders page says so, then no longer.
//
// usage: node compliance.mjs BASE_URL OWNER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn } from "./browser.mjs";

const [base, owner, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node compliance.mjs BASE_URL OWNER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.click("a:has-text('Compliance')");
  await page.waitForURL(`${base}/practice/compliance`);
  const sections = await page.locator("section.compliance h2").allTextContents();
  for (const title of ["Agreements", "Access", "Encryption", "Audit log", "Backups", "42 CFR Part 2", "Subprocessors"]) {
    check(sections.includes(title), `no ${title} section: ${sections}`);
  }
  const attention = await page.locator("dl.findings .badge.warn, table .badge.warn").count();
  const said = await page.textContent("[role=status]");
  check(said.includes(`${attention} item`), `the summary (${said}) does not count the ${attention} marked`);
  const restore = await page.textContent("dt:has-text('Verified restore') + dd");
  check(restore.includes("was restored and checked"), `the drill is not shown: ${restore}`);
  await page.screenshot({ path: `${shots}/compliance.png`, fullPage: true });
  await page.emulateMedia({ media: "print" });
  check(!(await page.locator("nav").isVisible()), "the navigation is printed");
  await page.screenshot({ path: `${shots}/compliance-print.png`, fullPage: true });
  await page.emulateMedia({ media: "screen" });

  const emailClosed = "E-mail reminders are not sent: no business associate agreement with the mail provider";
  await page.goto(`${base}/practice/reminders`);
  check((await page.textContent("main")).includes(emailClosed), "the reminders page does not say e-mail is closed");
  await page.screenshot({ path: `${shots}/reminders-closed.png`, fullPage: true });
  await page.goto(`${base}/practice/compliance`);
  const row = page.locator("tr:has(form.agreement input[name=service][value=email])");
  await row.locator("input[name=signed_on]").fill("2026-01-05");
  await row.locator("input[type=file]").setInputFiles({ name: "baa.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.7 the signed BAA") });
  await row.locator("button:has-text('Record its BAA')").click();
  await page.waitForURL(`${base}/practice/compliance`);
  const recorded = await page.textContent("tr:has-text('E-mail')");
  check(recorded.includes("BAA signed 2026-01-05"), `the e-mail row does not show its BAA: ${recorded}`);
  await page.goto(`${base}/practice/reminders`);
  check(!(await page.textContent("main")).includes("E-mail reminders are not sent"), "e-mail is still closed");
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
