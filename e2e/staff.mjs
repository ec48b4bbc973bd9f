// Staff management, as an owner and a new colleague live it: the owner invites someone from the
// Staff page; the invitation arrives by e-mail at a real SMTP server (read here from its Maildir);
// the invitee opens the link, is refused a guessable password, chooses a good one and signs in;
// the owner changes their role, deactivates them (their open page loses its session, and signing
// in says the account is deactivated), and re-enables them. Sam changes the password, then
// forgets it and sets a new one through an e-mailed link; the owner sends one too. Used links
// are refused.
//
// usage: node staff.mjs BASE_URL OWNER_EMAIL:PASSWORD MAILDIR SCREENSHOT_DIR
import { readdirSync, readFileSync } from "node:fs";
import { launch, watch, check, signIn as submitSignIn } from "./browser.mjs";

const [base, owner, maildir, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node staff.mjs BASE_URL OWNER_EMAIL:PASSWORD MAILDIR SCREENSHOT_DIR");
  process.exit(2);
}

/// The messages in the Maildir, with quoted-printable soft breaks and escapes undone.
function mail() {
  let names = [];
  try { names = readdirSync(`${maildir}/new`); } catch { return []; }
  return names.map((n) => readFileSync(`${maildir}/new/${n}`, "utf8")
    .replace(/=\r?\n/g, "")
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16))));
}

async function waitForMail(count) {
  for (let i = 0; i < 100; i++) {
    const messages = mail();
    if (messages.length >= count) return messages;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`expected ${count} e-mail message(s), found ${mail().length}`);
}

