// A family on the chart: the front desk groups one client with another, found by e-mail; both
// charts list the family with a link to the other; a member typed so that no client matches is
// refused beside the field, with the typing kept.
//
// usage: node groups.mjs BASE_URL SCHEDULER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, scheduler, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node groups.mjs BASE_URL SCHEDULER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, scheduler);

  // Two clients added lately: the second one's e-mail finds them.
  await page.goto(`${base}/clients`);
  const links = page.locator("section:has(h2:has-text('Added lately')) tbody a");
  check((await links.count()) >= 2, "fewer than two clients are listed");
  const [first, second] = [await links.nth(0).getAttribute("href"), await links.nth(1).getAttribute("href")];
  const secondName = (await links.nth(1).textContent()).trim();
  await page.goto(`${base}${second}`);
  const secondEmail = (await page.textContent("dt:has-text('E-mail') + dd")).trim();
  await page.goto(`${base}${first}`);
  await page.click("summary:has-text('Group with another client')");
  await page.selectOption("#group-kind", "family");
  await page.fill("#group-label", "The <i>Harbor</i> family");
  await page.fill("#group-other", secondEmail);
  await submit(page, "#group-form button[type=submit]");
  const card = page.locator("section#groups");
  check((await card.textContent()).includes("The <i>Harbor</i> family"), "the family is not on the chart (or markup ran)");
  const [family, given] = secondName.split(", ");
  check((await card.locator(`a[href='${second}']`).textContent()).includes(`${given} ${family}`), "no link to the other member");

  // Nobody matches: the error stands beside the field and the typing stays.
  await page.fill("section#groups .group input[name=other]", "no-such-client@nowhere.example");
  await submit(page, "section#groups .group button:has-text('Add')");
  const error = await page.textContent("section#groups .group .error");
  check(error.includes("matches no other client"), `no error beside the field: ${error}`);
  check((await page.inputValue("section#groups .group input[name=other]")) === "no-such-client@nowhere.example", "the typing was lost");
  await page.locator("section#groups").screenshot({ path: `${shots}/chart-family.png` });

  // The other chart lists the couple too.
  await page.goto(`${base}${second}`);
  check((await page.textContent("section#groups")).includes("The <i>Harbor</i> family"), "the other chart does not list the family");
  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
