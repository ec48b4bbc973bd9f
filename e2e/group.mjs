// A group session: the owner adds a group type for up to eight, then books it with three
// clients — one in the client field, two more one per line; the day lists all three. A type
// for two refuses three, beside the field.
//
// usage: node group.mjs BASE_URL OWNER_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node group.mjs BASE_URL OWNER SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.goto(`${base}/clients`);
  const links = page.locator("section:has(h2:has-text('Added lately')) tbody a");
  const people = [];
  for (let i = 0; i < 3; i++) {
    const [family, given] = (await links.nth(i).textContent()).trim().split(", ");
    people.push({ name: `${given} ${family}`, href: await links.nth(i).getAttribute("href") });
  }
  for (const p of people) {
    await page.goto(`${base}${p.href}`);
    p.email = (await page.textContent("dt:has-text('E-mail') + dd")).trim();
  }

  await page.goto(`${base}/schedule/types`);
  await page.fill("#name", "Process group");
  await page.fill("#minutes", "90");
  await page.fill("#service_code", "90853");
  await page.selectOption("#attendance", "group");
  await page.fill("#max_clients", "8");
  await submit(page, "button:has-text('Add type')");
  check(await page.locator("table.types td:has-text('Process group')").isVisible(), "the group type is not listed");

  const day = "2031-06-07";
  const book = async (type) => {
    await page.goto(`${base}/schedule/day?date=${day}`);
    await page.selectOption("#appointment_type", { label: type });
    await page.fill("#client", people[0].email);
    await page.fill("#with_client", `${people[1].email}\n${people[2].email}`);
    await page.fill("#time", "18:00");
    await submit(page, "#book-form button[type=submit]");
  };
  await book("Couples therapy (50 min)");
  check((await page.textContent(".alert")).includes("correct"), "a type for two booked three");
  await book("Process group (90 min)");
  check((await page.textContent(".notice[role=status]")).includes("Booked"), "the group was not booked");
  const row = await page.textContent("table.appointments tbody tr");
  check(people.every((p) => row.includes(p.name)) && row.includes("6:00 PM–7:30 PM"), `the group's row: ${row}`);
  await page.screenshot({ path: `${shots}/group.png`, fullPage: true });
  check(problems.length === 0, `browser reported problems:\n${problems.join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
