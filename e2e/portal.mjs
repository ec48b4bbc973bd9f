// The client portal on a phone, as a client and their clinician live it: the clinician opens
// the client's portal access from the chart and invites the client; the invitation reaches a
// real SMTP server (read from its Maildir); on a 375-px phone the client opens the link, is
// refused a guessable password, chooses a good one, lands on their home page (sessions, crisis
// resources), reads who viewed their record, signs out and back in, and answers a PHQ-9 with item 9
// above 0 (crisis resources at once; the dashboard raises the alert), and exchanges messages with
// the clinician (read receipts both ways), and books a session by video from the care team's
// openings, asks for an intake (its time held until the clinician books it from the requests
// list), and turns on an authenticator app (the next sign-in asks for its code). Every
// portal page is checked
// for width, 44-px touch targets and axe-core (no serious or critical violation).
//
// usage: node portal.mjs BASE_URL CLINICIAN_EMAIL:PASSWORD CLIENT_ID MAILDIR SCREENSHOT_DIR
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch, watch, check, signedIn, submit } from "./browser.mjs";
import { code, currentStep } from "./totp.mjs";

const [base, clinician, client, maildir, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node portal.mjs BASE_URL CLINICIAN_EMAIL:PASSWORD CLIENT_ID MAILDIR SCREENSHOT_DIR");
  process.exit(2);
}
const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { width: 375, height: 812 };
const PASSWORD = "lantern harbor quietly ninety";

/// The messages in the Maildir, with quoted-printable soft breaks and escapes undone.
function mail() {
  let names = [];
  try { names = readdirSync(`${maildir}/new`); } catch { return []; }
  return names.map((n) => readFileSync(`${maildir}/new/${n}`, "utf8")
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))));
}

async function waitForLink() {
  for (let i = 0; i < 100; i++) {
    const found = mail().map((m) => m.match(/\/portal\/link\/[0-9a-f]+/)).find(Boolean);
    if (found) return found[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("no portal link arrived by e-mail");
}

/// What is wrong with the phone page now shown, as sentences.
async function phoneProblems(page) {
  const problems = [];
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > PHONE.width) problems.push(`${width} px wide`);
  const small = await page.evaluate(() =>
    // A radio button's or checkbox's target is its whole label.
    [...document.querySelectorAll("button, .button, input:not([type=hidden]):not([type=radio]):not([type=checkbox]), select, label:has(> input[type=radio]), label:has(> input[type=checkbox])")]
      .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 43.5)
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.name).trim().slice(0, 30)}"`));
  if (small.length) problems.push(`touch targets under 44 px: ${small.join("; ")}`);
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => v.id);
  });
  problems.push(...violations.map((v) => `axe: ${v}`));
  return problems;
}

