// Single sign-on through a real OpenID Connect provider (oidc-provider, started by the test):
// a staff member signs in at the provider and lands on Haven's dashboard; someone the provider
// knows but Haven does not is told so; nothing is signed in.
//
// usage: node sso.mjs BASE_URL STAFF_EMAIL STRANGER_EMAIL SCREENSHOT_DIR   (BASE_URL on localhost)
import { launch, watch, check } from "./browser.mjs";

const [base, staffEmail, stranger, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node sso.mjs BASE_URL STAFF_EMAIL STRANGER_EMAIL SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  async function viaProvider(login, screenshot) {
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const problems = watch(page);
    await page.goto(`${base}/sign-in`);
    const button = page.locator("#single-sign-on");
    check((await button.textContent()).includes("Test Identity"), "no single sign-on button");
    if (screenshot) { await page.screenshot({ path: `${shots}/sign-in-with-provider.png` }); }
    await button.click();
    // The provider's own pages: its development login, then consent.
    await page.locator("input[name=login]").waitFor();
    check(!page.url().startsWith(base), "the login form is not the provider's");
    await page.fill("input[name=login]", login);
    await page.fill("input[name=password]", "anything");
    await page.click("button[type=submit]");
    await page.locator("button:has-text('Continue')").click();
    await page.waitForURL((url) => url.toString().startsWith(base));
    await page.waitForLoadState();
    return { page, problems };
  }

  const staff = await viaProvider(staffEmail, true);
  check(staff.page.url() === `${base}/dashboard`, `staff landed on ${staff.page.url()}`);
  check((await staff.page.locator(".who").textContent()).trim().length > 0, "no one signed in");
  await staff.page.screenshot({ path: `${shots}/signed-in-with-provider.png` });

  const outsider = await viaProvider(stranger, false);
  const body = await outsider.page.locator("body").textContent();
  check(body.includes(`no one in Haven signs in as ${stranger}`), `outsider not told: ${body}`);
  await outsider.page.screenshot({ path: `${shots}/provider-unknown-account.png` });
  const me = await outsider.page.request.get(`${base}/api/v1/me`);
  check(me.status() === 401, `the outsider got a session (${me.status()})`);
  check(staff.problems.length === 0 && outsider.problems.length === 0, [...staff.problems, ...outsider.problems].join("\n"));
  console.log("single sign-on flow ok");
} finally {
  await browser.close();
}
