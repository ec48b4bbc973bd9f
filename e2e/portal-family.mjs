// A parent of two clients on a phone: one sign-in at one address, the home page lists both
// children's portals, "Open" switches to the other (each page one child's record).
//
// usage: node portal-family.mjs BASE_URL EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, watch, check } from "./browser.mjs";

const [base, account, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node portal-family.mjs BASE_URL EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}
const [email, password] = account.split(":");

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${base}/portal/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL(`${base}/portal`), page.click("button:has-text('Sign in')")]);
  const family = page.locator("section.family li");
  check((await family.count()) === 2, "the home page does not list both children");
  const first = (await page.locator("section.family li:has(.badge) strong").textContent()).trim();
  await page.screenshot({ path: `${shots}/portal-family.png`, fullPage: true });

  await Promise.all([page.waitForNavigation(), page.click("section.family button:has-text('Open')")]);
  const second = (await page.locator("section.family li:has(.badge) strong").textContent()).trim();
  check(second !== first, `still in ${first}'s portal`);
  await page.screenshot({ path: `${shots}/portal-family-switched.png`, fullPage: true });

  check(problems.length === 0, problems.join("\n"));
  console.log("portal family flow ok");
} finally {
  await browser.close();
}
