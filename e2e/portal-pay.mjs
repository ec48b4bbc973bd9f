// A client pays what they owe from the portal, on a phone: their account lists it, "Pay by
// card" leads to the card processor's page (a stand-in), and back on their account the
// payment is there and nothing is due; then they save a card on file and put their payment
// plan on autopay.
//
// usage: node portal-pay.mjs BASE_URL CLIENT_EMAIL:PASSWORD SCREENSHOT_DIR
import { launch, watch, check, onProcessorPage } from "./browser.mjs";

const [base, account, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node portal-pay.mjs BASE_URL CLIENT_EMAIL:PASSWORD SCREENSHOT_DIR");
  process.exit(2);
}
const [email, password] = account.split(":");

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 } });
  const page = await context.newPage();
  const problems = watch(page);
  await page.goto(`${base}/portal/sign-in`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("button[type=submit]");
  await page.waitForURL(`${base}/portal`);

  await page.click("nav a:has-text('Account')");
  await page.waitForURL(`${base}/portal/account`);
  check((await page.textContent("#balance")).includes("You owe $30.00"), "the balance is not shown");
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 375, `the account page is ${width} px wide on a phone`);
  await page.screenshot({ path: `${shots}/portal-account.png`, fullPage: true });

  await page.click("button:has-text('Pay by card')");
  await onProcessorPage(page, base, "4000 0566 5566 5556", "Pay", "/payments/return/");
  check((await page.textContent("#card-said")).includes("$30.00 went through"), "the return does not say it was paid");
  await page.click("a:has-text('Back to your account')");
  await page.waitForURL(`${base}/portal/account`);
  check((await page.textContent("#balance")).includes("Nothing is due"), "the balance did not come down");
  check((await page.textContent("#account-lines")).includes("Payment, Card, online"), "the payment is not listed");
  await page.screenshot({ path: `${shots}/portal-account-paid.png`, fullPage: true });

  // The payment counts toward the plan; a card saved on file pays the rest on its days once
  // the client authorizes it.
  check((await page.textContent("#payment-plan")).includes("Paid so far: $30.00"), "the plan does not count the payment");
  await page.click("button:has-text('Save a card on file')");
  await onProcessorPage(page, base, "5555 5555 5555 4444", "Save card", "/payments/card-saved/");
  check((await page.textContent("#card-said")).includes("Mastercard card ending in 4444"), "the card was not saved");
  await page.click("a:has-text('Back to your account')");
  await page.waitForURL(`${base}/portal/account`);
  await page.click("button:has-text('Turn on autopay')");
  await page.waitForSelector("#autopay_authorized-error");
  await page.check("input[name=autopay_authorized]");
  await page.click("button:has-text('Turn on autopay')");
  await page.waitForSelector("#autopay-said");
  check((await page.textContent("#card-on-file")).includes("ending in 4444"), "the card is not shown");
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 375, `the account page is ${wide} px wide on a phone`);
  await page.screenshot({ path: `${shots}/portal-autopay.png`, fullPage: true });
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
