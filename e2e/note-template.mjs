// A practice's own note template: the owner makes "Group check-in" (a choice, yes/no, one line
// and text; a bad line is refused beside the field), a clinician writes a note in it from a
// client's chart — each field as its kind asks — and signs it; the signed note shows the answers.
//
// usage: node note-template.mjs BASE_URL OWNER_EMAIL:PASSWORD CLINICIAN_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, clinician, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node note-template.mjs BASE_URL OWNER CLINICIAN SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const o = await signedIn(browser, base, owner);
  await o.page.goto(`${base}/practice/note-templates`);
  await o.page.fill("#name", "Group check-in");
  await o.page.selectOption("#kind", "progress");
  await o.page.fill("#fields", "Mood today | choice: Low\nNotes");
  await submit(o.page, "#template-form button[type=submit]");
  check((await o.page.textContent("#fields-error")).includes("line 1"), "a choice of one answer was not refused");
  await o.page.fill("#fields", "Mood today | choice: Low, Steady, Good\nHomework done | yes/no\nFocus | line | One phrase\nNotes");
  await submit(o.page, "#template-form button[type=submit]");
  check((await o.page.textContent(".notice[role=status]")).includes("Group check-in"), "the template was not made");
  await o.page.screenshot({ path: `${shots}/note-templates.png`, fullPage: true });

  const c = await signedIn(browser, base, clinician);
  await c.page.goto(`${base}/clients`);
  await c.page.click("section:has(h2:has-text('Your caseload')) tbody a >> nth=0");
  await c.page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  await c.page.selectOption("#template", { label: "Group check-in" });
  await c.page.click("button:has-text('Start note')");
  await c.page.waitForSelector("select#f1");
  await c.page.selectOption("#f1", "Steady");
  await c.page.selectOption("#f2", "Yes");
  await c.page.fill("#f3", "Sleep routine");
  await c.page.fill("#f4", "Shared the week's wins; set a bedtime goal.");
  await submit(c.page, "button:has-text('Save draft')");
  check((await c.page.inputValue("#f3")) === "Sleep routine", "the line was not kept");
  await submit(c.page, "button:has-text('Sign and lock')");
  const signed = await c.page.textContent("section.note");
  check(["Mood today", "Steady", "Homework done", "Yes", "Sleep routine"].every((t) => signed.includes(t)), `the signed note: ${signed}`);
  await c.page.screenshot({ path: `${shots}/note-from-template.png`, fullPage: true });
  check(o.problems.length === 0 && c.problems.length === 0, `browser reported problems:\n${o.problems.concat(c.problems).join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
