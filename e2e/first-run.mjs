// First run, as a person does it: open the setup link, make a mistake, fix it, create the
// practice, sign in, look at the dashboard, the sign-in history and the sessions, set up an
// authenticator app, sign out and back in with its code and with a recovery code; the used link
// is then refused, and repeated wrong passwords lock the address with a message saying how long.
//
// usage: node first-run.mjs SETUP_LINK SCREENSHOT_DIR
import { launch, watch, check } from "./browser.mjs";
import { code, currentStep } from "./totp.mjs";

const [link, shots] = process.argv.slice(2);
if (!link || !shots) {
  console.error("usage: node first-run.mjs SETUP_LINK SCREENSHOT_DIR");
  process.exit(2);
}
const base = new URL(link).origin;
const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = watch(page);

  await page.goto(link);
  await page.waitForFunction(() => window.htmx !== undefined);
  check(await page.locator("h1").textContent() === "Welcome to Haven", "setup page heading");
  // haven.js (allowed by the CSP nonce) pre-fills the browser's time zone.
  check((await page.inputValue("#time_zone")) !== "", "time zone not pre-filled by haven.js");

  await page.fill("#practice_name", "Calm Waters Counseling");
  await page.fill("#address_line1", "12 Alder St");
  await page.fill("#address_line2", "Suite 4");
  await page.fill("#city", "Portland");
  await page.fill("#state", "or");
  await page.fill("#postal_code", "97201");
  await page.fill("#npi", "1234567890"); // wrong check digit
  await page.fill("#tax_id", "12-3456789");
  await page.fill("#time_zone", "America/Los_Angeles");
  await page.fill("#display_name", "Rosa Delgado, LMFT");
  await page.fill("#email", "rosa@calmwaters"); // no domain ending: refused by the server
  await page.fill("#password", "password1234"); // long enough, but guessable
  await page.fill("#password_confirm", "password1234");
  await page.click("button[type=submit]");

  const npiError = page.locator("#npi-error");
  await npiError.waitFor();
  check((await npiError.textContent()).includes("invalid check digit"), "NPI error not shown");
  const weak = await page.locator("#password-error").textContent();
  check(weak.includes("too easy to guess") && weak.includes("common"), `weak password not explained: ${weak}`);
  check(await page.locator("#email-error").isVisible(), "the address is not refused beside the password");
  check((await page.inputValue("#practice_name")) === "Calm Waters Counseling", "entered values lost");
  await page.screenshot({ path: `${shots}/setup-errors.png`, fullPage: true });

  // A good password is kept while something else is still wrong.
  await page.fill("#email", "rosa@calmwaters.example");
  await page.fill("#password", "tide pools at dawn");
  await page.fill("#password_confirm", "tide pools at dawn");
  await page.click("button[type=submit]");
  // The answer has replaced the page once the password's error is gone and the NPI's remains.
  await page.locator("#password-error").waitFor({ state: "detached" });
  await page.locator("#npi-error").waitFor();
  check((await page.inputValue("#password")) === "tide pools at dawn", "an accepted password was cleared");
  await page.fill("#npi", "1234567893");
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/sign-in?welcome=1`);
  check(await page.locator(".notice").isVisible(), "welcome notice missing");
  await page.screenshot({ path: `${shots}/sign-in-welcome.png` });

  await page.fill("#email", "rosa@calmwaters.example");
  await page.fill("#password", "not the password");
  await page.click("button[type=submit]");
  await page.locator(".alert").waitFor();
  check((await page.locator(".alert").textContent()).includes("not correct"), "wrong password not reported");

  await page.fill("#password", "tide pools at dawn");
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/dashboard`);
  check((await page.locator("h1").textContent()).trim() === "Calm Waters Counseling", "dashboard heading");
  check((await page.locator("table tbody tr").count()) === 1, "staff table should list the owner");
  check((await page.locator("td", { hasText: "Rosa Delgado, LMFT" }).count()) === 1, "owner not listed");
  check((await page.locator("section:has(h2:text-is('Practice')) .facts").textContent()).includes("Suite 4"), "address line 2 missing");
  await page.screenshot({ path: `${shots}/dashboard.png`, fullPage: true });

  // Before client data, the owner accepts the Business Associate Agreement (DL-1).
  check((await page.locator(".alert").textContent()).includes("Business Associate Agreement"), "agreement not asked for");
  await page.click("a:has-text('Business Associate Agreement')");
  await page.waitForURL(`${base}/practice/agreement`);
  check((await page.locator(".agreement").textContent()).includes("45 CFR"), "agreement text missing");
  await page.check("input[name=agree]");
  await page.click("text=Accept the agreement");
  await page.locator(".notice").waitFor();
  check((await page.locator(".notice").textContent()).includes("Accepted by you"), "acceptance not recorded");
  await page.screenshot({ path: `${shots}/agreement.png`, fullPage: true });
  await page.click("text=Dashboard");
  await page.waitForURL(`${base}/dashboard`);
  check((await page.locator(".alert").count()) === 0, "agreement still asked for");

  // The owner's sign-in history shows the failed attempt and the sign-in, and filters them.
  await page.click("text=Sign-in history");
  await page.waitForURL(`${base}/sign-ins`);
  check((await page.locator("tr.event-failed").count()) === 1, "failed attempt not in the history");
  check((await page.locator("tr.event-signed_in").count()) === 1, "sign-in not in the history");
  check((await page.locator("tr.event-failed td").nth(3).textContent()) === "127.0.0.1", "address not recorded");
  check((await page.locator("tr.event-failed td.agent").textContent()) === "Chrome on Linux", "browser not recorded");
  await page.selectOption("#kind", "failed");
  await page.click("button:has-text('Filter')");
  await page.waitForURL(/kind=failed/);
  check((await page.locator("tbody tr").count()) === 1, "filter by event did not apply");
  const csv = await page.request.get(`${base}/sign-ins.csv?kind=failed`);
  const csvText = await csv.text();
  check(csv.headers()["content-type"].startsWith("text/csv"), "CSV content type");
  check(csvText.startsWith("time,event,email,ip,user_agent") && csvText.includes(",failed,rosa@calmwaters.example,127.0.0.1,"), `CSV:\n${csvText}`);
  await page.selectOption("#kind", "");
  await page.click("button:has-text('Filter')");
  await page.waitForURL(/kind=&/);
  await page.screenshot({ path: `${shots}/sign-in-history.png`, fullPage: true });
  await page.click("text=Dashboard");
  await page.waitForURL(`${base}/dashboard`);

  // Signed in on a second browser too: both sessions are listed, and "sign out everywhere
  // else" ends the other one.
  const other = await browser.newContext();
  const otherPage = await other.newPage();
  await otherPage.goto(`${base}/sign-in`);
  await otherPage.fill("#email", "rosa@calmwaters.example");
  await otherPage.fill("#password", "tide pools at dawn");
  await otherPage.click("button[type=submit]");
  await otherPage.waitForURL(`${base}/dashboard`);
  await page.click("text=Your sessions");
  await page.waitForURL(`${base}/account/sessions`);
  check((await page.locator("tbody tr").count()) === 2, "both sessions should be listed");
  check((await page.locator("tr.current").count()) === 1, "this browser not marked");
  await page.screenshot({ path: `${shots}/sessions.png`, fullPage: true });
  await page.click("text=Sign out everywhere else");
  await page.waitForURL(`${base}/account/sessions`);
  await page.locator("text=You are signed in here only.").waitFor();
  check((await page.locator("tbody tr").count()) === 1, "the other session is still listed");
  await otherPage.goto(`${base}/dashboard`);
  check(otherPage.url() === `${base}/sign-in`, "the other browser is still signed in");
  await other.close();
  await page.click("text=Dashboard");
  await page.waitForURL(`${base}/dashboard`);

  // Set up an authenticator app: QR code, a first code to confirm, recovery codes shown once.
  await page.click("text=Sign-in security");
  await page.waitForURL(`${base}/account/security`);
  await page.click("button:has-text('Set up an authenticator app')");
  await page.waitForURL(`${base}/account/totp`);
  check((await page.locator(".qr svg").count()) === 1, "no QR code");
  const secret = (await page.locator("code.secret").textContent()).trim();
  await page.fill("#code", "000000");
  await page.click("text=Turn on");
  await page.locator(".alert").waitFor();
  check((await page.locator(".qr svg").count()) === 1, "QR code gone after a wrong code");
  await page.screenshot({ path: `${shots}/authenticator-setup.png`, fullPage: true });
  const enrolledAt = currentStep();
  await page.fill("#code", code(secret, enrolledAt));
  await page.click("text=Turn on");
  await page.locator("ul.codes").waitFor();
  const recoveryCodes = await page.locator("ul.codes code").allTextContents();
  check(recoveryCodes.length === 10, `expected 10 recovery codes, got ${recoveryCodes.length}`);
  await page.screenshot({ path: `${shots}/recovery-codes.png`, fullPage: true });
  await page.click("text=Done");
  await page.waitForURL(`${base}/dashboard`);

  await page.click("text=Sign out");
  await page.waitForURL(`${base}/sign-in`);
  await page.goto(`${base}/dashboard`);
  check(page.url() === `${base}/sign-in`, "dashboard reachable after sign-out");

  // Now the password leads to the code step: the app's next code signs in (the one used to
  // set it up does not work twice), then a recovery code does, once.
  async function passwordStep() {
    await page.goto(`${base}/sign-in`);
    await page.fill("#email", "rosa@calmwaters.example");
    await page.fill("#password", "tide pools at dawn");
    await page.click("button[type=submit]");
    await page.waitForURL(`${base}/sign-in/code`);
  }
  await passwordStep();
  await page.goto(`${base}/dashboard`);
  check(page.url() === `${base}/sign-in`, "the password alone opened the dashboard");
  await passwordStep();
  await page.screenshot({ path: `${shots}/sign-in-code.png` });
  await page.fill("#code", code(secret, enrolledAt));
  await page.click("button[type=submit]");
  await page.locator(".alert").waitFor();
  await page.fill("#code", code(secret, enrolledAt + 1));
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/dashboard`);
  await page.click("text=Sign out");
  await page.waitForURL(`${base}/sign-in`);
  await passwordStep();
  await page.fill("#code", recoveryCodes[0].toUpperCase());
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/dashboard`);
  await page.click("text=Sign out");
  await page.waitForURL(`${base}/sign-in`);
  await passwordStep();
  await page.fill("#code", recoveryCodes[0]);
  await page.click("button[type=submit]");
  await page.locator(".alert").waitFor();
  check(page.url() === `${base}/sign-in/code`, "a used recovery code worked again");

  const reused = await page.goto(link);
  check(reused.status() === 410, `used setup link answered ${reused.status()}`);
  check((await page.content()).includes("already been used"), "used link not explained");
  await page.screenshot({ path: `${shots}/setup-link-used.png` });

  // Five failures in a row (the used recovery code was the first) lock the address; then even
  // the right password waits, and the page says how long.
  await page.goto(`${base}/sign-in`);
  for (let i = 0; i < 5; i++) {
    await page.fill("#email", "rosa@calmwaters.example");
    await page.fill("#password", i < 4 ? `wrong guess ${i}` : "tide pools at dawn");
    const answered = page.waitForResponse((r) => r.url() === `${base}/sign-in` && r.request().method() === "POST");
    // The previous answer's alert is still on the page until htmx swaps in the new one: wait for
    // the swap, or the next fill can land on inputs about to be replaced.
    const settled = page.evaluate(
      () => new Promise((done) => document.body.addEventListener("htmx:afterSettle", () => done(), { once: true })),
    );
    await page.click("button[type=submit]");
    check((await answered).status() === (i < 4 ? 401 : 429), `attempt ${i + 1} answered ${(await answered).status()}`);
    await settled;
    await page.locator(".alert").waitFor();
  }
  const locked = await page.locator(".alert").textContent();
  check(/^Too many failed attempts; please try again in \d+ (seconds|minute)/.test(locked.trim()), `lockout not explained: ${locked}`);
  check(page.url() === `${base}/sign-in`, "signed in while locked");
  await page.screenshot({ path: `${shots}/sign-in-locked.png` });

  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true, screenshots: ["setup-errors.png", "sign-in-welcome.png", "dashboard.png", "agreement.png", "sign-in-history.png", "sessions.png", "authenticator-setup.png", "recovery-codes.png", "sign-in-code.png", "setup-link-used.png", "sign-in-locked.png"] }));
} finally {
  await browser.close();
}
