// Every page on a phone, and to axe-core. For each account given, signs in and follows the
// links of every page it reaches (one page per kind of address: ids are folded together), and
// on each page, at 375 px wide: the page is no wider than the screen (nor at 1,280 px), buttons
// and fields are at least 44 px tall, and axe-core finds no serious or critical violation. The
// pages before sign-in are checked too. A screenshot of each kind of page is kept.
//
// usage: node layout.mjs BASE_URL EMAIL:PASSWORD... SCREENSHOT_DIR
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { launch, watch, check, signIn } from "./browser.mjs";

const args = process.argv.slice(2);
const [base, shots] = [args[0], args.at(-1)];
const accounts = args.slice(1, -1);
if (!shots || accounts.length === 0) {
  console.error("usage: node layout.mjs BASE_URL EMAIL:PASSWORD... SCREENSHOT_DIR");
  process.exit(2);
}

const AXE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };
// Downloads, machine-readable answers, and pages that leave Haven (the video server's test room).
const SKIP = /\.(csv|json|x12)(\?|$)|^\/billing\/(batches|superbill)\/|^\/clients\/[^/]+\/(statement|receipts\/)|^\/api\/|^\/audit\/checkpoint|^\/sign-in\/oidc|^\/assets\/|^\/schedule\/test-room|^\/practice\/export\/[^/]+\/download|^\/practice\/records-requests\/[^/]+\/record\./;

/// One address per kind of page: ids (UUIDs, numbers) folded together.
const kind = (path) => path.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}").replace(/\/\d+(?=\/|$)/g, "/{n}");

/// What is wrong with the page now shown, as sentences.
async function inspect(page) {
  const problems = [];
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  if (width > PHONE.width) problems.push(`${width} px wide at ${PHONE.width}`);
  await page.setViewportSize(DESKTOP);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  if (wide > DESKTOP.width) problems.push(`${wide} px wide at ${DESKTOP.width}`);
  await page.setViewportSize(PHONE);
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, .button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select")]
      .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().height < 43.5)
      .map((el) => `${el.tagName.toLowerCase()} "${(el.textContent || el.name || el.id).trim().slice(0, 40)}" ${Math.round(el.getBoundingClientRect().height)} px`));
  if (small.length) problems.push(`touch targets under 44 px: ${small.slice(0, 5).join("; ")}`);
  await page.evaluate(AXE);
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
  });
  problems.push(...found.map((v) => `axe: ${v}`));
  return problems;
}

const browser = await launch();
const failures = [];
const seen = new Set();
let checked = 0;
try {
  /// Checks the page at `path` (unless a page of its kind was checked) and returns its links.
  async function visit(page, path, label) {
    const answer = await page.goto(`${base}${path}`);
    if (!answer || answer.status() >= 400 || !page.url().startsWith(base)) return [];
    const shown = kind(new URL(page.url()).pathname);
    if (seen.has(`${label} ${shown}`)) return [];
    seen.add(`${label} ${shown}`);
    checked += 1;
    for (const problem of await inspect(page)) failures.push(`${label} ${shown}: ${problem}`);
    const name = shown.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "");
    await page.screenshot({ path: `${shots}/phone-${label}-${name}.png`, fullPage: true });
    return page.evaluate(() => [...document.querySelectorAll("a[href^='/']")].map((a) => a.getAttribute("href")));
  }

  // Before sign-in.
  {
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const problems = watch(page);
    for (const path of ["/sign-in", "/password/forgot"]) await visit(page, path, "public");
    check(problems.length === 0, problems.join("\n"));
    await context.close();
  }

  for (const account of accounts) {
    const [email, password] = account.split(":");
    const context = await browser.newContext({ viewport: PHONE });
    const page = await context.newPage();
    const problems = watch(page);
    await signIn(page, base, email, password);
    await page.waitForURL(`${base}/dashboard`);
    const role = (await page.textContent(".who span")).split("·").at(-1).trim().toLowerCase();
    const queue = ["/dashboard"];
    const asked = new Set();
    while (queue.length) {
      const path = queue.shift().split("#")[0];
      if (asked.has(kind(path)) || SKIP.test(path)) continue;
      asked.add(kind(path));
      queue.push(...(await visit(page, path, role)));
    }
    check(problems.length === 0, problems.join("\n"));
    await context.close();
  }
  console.log(`${checked} pages checked at ${PHONE.width} px`);
  check(failures.length === 0, `${failures.length} problem(s):\n${failures.join("\n")}`);
  console.log("layout ok");
} finally {
  await browser.close();
}
