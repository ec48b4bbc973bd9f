// A card payment as the front desk takes one: from the client's ledger, an amount, a link to
// the card processor's page (a stand-in here), the card typed there, and back to Haven, which
// says it went through; the ledger carries the payment; part of it is refunded to the card.
//
// usage: node cards.mjs BASE_URL OWNER_EMAIL:PASSWORD CLIENT_ID SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, client, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node cards.mjs BASE_URL OWNER CLIENT_ID SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.goto(`${base}/clients/${client}/ledger`);

  // An amount that is no amount is refused beside its field.
  await page.fill("#card_amount", "forty-five");
  await page.click("button:has-text('Take a card payment')");
  await page.waitForSelector("#card_amount-error");
  await page.screenshot({ path: `${shots}/cards-ledger.png`, fullPage: true });

  await page.fill("#card_amount", "45.00");
  await page.click("button:has-text('Take a card payment')");
  await page.waitForSelector("#card-page");
  check((await page.textContent("h1")).includes("$45.00"), "the checkout page does not say the amount");
  await page.screenshot({ path: `${shots}/cards-checkout.png`, fullPage: true });

  // The processor's own page takes the card; Haven never sees it.
  await page.click("#card-page");
  await page.waitForSelector("#card_number");
  check((await page.textContent("#amount")).includes("45.00"), "the processor was asked for another amount");
  await page.fill("#card_number", "4242 4242 4242 4242");
  await page.click("button:has-text('Pay')");
  await page.waitForURL(new RegExp(`${base}/payments/return/`));
  check((await page.textContent("#card-said")).includes("$45.00 went through"), "the return does not say it was paid");
  await page.screenshot({ path: `${shots}/cards-returned.png`, fullPage: true });

  await page.click("a:has-text('Back to the client')");
  await page.waitForURL(`${base}/clients/${client}/ledger`);
  const ledger = await page.textContent("#ledger");
  check(ledger.includes("Payment, Card, online"), `the payment is not on the ledger: ${ledger}`);
  check((await page.locator(".waiting-card").count()) === 0, "the paid checkout is still waiting");
  await page.screenshot({ path: `${shots}/cards-paid.png`, fullPage: true });

  // Part of it goes back to the card, through the processor.
  await page.locator("form.card-refund input[name=refund_amount]").fill("5.00");
  await submit(page, "button:has-text('Refund to the card')");
  check((await page.textContent("#ledger")).includes("Refund to the card re_1"), "the refund is not on the ledger");
  check((await page.textContent("form.card-refund")).includes("$5.00 refunded so far"), "the refund form does not say what was refunded");
  await page.screenshot({ path: `${shots}/cards-refunded.png`, fullPage: true });
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
