// Inviting when e-mail cannot carry the link. With no mail server configured, the owner is shown
// the link once, to hand over, and the colleague joins with it. With a mail server that refuses
// (mode "mail-down"), the 502 page reaches the screen: the reason, nothing kept, and the form's
// earlier field errors gone.
//
// usage: node invitations.mjs BASE_URL OWNER_EMAIL:PASSWORD handover|mail-down SCREENSHOT_DIR
import { launch, watch, check, signIn } from "./browser.mjs";

const [base, owner, mode, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node invitations.mjs BASE_URL OWNER_EMAIL:PASSWORD handover|mail-down SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const problems = watch(page);
  const [email, password] = owner.split(":");
  await signIn(page, base, email, password);
  await page.waitForURL(`${base}/dashboard`);
  await page.goto(`${base}/staff`);

  // A first try with a bad address leaves a field error on the page.
  await page.fill("#display_name", "Noor Haddad");
  await page.fill("#email", "noor@calmwaters");
  await page.selectOption("#role", "biller");
  await page.click("button:has-text('Send invitation')");
  await page.locator("#email-error").waitFor();
  await page.fill("#email", "noor@calmwaters.example");
  await page.click("button:has-text('Send invitation')");

  if (mode === "handover") {
    const card = page.locator("section.handover");
    await card.waitFor();
    check((await card.textContent()).includes("noor@calmwaters.example"), "the hand-over names someone else");
    const link = (await card.locator("code").textContent()).trim();
    check(link.startsWith(`${base}/invitation/`), `not a link to this server: ${link}`);
    check(!page.url().includes("invitation"), "the link went into the address bar");
    check((await page.locator("#email-error").count()) === 0, "the old field error stayed");
    await page.screenshot({ path: `${shots}/invitation-handover.png`, fullPage: true });
    // Shown once: the staff page, opened again, lists the invitation without its link.
    await page.goto(`${base}/staff`);
    check((await page.locator("section.handover").count()) === 0, "the link was shown again");
    check(await page.locator("table.invitations td:has-text('noor@calmwaters.example')").isVisible(), "not listed");

    const joiner = await (await browser.newContext()).newPage();
    const joinerProblems = watch(joiner);
    await joiner.goto(link);
    await joiner.fill("#password", "saffron lanterns by the pier");
    await joiner.fill("#password_confirm", "saffron lanterns by the pier");
    await joiner.click("button[type=submit]");
    await joiner.waitForURL(`${base}/sign-in?joined=1`);
    await signIn(joiner, base, "noor@calmwaters.example", "saffron lanterns by the pier");
    await joiner.waitForURL(`${base}/dashboard`);
    check((await joiner.locator(".who").textContent()).includes("Biller"), "joined with another role");
    check(joinerProblems.length === 0, joinerProblems.join("\n"));
  } else {
    const alert = page.locator(".alert");
    await alert.waitFor();
    const text = await alert.textContent();
    check(text.includes("could not be sent") && text.includes("Nothing was saved"), `the 502 is not shown: ${text}`);
    check((await page.locator("#email-error").count()) === 0, "the old field error stayed beside a corrected field");
    check((await page.locator("table.invitations").count()) === 0, "a failed invitation was kept");
    await page.screenshot({ path: `${shots}/invitation-mail-down.png`, fullPage: true });
  }
  check(problems.length === 0, problems.join("\n"));
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
