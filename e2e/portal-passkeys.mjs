// A client joins the portal with a passkey instead of a password, on a phone, with Chromium's
// virtual authenticator (DevTools protocol): the link offers it, the passkey opens the portal
// and uses the link up; the passkey alone signs in again; sign-in security lists it and removes
// it, after which it is refused as unknown.
//
// usage: node portal-passkeys.mjs BASE_URL LINK_PATH SCREENSHOT_DIR   (BASE_URL on localhost:
// WebAuthn needs a host name and a secure context, which http://localhost is)
import { launch, watch, check } from "./browser.mjs";

const [base, link, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node portal-passkeys.mjs BASE_URL LINK_PATH SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const problems = watch(page);
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true,
    },
  });
  async function signOut() {
    await Promise.all([page.waitForURL(/\/portal\/sign-in/), page.click("button:has-text('Sign out')")]);
  }

  // The link offers a passkey instead of a password; it opens the portal.
  await page.goto(`${base}${link}`);
  check(await page.locator("#link-passkey").isVisible(), "the link offers no passkey");
  await page.screenshot({ path: `${shots}/portal-passkey-link.png`, fullPage: true });
  await Promise.all([page.waitForURL(`${base}/portal`), page.click("button:has-text('Use a passkey instead')")]);
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  check(credentials.length === 1 && credentials[0].isResidentCredential, "no resident credential on the phone");
  await page.goto(`${base}/portal/security`);
  check((await page.locator("tr[data-passkey-name]").count()) === 1, "the passkey is not listed");
  await page.screenshot({ path: `${shots}/portal-passkey-security.png`, fullPage: true });
  await signOut();

  // The link is used up; the passkey alone signs in.
  await page.goto(`${base}${link}`);
  check((await page.textContent("main")).includes("already used"), "the link still works after the passkey");
  await page.goto(`${base}/portal/sign-in`);
  await Promise.all([page.waitForURL(`${base}/portal`), page.click("text=Sign in with a passkey")]);

  // Removed, it no longer signs in.
  await page.goto(`${base}/portal/security`);
  await Promise.all([page.waitForNavigation(), page.click("button[aria-label^='Remove the passkey']")]);
  check((await page.textContent(".notice[role=status]")).includes("removed"), "no word that it was removed");
  check((await page.locator("table.passkeys").count()) === 0, "the passkey is still listed");
  await signOut();
  await page.click("text=Sign in with a passkey");
  const refusal = page.locator("#passkey-message");
  await refusal.waitFor({ state: "visible" });
  check((await refusal.textContent()).includes("not registered"), "a removed passkey was not refused as such");
  check(page.url().startsWith(`${base}/portal/sign-in`), "signed in with a removed passkey");
  await page.screenshot({ path: `${shots}/portal-passkey-refused.png`, fullPage: true });

  check(problems.length === 0, problems.join("\n"));
  console.log("portal passkey flow ok");
} finally {
  await browser.close();
}