const browser = await launch();
try {
  // The clinician invites the client from the chart.
  const staff = await signedIn(browser, base, clinician);
  await staff.page.goto(`${base}/clients/${client}`);
  await staff.page.click("a:has-text('Portal access')");
  await staff.page.waitForURL(`${base}/clients/${client}/portal`);
  await staff.page.check("input[name=to][value=client]");
  await submit(staff.page, "button:has-text('Send the invitation')");
  check((await staff.page.textContent(".notice")).includes("on its way"), "no notice that the invitation left");
  check((await staff.page.textContent("table.portal-accounts")).includes("Invited, no password yet"), "account not listed");
  await staff.page.screenshot({ path: `${shots}/portal-staff-invited.png`, fullPage: true });
  const link = await waitForLink();

  // The client, on a phone.
  const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = watch(page);
  const pageProblems = [];
  const inspect = async (name) => {
    for (const p of await phoneProblems(page)) pageProblems.push(`${name}: ${p}`);
    await page.screenshot({ path: `${shots}/portal-${name}.png`, fullPage: true });
  };
  await page.goto(`${base}${link}`);
  check((await page.textContent("h1")).startsWith("Welcome, "), "the link does not greet the client");
  await inspect("link");
  await page.fill("#password", "password1234");
  await page.fill("#password_confirm", "password1234");
  await submit(page, "button:has-text('Set my password')");
  check(await page.isVisible(".field.invalid"), "a guessable password was not refused beside its field");
  await page.fill("#password", PASSWORD);
  await page.fill("#password_confirm", PASSWORD);
  await submit(page, "button:has-text('Set my password')");
  await page.waitForURL(`${base}/portal`);
  check((await page.textContent("h1")).startsWith("Hello, "), "home does not greet the client");
  check((await page.textContent(".crisis")).includes("988"), "no crisis resources on the home page");
  await inspect("home");

  // The record, downloaded as a PDF and as a FHIR bundle.
  for (const [link, ending] of [["Download (PDF)", ".pdf"], ["Download for another provider (FHIR)", ".fhir.json"]]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(`a:has-text('${link}')`)]);
    check(download.suggestedFilename().endsWith(ending), `the record did not download: ${download.suggestedFilename()}`);
  }

  await page.click("a.navlink:has-text('Who viewed my record')");
  await page.waitForURL(`${base}/portal/access`);
  const log = await page.textContent("ul.access-log");
  check(log.includes("viewed your record"), `the clinician's look is not listed: ${log}`);
  await inspect("access");

  // Out, and back in with the address and the new password.
  await submit(page, "button:has-text('Sign out')");
  await page.waitForURL(/\/portal\/sign-in\?out=1$/);
  await inspect("sign-in");
  const email = mail().map((m) => m.match(/^To: (.+)$/m)).find(Boolean)[1].trim();
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await submit(page, "button:has-text('Sign in')");
  await page.waitForURL(`${base}/portal`);

  // The clinician sends a PHQ-9; the client answers item 9 above 0 and is shown crisis
  // resources at once, while the clinician's dashboard raises the alert.
  await staff.page.goto(`${base}/clients/${client}/portal`);
  await staff.page.selectOption("#instrument", "PHQ-9");
  await submit(staff.page, "button:has-text('Send the questionnaire')");
  check((await staff.page.textContent("#questionnaires")).includes("Waiting since"), "the questionnaire is not listed");
  await page.goto(`${base}/portal`);
  await page.click("a:has-text('Answer the PHQ-9')");
  await page.waitForURL(/\/portal\/questionnaires\//);
  await inspect("questionnaire");
  for (let item = 1; item <= 9; item++) await page.check(`input[name=item${item}][value="${item === 9 ? 1 : 0}"]`);
  await submit(page, "button:has-text('Send my answers')");
  check((await page.textContent(".crisis")).includes("988"), "no crisis resources after a risk answer");
  await inspect("answered-risk");
  await staff.page.goto(`${base}/dashboard`);
  check((await staff.page.textContent(".alert.risk")).includes("Suicide-risk alerts"), "no risk alert on the dashboard");
  await staff.page.screenshot({ path: `${shots}/portal-staff-risk-alert.png`, fullPage: true });

  // A session booked from the care team's real openings.
  await page.goto(`${base}/portal`);
  await page.click("a:has-text('Book a session')");
  await page.click("a:has-text('Individual therapy, 45 min')");
  await page.click("nav.segmented a:has-text('By video')");
  await page.waitForURL(/modality=telehealth/);
  await inspect("openings");
  await submit(page, "li.visit form >> nth=0 >> button");
  await page.waitForURL(`${base}/portal?booked=1`);
  check((await page.textContent(".notice")).includes("booked"), "no notice that the session was booked");
  await inspect("booked");
  // Cancelling shows its terms first (this one is kept).
  await page.locator("a.cancel").first().click();
  await page.waitForURL(/\/portal\/sessions\/.+\/cancel$/);
  check((await page.textContent("main")).includes("Cancel your session?"), "no cancellation terms");
  await inspect("cancel");
  await page.click("a:has-text('Keep it')");
  await page.waitForURL(`${base}/portal`);
  // An intake is asked for: its time is held until the clinician books it from the requests.
  await page.click("a:has-text('Book a session')");
  await page.click("a:has-text('Intake assessment')");
  await submit(page, "li.visit form >> nth=0 >> button");
  await page.waitForURL(`${base}/portal?requested=1`);
  await inspect("requested");
  await staff.page.goto(`${base}/schedule/requests`);
  check((await staff.page.textContent("#requests")).includes("Intake assessment"), "the request is not listed for the care team");
  await staff.page.screenshot({ path: `${shots}/portal-staff-requests.png`, fullPage: true });
  await submit(staff.page, "#requests button:has-text('Book') >> nth=0");
  check((await staff.page.textContent(".notice")).includes("Booked"), "the request was not booked");

  // A message to the care team, and the clinician's reply.
  await page.goto(`${base}/portal/messages`);
  await page.fill("#subject", "Moving Thursday");
  await page.fill("#body", "Could we move Thursday's session to Friday?");
  const note = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
  await page.setInputFiles("#file", { name: "work schedule.pdf", mimeType: "application/pdf", buffer: Buffer.from(note) });
  await submit(page, "button:has-text('Send')");
  await page.waitForURL(/\/portal\/messages\/[0-9a-f-]+$/);
  check((await page.textContent("ol.messages")).includes("work schedule.pdf"), "the attached file is not shown");
  await inspect("thread");
  await staff.page.goto(`${base}/dashboard`);
  await staff.page.click("a:has-text('Moving Thursday')");
  await staff.page.fill("#body", "Friday at 10 works. See you then.");
  await submit(staff.page, "button:has-text('Send the reply')");
  check((await staff.page.textContent("ol.messages")).includes("Not read yet"), "no read receipt on the reply");
  await submit(staff.page, "button:has-text('File in the chart') >> nth=0");
  check((await staff.page.textContent("ol.messages")).includes("Filed in the chart"), "the message was not filed");
  await staff.page.screenshot({ path: `${shots}/portal-staff-thread.png`, fullPage: true });
  await page.goto(`${base}/portal`);
  // The reply and the notice that the intake was booked.
  check((await page.textContent("main")).includes("2 new messages"), "the home page does not count the reply");
  await page.click("a:has-text('Open messages')");
  await page.click("a:has-text('Moving Thursday')");
  check((await page.textContent("ol.messages")).includes("Friday at 10 works."), "the reply is not shown");
  check((await page.textContent("ol.messages")).includes("Read by your care team"), "no read receipt for the client");
  await inspect("thread-replied");

  // The waitlist, for when no time suits.
  await page.goto(`${base}/portal/waitlist`);
  await inspect("waitlist-form");
  await page.check("input[name=weekdays][value=TU]");
  await page.fill("#earliest", "09:00");
  await page.fill("#latest", "12:00");
  await submit(page, "button:has-text('Join the waitlist')");
  check((await page.textContent(".notice")).includes("on the waitlist since"), "not on the waitlist");
  await inspect("waitlist");

  // The client's own reminder channels.
  await page.goto(`${base}/portal/reminders`);
  await page.uncheck("input[name=text]");
  await submit(page, "button:has-text('Save')");
  check((await page.textContent(".notice")).includes("Saved"), "the reminder choice was not saved");
  check(!(await page.isChecked("input[name=text]")), "texts still chosen");
  await inspect("reminders");

  // An intake packet: the clinician sends four forms; the client reads and signs them on the
  // phone, the first with a drawn signature, the others with the ticked box alone (correcting
  // their phone, naming a Part 2 consent's terms); the clinician sees the signatures with their
  // copies and reviews the packet.
  await staff.page.goto(`${base}/clients/${client}/intake`);
  await staff.page.check("label:has-text('Consent to treatment') input");
  await staff.page.check("label:has-text('Telehealth consent') input");
  await staff.page.check("label:has-text('Your contact details') input");
  await staff.page.check("label:has-text('Consent to disclose substance use disorder records') input");
  await submit(staff.page, "button:has-text('Send to the portal')");
  check((await staff.page.textContent(".notice")).includes("waiting in the client's portal"), "the packet was not sent");
  await page.goto(`${base}/portal`);
  check((await page.textContent("main")).includes("Forms to sign"), "no forms to sign on the home page");
  const sign = (title) => page.click(`li.visit:has-text('${title}') >> a:has-text('Read and sign')`);
  await sign("Consent to treatment");
  await page.waitForURL(/\/portal\/forms\//);
  await page.locator("[data-signature-pad] canvas").scrollIntoViewIfNeeded();
  const pad = await page.locator("[data-signature-pad] canvas").boundingBox();
  check(pad && pad.width >= 250, `no signature pad across the phone: ${JSON.stringify(pad)}`);
  await page.mouse.move(pad.x + 20, pad.y + pad.height * 0.7);
  await page.mouse.down();
  for (let step = 1; step <= 12; step++) {
    await page.mouse.move(pad.x + 20 + step * 22, pad.y + pad.height * (step % 2 ? 0.3 : 0.7));
  }
  await page.mouse.up();
  check((await page.inputValue("input[name=strokes]")).split(" ").length > 5, "the drawing was not kept");
  await page.fill("#typed_name", "Portal Client");
  await page.check("input[name=agree]");
  await inspect("form-sign");
  await submit(page, "form.sign button[type=submit]");
  await page.waitForURL(/\/portal\?signed=1$/);
  check((await page.textContent(".notice")).includes("Signed."), "no word that the form was signed");
  await sign("Telehealth consent");
  await page.waitForURL(/\/portal\/forms\//);
  await page.fill("#typed_name", "Portal Client");
  await page.check("input[name=agree]");
  await submit(page, "form.sign button[type=submit]");
  await page.waitForURL(/\/portal\?signed=1$/);
  // The contact details: shown as on the record, corrected on the phone.
  await sign("Your contact details");
  await page.waitForURL(/\/portal\/forms\//);
  check((await page.inputValue("#email")).includes("@"), "the details on record are not shown");
  await page.fill("#phone", "(541) 555-0199");
  await page.fill("#typed_name", "Portal Client");
  await page.check("input[name=agree]");
  await inspect("form-details");
  await submit(page, "form.sign button[type=submit]");
  await page.waitForURL(/\/portal\?signed=1$/);
  // The Part 2 consent: the client names to whom, what for, which parts, until when.
  await sign("Consent to disclose substance use disorder records");
  await page.waitForURL(/\/portal\/forms\//);
  await page.fill("#recipient", "Riverside Primary Care");
  await page.fill("#purpose", "Coordinating my care");
  await page.check("input[name=parts][value=diagnoses]");
  await page.fill("#expires_on", "2099-06-30");
  await page.fill("#typed_name", "Portal Client");
  await page.check("input[name=agree]");
  await inspect("form-part2");
  await submit(page, "form.sign button[type=submit]");
  await page.waitForURL(/\/portal\?signed=1$/);
  check(!(await page.textContent("main")).includes("Forms to sign"), "signed forms still listed");
  await staff.page.goto(`${base}/clients/${client}/intake`);
  const signatures = await staff.page.textContent("ul.signatures");
  check(signatures.includes("with a drawn mark") && signatures.includes("by ticking the box"), signatures);
  check((await staff.page.locator("a:has-text('Signed copy (PDF)')").count()) === 4, "no signed copies");
  check(signatures.includes("Riverside Primary Care"), "the consent's terms are not shown for review");
  check(signatures.includes("(541) 555-0199"), "the corrected phone is not shown for review");
  await staff.page.screenshot({ path: `${shots}/portal-staff-intake.png`, fullPage: true });
  await submit(staff.page, "button:has-text('Mark reviewed')");
  check((await staff.page.textContent(".notice")).includes("Reviewed"), "the packet was not reviewed");
  await staff.page.goto(`${base}/clients/${client}`);
  check((await staff.page.textContent("main")).includes("(541) 555-0199"), "the corrected phone is not on the chart");

  // A second step at sign-in: the client sets up an authenticator app on the phone.
  await page.goto(`${base}/portal`);
  await page.click("a:has-text('Sign-in security')");
  await page.waitForURL(`${base}/portal/security`);
  await submit(page, "button:has-text('Set up an authenticator app')");
  const key = (await page.textContent("code.secret")).trim();
  await inspect("security");
  const setupStep = currentStep();
  await page.fill("#code", code(key, setupStep));
  await submit(page, "button:has-text('Turn it on')");
  check((await page.textContent(".notice")).includes("is on"), "the app was not turned on");
  await submit(page, "button:has-text('Sign out')");
  await page.waitForURL(/\/portal\/sign-in\?out=1$/);
  await page.fill("#email", email);
  await page.fill("#password", PASSWORD);
  await submit(page, "button:has-text('Sign in')");
  await page.waitForURL(`${base}/portal/sign-in/code`);
  await inspect("code");
  await page.fill("#code", code(key, setupStep + 1));
  await submit(page, "button:has-text('Sign in')");
  await page.waitForURL(`${base}/portal`);
  await staff.page.goto(`${base}/clients/${client}/portal`);
  check((await staff.page.textContent("table.portal-accounts")).includes("Authenticator app on"), "staff do not see the app");

  await page.goto(`${base}/portal/forgot`);
  await inspect("forgot");
  // A used link says so, and offers the way on.
  await page.goto(`${base}${link}`);
  check((await page.textContent("main")).includes("already used"), "a used link did not say so");
  await inspect("link-used");

  await staff.page.goto(`${base}/clients/${client}/portal`);
  check((await staff.page.textContent("table.portal-accounts")).includes("Last signed in"), "staff do not see the sign-in");
  check(pageProblems.length === 0, pageProblems.join("\n"));
  check(problems.length === 0 && staff.problems.length === 0, [...problems, ...staff.problems].join("\n"));
} finally {
  await browser.close();
}
