// Passkeys in Chromium's WebAuthn stack with a virtual authenticator (DevTools protocol): a
// clinician adds a passkey on "Sign-in security", signs in with it alone, then with password +
// passkey as the second step; a device that does not verify the person is refused for the
// passkey-only sign-in; a removed passkey no longer signs in.
//
// usage: node passkeys.mjs BASE_URL EMAIL:PASSWORD SCREENSHOT_DIR   (BASE_URL on localhost:
// WebAuthn needs a host name and a secure context, which http://localhost is)
import { launch, watch, check, signIn } from "./browser.mjs";

const [base, account, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node passkeys.mjs BASE_URL EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}
const [email, password] = account.split(":");

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
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

  const passwordSignIn = () => signIn(page, base, email, password);
  async function signOut() {
    await page.click("button:has-text('Sign out')");
    await page.waitForURL(`${base}/sign-in`);
  }

  // Add a passkey.
  await passwordSignIn();
  await page.waitForURL(`${base}/dashboard`);
  await page.click("text=Sign-in security");
  await page.waitForURL(`${base}/account/security`);
  await page.fill("#passkey-name", "Office laptop");
  await Promise.all([page.waitForNavigation(), page.click("button:has-text('Add a passkey')")]);
  check(await page.locator("tr[data-passkey-name='Office laptop']").isVisible(), "passkey not listed");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  check(credentials.length === 1 && credentials[0].isResidentCredential, "no resident credential on the device");
  await page.screenshot({ path: `${shots}/passkey-added.png`, fullPage: true });
  await signOut();

  // The passkey alone signs in.
  await Promise.all([page.waitForURL(`${base}/dashboard`), page.click("text=Sign in with a passkey")]);
  check((await page.locator(".who").textContent()).length > 0, "no one signed in");
  await signOut();

  // Password first: the passkey is now the second step (no authenticator app, so no code field).
  await passwordSignIn();
  await page.waitForURL(`${base}/sign-in/code`);
  check((await page.locator("#code").count()) === 0, "a code was asked of someone without an app");
  await page.screenshot({ path: `${shots}/passkey-second-step.png` });
  await Promise.all([page.waitForURL(`${base}/dashboard`), page.click("text=Use your passkey")]);
  await signOut();

  // A device that does not verify the person does not sign in by passkey alone.
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: false });
  await page.click("text=Sign in with a passkey");
  const refusal = page.locator("#passkey-message");
  await refusal.waitFor({ state: "visible" });
  const said = await refusal.textContent();
  check(said.includes("verif") || said.includes("not used"), `unexpected refusal: ${said}`);
  check(page.url() === `${base}/sign-in`, "signed in without verification");
  await page.screenshot({ path: `${shots}/passkey-unverified.png` });
  await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: true });

  // Removed on the server, the device's passkey no longer signs in.
  await passwordSignIn();
  await Promise.all([page.waitForURL(`${base}/dashboard`), page.click("text=Use your passkey")]);
  await page.click("text=Sign-in security");
  await page.waitForURL(`${base}/account/security`);
  await Promise.all([page.waitForNavigation(), page.click("tr[data-passkey-name='Office laptop'] button:has-text('Remove')")]);
  check((await page.locator("table.passkeys").count()) === 0, "passkey still listed");
  await signOut();
  await page.click("text=Sign in with a passkey");
  await refusal.waitFor({ state: "visible" });
  check((await refusal.textContent()).includes("not registered"), "a removed passkey was not refused as such");

  check(problems.length === 0, problems.join("\n"));
  console.log("passkey flow ok");
} finally {
  await browser.close();
}
