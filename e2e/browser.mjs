// Launches Debian's chromium (never a downloaded browser) with the flags this machine needs.
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const OPTIONS = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

// playwright gives every launch a new, empty profile directory of its own.
export async function launch() {
  return chromium.launch(OPTIONS);
}

// A browser that keeps its profile (local storage included) in `dir` from one run to the next.
export async function launchKeeping(dir) {
  return chromium.launchPersistentContext(dir, { ...OPTIONS, viewport: { width: 1280, height: 1000 } });
}

/// Collects Content-Security-Policy violations and page errors: any is a failure.
export function watch(page) {
  const problems = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy|Refused to/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  return problems;
}

/// Fills in and sends the sign-in form (the caller waits for where it leads).
export async function signIn(page, base, email, password) {
  await page.goto(`${base}/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
}

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

/// A fresh browser context signed in as `account` ("email:password") and on the dashboard:
/// its page, and the problems `watch` collects on it.
export async function signedIn(browser, base, account) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const problems = watch(page);
  const [email, password] = account.split(":");
  await signIn(page, base, email, password);
  await page.waitForURL(`${base}/dashboard`);
  return { page, problems };
}

/// Clicks `selector` on a boosted page and waits until htmx has settled what came back. The
/// wait starts before the click, so the page being replaced can never satisfy it.
export async function submit(page, selector) {
  const settled = page.evaluate(
    () => new Promise((done, fail) => {
      document.body.addEventListener("htmx:afterSettle", () => done(), { once: true });
      setTimeout(() => fail(new Error("no page came back")), 10000);
    }),
  );
  await page.click(selector);
  await settled.catch((e) => { throw new Error(`${selector}: ${e.message}`); });
}

// On the card processor's page (a stand-in in tests), opened from Haven's link to it: types the
// card `number`, presses `button` ("Pay", "Save card") and waits to be back on Haven at `path`.
export async function onProcessorPage(page, base, number, button, path) {
  await page.waitForSelector("#card-page");
  await page.click("#card-page");
  await page.waitForSelector("#card_number");
  await page.fill("#card_number", number);
  await page.click(`button:has-text('${button}')`);
  await page.waitForURL(new RegExp(`${base}${path}`));
}

// The address of the first client's chart listed on the clients page.
export async function firstChart(page, base) {
  await page.goto(`${base}/clients`);
  const hrefs = await page.locator("a[href^='/clients/']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  const chart = hrefs.find((href) => /^\/clients\/[0-9a-f-]{36}$/.test(href));
  check(chart !== undefined, "no client on the clients page");
  return chart;
}
