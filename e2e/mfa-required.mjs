// A required second factor, as people meet it: the owner turns the rule on and is sent to set
// up an authenticator app before anything else; a clinician signing in next is walked through
// the same, and only then reaches the dashboard; left alone, the page warns and then signs out.
//
// usage: node mfa-required.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, watch, check, signIn as submitSignIn } from "./browser.mjs";
import { code, currentStep } from "./totp.mjs";

const [base, owner, clinician, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node mfa-required.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}
const browser = await launch();
try {
  async function signIn(account) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const problems = watch(page);
    const [email, password] = account.split(":");
    await submitSignIn(page, base, email, password);
    await page.waitForURL(/\/(dashboard|account\/security)$/);
    return { page, problems };
  }

  async function setUpAuthenticator(page) {
    await page.click("button:has-text('Set up an authenticator app')");
    await page.waitForURL(`${base}/account/totp`);
    const secret = (await page.locator("code.secret").textContent()).trim();
    await page.fill("#code", code(secret, currentStep()));
    await page.click("text=Turn on");
    await page.locator("ul.codes").waitFor();
    await page.click("text=Done");
    await page.waitForURL(`${base}/dashboard`);
  }

  // The owner turns the rule on, and is the first to be walked through it.
  const first = await signIn(owner);
  check(first.page.url() === `${base}/dashboard`, "the owner should reach the dashboard before the rule");
  await first.page.click("text=Sign-in security");
  await first.page.check("input[name=require_second_factor]");
  // The form posts back to this same address: wait for the new page, not the old one.
  await Promise.all([first.page.waitForNavigation(), first.page.click("text=Save")]);
  await first.page.goto(`${base}/dashboard`);
  check(first.page.url() === `${base}/account/security`, "the owner reached the dashboard without a second factor");
  check((await first.page.locator(".alert").textContent()).includes("requires a second step"), "the rule is not explained");
  await setUpAuthenticator(first.page);
  check(first.problems.length === 0, first.problems.join("\n"));

  // The clinician is sent straight to setting one up; the API says why too.
  const second = await signIn(clinician);
  check(second.page.url() === `${base}/account/security`, "the clinician was not walked through the setup");
  await second.page.screenshot({ path: `${shots}/mfa-required.png`, fullPage: true });
  const api = await second.page.request.get(`${base}/api/v1/me`);
  check(api.status() === 403 && (await api.json()).code === "second_factor_required", `API answered ${api.status()}`);
  await setUpAuthenticator(second.page);
  check((await second.page.locator("h1").textContent()).trim().length > 0, "dashboard empty");

  // Idle sign-out, with the browser's clock run forward: a warning a minute before the end,
  // "Stay signed in" starts the count again, and at the end the page signs out and says why.
  const page = second.page;
  await page.clock.install();
  await page.reload();
  await page.clock.fastForward("14:05");
  await page.locator(".idle-warning").waitFor();
  await page.screenshot({ path: `${shots}/idle-warning.png`, fullPage: true });
  await page.click("text=Stay signed in");
  await page.locator(".idle-warning").waitFor({ state: "detached" });
  await page.clock.fastForward("14:05");
  await page.locator(".idle-warning").waitFor();
  await page.clock.fastForward("01:00");
  await page.waitForURL(`${base}/sign-in?idle=1`);
  check((await page.locator(".notice").textContent()).includes("without activity"), "idle sign-out not explained");
  await page.goto(`${base}/dashboard`);
  check(page.url() === `${base}/sign-in`, "still signed in after the idle sign-out");
  check(second.problems.length === 0, second.problems.join("\n"));

  // The owner's app is their only second step while the rule is on: it cannot be turned off.
  const o = first.page;
  const ownerPassword = owner.split(":")[1];
  const post = (button) => Promise.all([o.waitForNavigation(), o.click(button)]);
  await o.goto(`${base}/account/security`);
  await o.screenshot({ path: `${shots}/authenticator-on.png`, fullPage: true });
  await o.fill("#remove-password", ownerPassword);
  await post("button:has-text('Turn off the app')");
  check((await o.locator(".alert").first().textContent()).includes("add a passkey"), "the last second step was turned off");
  // New recovery codes need the password again, and replace the old ones.
  await o.fill("#codes-password", "not the password");
  await post("button:has-text('New recovery codes')");
  check((await o.locator(".alert").first().textContent()).includes("not your password"), "a wrong password made codes");
  await o.fill("#codes-password", ownerPassword);
  await post("button:has-text('New recovery codes')");
  check((await o.locator("ul.codes code").count()) === 10, "no new recovery codes shown");
  check((await o.locator(".notice").textContent()).includes("old ones no longer work"), "the old codes' end not said");
  await o.screenshot({ path: `${shots}/new-recovery-codes.png`, fullPage: true });
  // Wrong practice rules are refused all at once, each beside its field (the browser's own
  // checks are set aside to reach the server's).
  await o.goto(`${base}/account/security`);
  await o.evaluate(() => { document.querySelector("form[action='/account/security/policy']").noValidate = true; });
  await o.fill("#idle_timeout_minutes", "0");
  await o.fill("#inactivity_days", "5");
  await post("button:text-is('Save')");
  check(await o.locator("#idle_timeout_minutes-error").isVisible() && await o.locator("#inactivity_days-error").isVisible(),
    "not every refused rule is shown beside its field");
  await o.screenshot({ path: `${shots}/practice-rules-refused.png`, fullPage: true });
  await o.fill("#idle_timeout_minutes", "15");
  await o.fill("#inactivity_days", "90");
  // With the rule off, the app can be turned off.
  await o.uncheck("input[name=require_second_factor]");
  await o.click("button:text-is('Save')");
  await o.locator("#idle_timeout_minutes-error").waitFor({ state: "detached" });
  check(!(await o.isChecked("input[name=require_second_factor]")), "the rule stayed on");
  await o.fill("#remove-password", ownerPassword);
  await o.click("button:has-text('Turn off the app')");
  await o.waitForURL(`${base}/account/security?changed=authenticator`);
  check((await o.locator(".notice").textContent()).includes("is off"), "turning off not confirmed");
  check(await o.locator("button:has-text('Set up an authenticator app')").isVisible(), "the app still shows as on");
  await o.screenshot({ path: `${shots}/authenticator-off.png`, fullPage: true });
  check(first.problems.length === 0, first.problems.join("\n"));

  console.log(JSON.stringify({ ok: true, screenshots: ["mfa-required.png", "idle-warning.png", "new-recovery-codes.png", "authenticator-off.png"] }));
} finally {
  await browser.close();
}
