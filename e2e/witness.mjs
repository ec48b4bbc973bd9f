// The owner's browser as a witness of the audit log. First visit: it keeps the checkpoint; a
// second visit: it checks the new log extends it. After the database is replaced by an older
// copy (the test harness does that between runs, on the same address), the owner's dashboard
// says loudly that the log is shorter than the browser saw.
//
// usage: node witness.mjs BASE_URL OWNER_EMAIL:PASSWORD PROFILE_DIR first|restored SCREENSHOT_DIR
import { launchKeeping, watch, check, signIn } from "./browser.mjs";

const [base, owner, profile, phase, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node witness.mjs BASE_URL OWNER_EMAIL:PASSWORD PROFILE_DIR first|restored SCREENSHOT_DIR");
  process.exit(2);
}

const context = await launchKeeping(profile);
try {
  const page = await context.newPage();
  const problems = watch(page);
  const [email, password] = owner.split(":");
  await signIn(page, base, email, password);
  await page.waitForURL(`${base}/dashboard`);
  const status = page.locator("[data-audit-witness]");

  if (phase === "first") {
    await page.waitForSelector(".witness-ok");
    check((await status.textContent()).includes("now keeps this checkpoint"), await status.textContent());
    // The owner reads the log a few times (each read is an event), then comes back.
    for (let i = 0; i < 3; i++) await page.goto(`${base}/audit`);
    await page.goto(`${base}/dashboard`);
    await page.waitForSelector(".witness-ok");
    check((await status.textContent()).includes("extends the"), `not checked: ${await status.textContent()}`);
    await page.screenshot({ path: `${shots}/audit-witness-ok.png`, fullPage: true });
  } else {
    await page.waitForSelector(".witness-failed");
    check((await status.textContent()).includes("shorter than when this browser last saw it"), await status.textContent());
    check((await status.getAttribute("role")) === "alert", "the warning is not announced");
    await page.screenshot({ path: `${shots}/audit-witness-rollback.png`, fullPage: true });
  }
  check(problems.length === 0, problems.join("\n"));
  console.log(`witness ${phase} passed`);
} finally {
  await context.close();
}