const browser = await launch();
try {
  async function newPage() {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    return { page, problems: watch(page) };
  }
  // A form that posts and lands on the same address: wait for the new page, not the old one.
  async function submit(page, button) {
    await Promise.all([page.waitForNavigation(), button.click()]);
  }
  const signIn = (page, email, password) => submitSignIn(page, base, email, password);

  const [ownerEmail, ownerPassword] = owner.split(":");
  const o = await newPage();
  await signIn(o.page, ownerEmail, ownerPassword);
  await o.page.waitForURL(`${base}/dashboard`);
  await o.page.click("a.navlink:has-text('Staff')");
  await o.page.waitForURL(`${base}/staff`);

  // A mistake first: the form keeps what was typed and names the field.
  await o.page.fill("#display_name", "Sam Lee");
  await o.page.fill("#email", "sam@calmwaters");
  await o.page.selectOption("#role", "clinician");
  await o.page.click("button:has-text('Send invitation')");
  await o.page.locator("#email-error").waitFor();
  check((await o.page.inputValue("#display_name")) === "Sam Lee", "the name typed was lost");
  check(mail().length === 0, "an invalid invitation was sent");

  await o.page.fill("#email", "Sam@CalmWaters.example");
  await o.page.click("button:has-text('Send invitation')");
  await o.page.waitForURL(/\/staff\?sent=/);
  check((await o.page.locator(".notice").textContent()).includes("sam@calmwaters.example"), "no confirmation");
  check(await o.page.locator("table.invitations td:has-text('sam@calmwaters.example')").isVisible(), "invitation not listed");
  await o.page.screenshot({ path: `${shots}/staff-invited.png`, fullPage: true });

  // The e-mail, as the SMTP server received it.
  const [message] = await waitForMail(1);
  check(/^To: sam@calmwaters\.example/m.test(message), "not addressed to the invitee");
  check(/^Subject: You are invited to .+ on Haven/m.test(message), "unexpected subject");
  check(/^From: .*haven@calmwaters\.example/m.test(message), "unexpected sender");
  check(message.includes("as a clinician"), "the role is not named");
  const link = message.match(/https?:\/\/\S+\/invitation\/[A-Za-z0-9_-]+/)?.[0];
  check(link && link.startsWith(base), `no link to this server in the message:\n${message}`);

  // The invitee opens it.
  const s = await newPage();
  await s.page.goto(link);
  check((await s.page.locator("h1").textContent()).startsWith("Join "), "invitation page heading");
  check((await s.page.locator(".lead").textContent()).includes("Clinician"), "role not shown to the invitee");
  check((await s.page.inputValue("#display_name")) === "Sam Lee", "name not pre-filled");
  await s.page.fill("#display_name", "Sam Lee, LCSW");
  await s.page.fill("#password", "password1234");
  await s.page.fill("#password_confirm", "password1234");
  await s.page.click("button[type=submit]");
  check((await s.page.locator("#password-error").textContent()).includes("too easy to guess"), "weak password accepted");
  await s.page.screenshot({ path: `${shots}/invitation-weak-password.png`, fullPage: true });
  await s.page.fill("#password", "harbor kites in october");
  await s.page.fill("#password_confirm", "harbor kites in october");
  await s.page.click("button[type=submit]");
  await s.page.waitForURL(`${base}/sign-in?joined=1`);
  check(await s.page.locator(".notice").isVisible(), "no 'account ready' notice");
  await signIn(s.page, "sam@calmwaters.example", "harbor kites in october");
  await s.page.waitForURL(`${base}/dashboard`);
  check((await s.page.locator(".who").textContent()).includes("Sam Lee, LCSW · Clinician"), "wrong name or role");

  // The owner sees Sam, changes the role, then deactivates the account.
  await o.page.goto(`${base}/staff`);
  const row = o.page.locator("tr[data-email='sam@calmwaters.example']");
  check(await row.isVisible(), "Sam is not on the staff page");
  check((await o.page.locator("table.invitations").count()) === 0, "the accepted invitation is still listed");
  await row.locator("select").selectOption("supervisor");
  await submit(o.page, row.locator("button:has-text('Change')"));
  check((await row.locator("select").inputValue()) === "supervisor", "role not changed");
  await submit(o.page, row.locator("button:has-text('Deactivate')"));
  check((await row.textContent()).includes("Deactivated"), "not shown as deactivated");
  await o.page.screenshot({ path: `${shots}/staff-deactivated.png`, fullPage: true });

  // Sam's open page has lost its session; signing in says why.
  await s.page.goto(`${base}/dashboard`);
  check(s.page.url().startsWith(`${base}/sign-in`), "a deactivated account kept its session");
  await signIn(s.page, "sam@calmwaters.example", "harbor kites in october");
  const refusal = await s.page.locator(".alert").textContent();
  check(refusal.includes("deactivated"), `refusal does not say why: ${refusal}`);
  await s.page.screenshot({ path: `${shots}/sign-in-deactivated.png` });

  // Re-enabled, Sam signs in as a supervisor.
  await submit(o.page, row.locator("button:has-text('Re-enable')"));
  await signIn(s.page, "sam@calmwaters.example", "harbor kites in october");
  await s.page.waitForURL(`${base}/dashboard`);
  check((await s.page.locator(".who").textContent()).includes("Supervisor"), "role after re-enabling");

  // Sam changes the password: the current one wrong first, then right; the new one works.
  await s.page.goto(`${base}/account/security`);
  await s.page.click("a:has-text('Change password')");
  await s.page.waitForURL(`${base}/account/password`);
  await s.page.fill("#current_password", "not the password");
  await s.page.fill("#password", "quiet rivers under lamplight");
  await s.page.fill("#password_confirm", "quiet rivers under lamplight");
  await submit(s.page, s.page.locator("button:has-text('Change password')"));
  check((await s.page.locator("#current_password-error").textContent()).includes("not your current password"),
    "a wrong current password was not refused");
  check((await s.page.inputValue("#password")) === "", "a refused password was shown again");
  await s.page.screenshot({ path: `${shots}/password-change-refused.png`, fullPage: true });
  await s.page.fill("#current_password", "harbor kites in october");
  await s.page.fill("#password", "quiet rivers under lamplight");
  await s.page.fill("#password_confirm", "quiet rivers under lamplight");
  await s.page.click("button:has-text('Change password')");
  await s.page.waitForURL(`${base}/account/security?changed=password`);
  check((await s.page.locator(".notice").textContent()).includes("Your password is changed"), "no confirmation");
  await s.page.screenshot({ path: `${shots}/password-changed.png`, fullPage: true });
  await s.page.click("button:has-text('Sign out')");
  await signIn(s.page, "sam@calmwaters.example", "quiet rivers under lamplight");
  await s.page.waitForURL(`${base}/dashboard`);

  // The owner edits the practice profile from the dashboard: a wrong state is refused with
  // what was typed kept, then the move to Eugene is saved.
  await o.page.goto(`${base}/dashboard`);
  await o.page.click("a:has-text('Edit the profile')");
  await o.page.waitForURL(`${base}/practice/profile`);
  await o.page.fill("#city", "Eugene");
  await o.page.fill("#state", "XX");
  await submit(o.page, o.page.locator("button:has-text('Save profile')"));
  check((await o.page.locator("#state-error").textContent()).includes("two-letter code"), "state XX accepted");
  check((await o.page.inputValue("#city")) === "Eugene", "the city typed was lost");
  await o.page.fill("#state", "OR");
  await o.page.fill("#postal_code", "97401");
  await o.page.click("button:has-text('Save profile')");
  await o.page.waitForURL(`${base}/practice/profile?saved=1`);
  check(await o.page.locator(".notice").isVisible(), "no saved notice");
  await o.page.screenshot({ path: `${shots}/practice-profile.png`, fullPage: true });
  await o.page.goto(`${base}/dashboard`);
  check((await o.page.locator("dl.facts").first().textContent()).includes("Eugene, OR 97401"), "the dashboard shows the old address");

  // Sam forgets the password: a link by e-mail sets a new one, and the old one stops working.
  await s.page.click("button:has-text('Sign out')");
  await s.page.click("a:has-text('Forgot your password?')");
  await s.page.waitForURL(`${base}/password/forgot`);
  await s.page.fill("#email", "sam@calmwaters.example");
  await s.page.click("button:has-text('Send me a link')");
  await s.page.locator(".notice").waitFor();
  check((await s.page.locator(".notice").textContent()).includes("If an account uses"), "the answer tells too much");
  await s.page.screenshot({ path: `${shots}/password-forgot-sent.png`, fullPage: true });
  const resetMail = (await waitForMail(2)).find((m) => m.includes("/password/reset/"));
  check(resetMail && /^Subject: Choose a new Haven password/m.test(resetMail), "no reset message");
  const resetLink = resetMail.match(/https?:\/\/\S+\/password\/reset\/[A-Za-z0-9_-]+/)?.[0];
  check(resetLink && resetLink.startsWith(base), `no reset link to this server:\n${resetMail}`);
  await s.page.goto(resetLink);
  await s.page.fill("#password", "Sam Lee calmwaters");
  await s.page.fill("#password_confirm", "Sam Lee calmwaters");
  await submit(s.page, s.page.locator("button:has-text('Set my new password')"));
  check(await s.page.locator("#password-error").isVisible(), "a password made of the person's name was accepted");
  await s.page.screenshot({ path: `${shots}/password-reset-refused.png`, fullPage: true });
  await s.page.fill("#password", "copper gulls over the breakwater");
  await s.page.fill("#password_confirm", "copper gulls over the breakwater");
  await s.page.click("button:has-text('Set my new password')");
  await s.page.waitForURL(`${base}/sign-in?reset=1`);
  check((await s.page.locator(".notice").textContent()).includes("new password is set"), "no confirmation");
  await s.page.screenshot({ path: `${shots}/sign-in-after-reset.png` });
  await signIn(s.page, "sam@calmwaters.example", "quiet rivers under lamplight");
  await s.page.locator(".alert").waitFor();
  check(s.page.url().startsWith(`${base}/sign-in`), "the old password still works");
  await signIn(s.page, "sam@calmwaters.example", "copper gulls over the breakwater");
  await s.page.waitForURL(`${base}/dashboard`);
  const usedReset = await s.page.goto(resetLink);
  check(usedReset.status() === 410, `a used reset link answered ${usedReset.status()}`);

  // The owner can send Sam a link too, from the Staff page.
  await o.page.goto(`${base}/staff`);
  await submit(o.page, row.locator("button:has-text('Send reset link')"));
  check((await o.page.locator(".notice").textContent()).includes("sent to sam@calmwaters.example"), "no confirmation");
  await o.page.screenshot({ path: `${shots}/staff-reset-sent.png`, fullPage: true });
  await waitForMail(3);

  // The link worked once.
  const used = await s.page.goto(link);
  check(used.status() === 410, `a used invitation link answered ${used.status()}`);
  check((await s.page.locator("body").textContent()).includes("already used"), "used link not explained");

  check(o.problems.length === 0 && s.problems.length === 0, [...o.problems, ...s.problems].join("\n"));
  console.log("staff flow ok");
} finally {
  await browser.close();
}
