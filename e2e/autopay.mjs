// A payment plan put on autopay from the client's ledger: the plan, a card saved on the card
// processor's page (a stand-in here), autopay refused until the client's authorization is
// recorded, then on; the server's next round charges the installment due today to the card.
//
// usage: node autopay.mjs BASE_URL OWNER_EMAIL:PASSWORD CLIENT_ID SCREENSHOT_DIR
import { launch, check, signedIn, submit, onProcessorPage } from "./browser.mjs";

const [base, owner, client, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node autopay.mjs BASE_URL OWNER CLIENT_ID SCREENSHOT_DIR");
  process.exit(2);
}

const day = (hoursAgo) => new Date(Date.now() - hoursAgo * 3600 * 1000).toISOString().slice(0, 10);

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  const ledger = `${base}/clients/${client}/ledger`;
  await page.goto(ledger);

  // The client owes $30.00 (a refund paid out to them), in three installments of $10.00, the
  // first due on the practice's today (in the US, the UTC day or the day before).
  await page.selectOption("#kind", "refund");
  await page.fill("#amount", "30.00");
  await page.selectOption("#method", "cash");
  await submit(page, "button:has-text('Record')");
  for (const firstDue of [day(24), day(0)]) {
    await page.fill("#plan_total", "30.00");
    await page.fill("#plan_installment", "10.00");
    await page.fill("#plan_first_due", firstDue);
    await submit(page, "button:has-text('Set up the plan')");
    if ((await page.locator("#plan_first_due-error").count()) === 0) break;
  }
  check((await page.textContent("#payment-plan")).includes("$10.00 a month"), "the plan was not set up");

  // The card is saved on the processor's page; Haven keeps its brand and last four digits.
  await page.click("button:has-text('Save a card on file')");
  await onProcessorPage(page, base, "4242 4242 4242 4242", "Save card", "/payments/card-saved/");
  check((await page.textContent("#card-said")).includes("ending in 4242 is on file"), "the card was not saved");
  await page.screenshot({ path: `${shots}/autopay-saved.png`, fullPage: true });
  await page.click("a:has-text('Back to the client')");
  await page.waitForURL(ledger);
  check((await page.textContent("#card-on-file")).includes("Visa ending in 4242"), "the card is not on file");

  // Autopay waits for the client's authorization.
  await submit(page, "button:has-text('Turn autopay on')");
  await page.waitForSelector("#autopay_authorized-error");
  await page.screenshot({ path: `${shots}/autopay-refused.png`, fullPage: true });
  await page.check("input[name=autopay_authorized]");
  await submit(page, "button:has-text('Turn autopay on')");
  check((await page.textContent("#payment-plan")).includes("Autopay is on"), "autopay is not on");

  // The next round charges the installment due today.
  for (let tries = 0; ; tries++) {
    await page.goto(ledger);
    if ((await page.textContent("main")).includes("Payment, Card on file, autopay")) break;
    check(tries < 60, "no autopay round charged the installment due");
    await page.waitForTimeout(1000);
  }
  check((await page.textContent("#payment-plan")).includes("Paid since: $10.00"), "the plan does not count the payment");
  await page.screenshot({ path: `${shots}/autopay-charged.png`, fullPage: true });
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
