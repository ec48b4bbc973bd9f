// API tokens, as someone setting up an integration does it: from "Sign-in security" to "API
// tokens", a token without permissions is refused, one for the staff directory is made and shown
// once; a program (plain fetch, no cookies) reads the staff list with it but not the practice's
// details; once revoked, it is refused.
//
// usage: node api-tokens.mjs BASE_URL EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, watch, check, signIn } from "./browser.mjs";

const [base, account, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node api-tokens.mjs BASE_URL EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}
const api = (path, token) => fetch(`${base}/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const problems = watch(page);
  const [email, password] = account.split(":");
  await signIn(page, base, email, password);
  await page.waitForURL(`${base}/dashboard`);
  await page.click("text=Sign-in security");
  await page.click("text=Manage API tokens");
  await page.waitForURL(`${base}/account/tokens`);

  await page.fill("#name", "Staff sync");
  await page.click("button:has-text('Make token')");
  check((await page.locator("fieldset .error").textContent()).includes("at least one"), "no permission accepted");
  check((await page.inputValue("#name")) === "Staff sync", "name lost");
  await page.check("input[value='staff:read']");
  await page.fill("#days", "30");
  await page.click("button:has-text('Make token')");
  const token = (await page.locator("#new-token").textContent()).trim();
  check(/^hvn_[0-9a-f]{64}$/.test(token), `unexpected token ${token}`);
  await page.screenshot({ path: `${shots}/api-token-created.png`, fullPage: true });

  const staff = await api("/staff", token);
  check(staff.status === 200 && (await staff.json()).length > 1, `staff with the token: ${staff.status}`);
  const practice = await api("/practice", token);
  check(practice.status === 403, `practice details without the scope: ${practice.status}`);

  // API tokens are reached from the one navigation, under Sign-in security (marked current).
  await page.click("a.navlink:has-text('Sign-in security')");
  await page.waitForURL(`${base}/account/security`);
  await page.click("a:has-text('Manage API tokens')");
  await page.waitForURL(`${base}/account/tokens`);
  check((await page.locator("a.navlink.current").textContent()) === "Sign-in security", "the area is not marked");
  check((await page.locator("#new-token").count()) === 0, "the token was shown twice");
  const row = page.locator("tr[data-token-name='Staff sync']");
  check(!(await row.textContent()).includes("Never"), "use not recorded");
  // Revoking asks once more; "Keep it" keeps it.
  await row.locator("a:has-text('Revoke')").click();
  await page.locator("section.confirm").waitFor();
  check((await page.locator("section.confirm h2").textContent()).includes("Staff sync"), "the token to revoke is not named");
  await page.screenshot({ path: `${shots}/api-token-revoke-confirm.png`, fullPage: true });
  await page.click("a:has-text('Keep it')");
  await page.waitForURL(`${base}/account/tokens`);
  check((await api("/staff", token)).status === 200, "keeping it revoked it");
  await row.locator("a:has-text('Revoke')").click();
  await page.locator("section.confirm").waitFor();
  await Promise.all([page.waitForNavigation(), page.click("button:has-text('Revoke the token')")]);
  check((await page.locator("text=You have no tokens.").count()) === 1, "revoked token still listed");
  const after = await api("/staff", token);
  check(after.status === 401, `a revoked token answered ${after.status}`);

  check(problems.length === 0, problems.join("\n"));
  console.log("api token flow ok");
} finally {
  await browser.close();
}
