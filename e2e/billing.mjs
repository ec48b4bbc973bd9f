// Billing as the owner works it over the demo calendar: the attended sessions of the last weeks
// become charges, each not-ready charge names its missing link (a note left unsigned), a
// client's superbill downloads, one ready claim is checked by an AI model that runs here, the
// ready ones go out as one 837P batch, which downloads and is sent to the clearinghouse's SFTP
// drop box; the payer's 835 for it, left in the drop box, is picked up and posted, and the
// denial it carries explained with its next step and then by the same model (the same file
// brought in by hand is refused), and the denied claim is replaced; a paid claim goes on to the
// client's second insurer once their chart names one, then, once a third policy is on the chart
// and the second insurer has answered, to the third; the set-up page lists the payers and
// refuses a fee that is not an amount beside its field; a sliding scale is set and a client
// assessed against it.
//
// usage: node billing.mjs BASE_URL OWNER_EMAIL:PASSWORD DROP_BOX_INBOUND SCREENSHOT_DIR
import { readFileSync, writeFileSync } from "node:fs";
import { launch, check, signedIn, submit } from "./browser.mjs";

// The payer's answer to a batch, written here apart from Haven: each line allowed 80 %, the rest
// written off (CO-45) with a $20 copay (PR-3); the first claim denied for want of an
// authorization (CO-197, remark M62). Each answer has its own interchange and trace numbers.
function remittance(claims, control = 42) {
  const money = (c) => `${Math.trunc(c / 100)}.${String(c % 100).padStart(2, "0")}`;
  const cents = (t) => Math.round(parseFloat(t) * 100);
  const sent = [];
  for (const raw of claims.split("~")) {
    const s = raw.trim().split("*");
    if (s[0] === "CLM") sent.push({ number: s[1], charge: cents(s[2]), lines: [] });
    if (s[0] === "SV1") sent.at(-1).lines.push({ code: s[1], charge: cents(s[2]) });
    if (s[0] === "DTP" && s[1] === "472") sent.at(-1).lines.at(-1).date = s[3];
    if (s[0] === "REF" && s[1] === "6R") sent.at(-1).lines.at(-1).id = s[2];
  }
  const body = [];
  let total = 0;
  for (const claim of sent) {
    const denied = claim.number === "H0000001";
    const paid = denied ? 0 : claim.lines.reduce((sum, l) => sum + Math.trunc((l.charge * 8) / 10) - 2000, 0);
    const copay = denied ? "" : money(2000 * claim.lines.length);
    body.push(`CLP*${claim.number}*${denied ? 4 : 1}*${money(claim.charge)}*${money(paid)}*${copay}*12*ICN${claim.number}`, "NM1*QC*1*DOE*JANE");
    for (const l of claim.lines) {
      const allowed = Math.trunc((l.charge * 8) / 10);
      if (denied) body.push(`SVC*${l.code}*${money(l.charge)}*0**1`, `DTM*472*${l.date}`, `CAS*CO*197*${money(l.charge)}`, `REF*6R*${l.id}`, "LQ*HE*M62");
      else body.push(`SVC*${l.code}*${money(l.charge)}*${money(allowed - 2000)}**1`, `DTM*472*${l.date}`, `CAS*CO*45*${money(l.charge - allowed)}`, "CAS*PR*3*20", `REF*6R*${l.id}`);
    }
    total += paid;
  }
  const set = ["ST*835*0001", `BPR*I*${money(total)}*C*CHK************20261201`, `TRN*1*CHK9${control}*1512345678`, "N1*PR*CIGNA",
    "N3*1 PAYER WAY", "N4*CHICAGO*IL*60601", "PER*BL*PROVIDER SERVICES*TE*8005550199", "N1*PE*THE PRACTICE*XX*1234567893", "LX*1", ...body];
  set.push(`SE*${set.length + 1}*0001`);
  const number = String(control).padStart(9, "0");
  const isa = `ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261201*1200*^*00501*${number}*0*P*:`;
  const group = [`GS*HP*PAYER*PRACTICE*20261201*1200*${control}*X*005010X221A1`, ...set, `GE*1*${control}`];
  return [isa, ...group, `IEA*1*${number}`].join("~\n") + "~\n";
}

const [base, owner, inbound, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node billing.mjs BASE_URL OWNER DROP_BOX_INBOUND SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.click("nav a:has-text('Billing')");
  await page.waitForURL(`${base}/billing`);
  const to = new Date();
  const from = new Date(to.getTime() - 35 * 24 * 3600 * 1000);
  await page.fill("#from", from.toISOString().slice(0, 10));
  await page.fill("#to", to.toISOString().slice(0, 10));
  await submit(page, "form.period button[type=submit]");
  await submit(page, "button:has-text('Make charges for attended sessions')");
  check((await page.locator("table.charges tbody tr").count()) > 3, "no charges were made");
  const missing = await page.locator("ul.missing li").allTextContents();
  check(missing.some((m) => m.includes("note is not signed")), `no unsigned note named: ${missing}`);
  const ready = await page.locator("td.claim-state.ready").count();
  check(ready > 0, "no charge is ready to claim");
  await page.screenshot({ path: `${shots}/billing-charges.png`, fullPage: true });
  // A client's superbill, for their insurer.
  const [superbill] = await Promise.all([page.waitForEvent("download"), page.locator("a.superbill").first().click()]);
  check(/^superbill-.*\.pdf$/.test(superbill.suggestedFilename()), `unexpected superbill: ${superbill.suggestedFilename()}`);
  await superbill.saveAs(`${shots}/billing-superbill.pdf`);

  // Before the claims go out, AI checks one (a model that runs here): what would be sent first
  // — codes and counts, no name — then the answer, read and never filed.
  const readyRow = page.locator("tr:has(td.claim-state.ready)").first();
  const readyClient = (await readyRow.locator("td").first().textContent()).replace("Superbill", "").trim();
  await submit(page, `button[aria-label="Check ${readyClient}'s claim with AI"]`);
  const checking = await page.textContent(".payload");
  check(checking.includes("Haven's own checks") && !checking.includes(readyClient.split(" ")[1]), `what would be sent: ${checking}`);
  await page.click("#ai-send");
  await page.waitForSelector("#ai-summary-text");
  check((await page.textContent("#ai-summary-text")).includes("What the payer may question"), "the claim was not checked");
  await page.screenshot({ path: `${shots}/billing-claim-checked.png`, fullPage: true });
  await page.click("a:has-text('Back to the charges')");
  await page.waitForURL(`${base}/billing`);
  await page.fill("#from", from.toISOString().slice(0, 10));
  await page.fill("#to", to.toISOString().slice(0, 10));
  await submit(page, "form.period button[type=submit]");

  await submit(page, "button:has-text('ready claim')");
  check((await page.textContent(".notice[role=status]")).includes(`batch of ${ready} claim`), "the batch was not made");
  check((await page.locator("td.claim-state:has-text('Claimed (H0000001)')").count()) === 1, "claim numbers do not start at 1");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.click("table.batches a:has-text('Download 837P')"),
  ]);
  check(download.suggestedFilename() === "claims-000000001.x12", `unexpected file: ${download.suggestedFilename()}`);
  await submit(page, "table.batches button:has-text('Send to the clearinghouse')");
  check((await page.textContent(".notice[role=status]")).includes("is with the clearinghouse"), "the batch was not sent");
  check((await page.textContent("table.batches")).includes("Sent "), "the batch does not say it was sent");
  await page.screenshot({ path: `${shots}/billing-sent.png`, fullPage: true });

  // What the payers owe now, by age, drawn and tabled.
  await page.click("a:has-text('Accounts receivable')");
  await page.waitForURL(/\/billing\/reports/);
  check((await page.locator("svg.aging-chart rect.bar").count()) === 5, "the aging chart lacks its bars");
  check((await page.textContent("table.aging tr.total")).includes(String(ready)), "the total does not count the claims sent");
  await page.screenshot({ path: `${shots}/billing-aging.png`, fullPage: true });
  await page.click("a:has-text('Back to billing')");

  // The payer's 835 comes back through the drop box: picked up, posted, the denial explained.
  const answer = `${shots}/remittance.835`;
  writeFileSync(answer, remittance(readFileSync(await download.path(), "utf8")));
  writeFileSync(`${inbound}/era-000000042.835`, readFileSync(answer));
  await submit(page, "button:has-text('for answers')");
  const picked = await page.textContent("#picked");
  check(picked.includes("era-000000042.835") && picked.includes(`remittance posted to ${ready} claims`), `not picked up: ${picked}`);
  await page.screenshot({ path: `${shots}/billing-picked-up.png`, fullPage: true });
  await page.goto(`${base}/billing/remittances`);
  const denial = await page.textContent("li.denial");
  check(denial.includes("H0000001") && denial.includes("CO-197") && denial.includes("prior authorization"), `the denial is not explained: ${denial}`);
  check(denial.includes("Next: obtain or add the authorization number"), `no next step: ${denial}`);
  await page.screenshot({ path: `${shots}/billing-denials.png`, fullPage: true });
  // With AI on (a model that runs here), the denial is explained: what would be sent first —
  // the codes, no name — then the answer, read and never filed.
  await submit(page, "button[aria-label='Explain claim H0000001 with AI']");
  const explaining = await page.textContent(".payload");
  check(explaining.includes("CO-197") && !explaining.includes(denial.split(" · ")[1]), `what would be sent: ${explaining}`);
  await page.click("#ai-send");
  await page.waitForSelector("#ai-summary-text");
  check((await page.textContent("#ai-summary-text")).includes("prior authorization"), "the denial was not explained");
  await page.screenshot({ path: `${shots}/billing-denial-explained.png`, fullPage: true });
  await page.goto(`${base}/billing/remittances`);
  await page.setInputFiles("#file", answer);
  await submit(page, "button:has-text('Import and post')");
  check((await page.textContent(".alert[role=alert]")).includes("nothing was posted"), "the same 835 was posted twice");

  // A client's share is on their ledger; their payment brings the balance down; the statement
  // downloads.
  await page.goto(`${base}/billing?from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`);
  const clients = [...new Set((await page.locator("a.superbill").evaluateAll((as) => as.map((a) => a.getAttribute("href").split("/")[3].split("?")[0]))))];
  // The client who owes the most: a part payment then leaves enough for a plan of several
  // installments, whichever sessions the calendar's date put into the batch.
  let owing = null;
  let most = 0;
  for (const id of clients) {
    await page.goto(`${base}/clients/${id}/ledger`);
    const text = await page.textContent("#balance");
    const amount = Number((text.match(/Balance due: \$([\d,]+\.\d\d)/) || [, "0"])[1].replace(/,/g, ""));
    if (amount > most) { owing = id; most = amount; }
  }
  check(owing !== null, "no client owes their share");
  await page.goto(`${base}/clients/${owing}/ledger`);
  const due = await page.textContent("#balance");
  await page.fill("#amount", "5.00");
  await page.selectOption("#method", "card");
  await page.fill("#reference", "R-5521");
  await submit(page, "button:has-text('Record')");
  check((await page.textContent("#ledger")).includes("Payment, Card (taken outside Haven) R-5521"), "the payment is not on the ledger");
  check((await page.textContent("#balance")) !== due, `the balance did not move: ${due}`);
  await page.screenshot({ path: `${shots}/billing-ledger.png`, fullPage: true });
  // What is left, in monthly installments.
  const firstDue = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10);
  await page.fill("#plan_installment", "10.00");
  await page.fill("#plan_first_due", firstDue);
  await submit(page, "button:has-text('Set up the plan')");
  const plan = await page.textContent("#payment-plan");
  check(plan.includes("$10.00 a month from") && plan.includes("Upcoming"), `the plan is not shown: ${plan}`);
  await page.screenshot({ path: `${shots}/billing-plan.png`, fullPage: true });
  const [statement] = await Promise.all([page.waitForEvent("download"), page.click("a:has-text('Statement (PDF)')")]);
  check(/^statement-.*\.pdf$/.test(statement.suggestedFilename()), `unexpected statement: ${statement.suggestedFilename()}`);
  await statement.saveAs(`${shots}/billing-statement.pdf`);
  const [receipt] = await Promise.all([page.waitForEvent("download"), page.locator("#ledger a.receipt").last().click()]);
  check(/^receipt-.*\.pdf$/.test(receipt.suggestedFilename()), `unexpected receipt: ${receipt.suggestedFilename()}`);
  await receipt.saveAs(`${shots}/billing-receipt.pdf`);

  // The reports: what the client still owes, revenue, sessions waiting on a step, denial rates.
  const period = `from=${from.toISOString().slice(0, 10)}&to=${to.toISOString().slice(0, 10)}`;
  await page.goto(`${base}/billing/reports`);
  await page.click("nav.tabs a:has-text('By client')");
  await page.waitForURL(/\/billing\/reports\/clients/);
  check((await page.locator(`table.aging a[href="/clients/${owing}/ledger"]`).count()) === 1, "the owing client is not listed");
  await page.screenshot({ path: `${shots}/billing-report-clients.png`, fullPage: true });
  await page.goto(`${base}/billing/reports/revenue?${period}`);
  check((await page.locator("svg.aging-chart rect.bar").count()) >= 1, "revenue has no chart");
  check((await page.textContent("table.aging tr.total")).includes("$"), "revenue has no total");
  await page.screenshot({ path: `${shots}/billing-report-revenue.png`, fullPage: true });
  await page.click("nav.tabs a:has-text('Unbilled sessions')");
  await page.waitForURL(/\/billing\/reports\/sessions/);
  await page.fill("#from", from.toISOString().slice(0, 10));
  await page.fill("#to", to.toISOString().slice(0, 10));
  await submit(page, "button:has-text('Show')");
  check((await page.locator("svg.aging-chart rect.bar").count()) === 5, "the sessions chart lacks its steps");
  await page.screenshot({ path: `${shots}/billing-report-sessions.png`, fullPage: true });
  await page.goto(`${base}/billing/reports/denials?${period}`);
  const reasons = await page.textContent("table.aging");
  check(reasons.includes("197") && reasons.includes("authorization"), `the denial's reason is not counted: ${reasons}`);
  await page.screenshot({ path: `${shots}/billing-report-denials.png`, fullPage: true });

  // The denied claim, once the payer has numbered it, goes again as a replacement of its own.
  await page.goto(`${base}/billing?${period}`);
  await submit(page, "button[aria-label='Replace claim H0000001']");
  check((await page.textContent(".notice[role=status]")).includes("The correction is batch"), "the replacement was not made");
  const replacement = `H${String(ready + 1).padStart(7, "0")}`;
  check((await page.locator(`td.claim-state:has-text('Replacement (${replacement})')`).count()) === 1, "the charge is not on its replacement");
  await page.screenshot({ path: `${shots}/billing-replaced.png` });

  // The owing client's chart gains a second policy; their paid claim then goes on to that
  // insurer with the first one's answer, once.
  await page.goto(`${base}/clients/${owing}/edit`);
  const second = (await page.inputValue("#primary_payer")) === "Cigna" ? "Aetna" : "Cigna";
  await page.fill("#secondary_payer", second);
  await page.fill("#secondary_member_id", "SEC7788");
  await submit(page, "button:has-text('Save')");
  await page.goto(`${base}/billing?${period}`);
  const onward = `button:has-text('Bill ${second} (second insurer)')`;
  check((await page.locator(onward).count()) >= 1, "no paid claim offers the second insurer");
  await submit(page, `${onward} >> nth=0`);
  check((await page.textContent(".notice[role=status]")).includes("The claim to the next insurer is batch"), "the secondary claim was not made");
  check((await page.locator("td.claim-state:has-text('; secondary (H')").count()) === 1, "the row does not show its secondary claim");
  await page.locator("table.charges:has(td.claim-state:has-text('; secondary (H'))").screenshot({ path: `${shots}/billing-secondary.png` });

  // A third policy on the chart; once the second insurer answers, the claim goes on to the third
  // with both answers.
  await page.goto(`${base}/clients/${owing}/edit`);
  const third = "UnitedHealthcare";
  await page.fill("#tertiary_payer", third);
  await page.fill("#tertiary_member_id", "TER4455");
  await submit(page, "button:has-text('Save')");
  await page.goto(`${base}/billing?${period}`);
  const [secondBatch] = await Promise.all([
    page.waitForEvent("download"),
    page.locator("table.batches a:has-text('Download 837P')").first().click(),
  ]);
  check(secondBatch.suggestedFilename() === "claims-000000003.x12", `not the newest batch: ${secondBatch.suggestedFilename()}`);
  const secondAnswer = `${shots}/remittance-second.835`;
  writeFileSync(secondAnswer, remittance(readFileSync(await secondBatch.path(), "utf8"), 43));
  await page.goto(`${base}/billing/remittances`);
  await page.setInputFiles("#file", secondAnswer);
  await submit(page, "button:has-text('Import and post')");
  const posted = await page.textContent(".notice[role=status], .alert[role=alert]");
  check(posted.includes("Posted: 1 claim answered"), `the second insurer's answer was not posted: ${posted}`);
  await page.goto(`${base}/billing?${period}`);
  const last = `button:has-text('Bill ${third} (third insurer)')`;
  check((await page.locator(last).count()) === 1, "the answered secondary claim does not offer the third insurer");
  await submit(page, last);
  check((await page.textContent(".notice[role=status]")).includes("The claim to the next insurer is batch"), "the tertiary claim was not made");
  check((await page.locator("td.claim-state:has-text('; tertiary (H')").count()) === 1, "the row does not show its tertiary claim");
  await page.locator("table.charges:has(td.claim-state:has-text('; tertiary (H'))").screenshot({ path: `${shots}/billing-tertiary.png` });
  await page.goto(`${base}/billing`);

  await page.click("a:has-text('Billing set-up')");
  await page.waitForURL(`${base}/billing/setup`);
  check((await page.textContent("table.payers")).includes("Aetna"), "the payers are not listed");
  await page.fill("#service_code", "90834");
  await page.fill("#amount", "one fifty");
  await submit(page, "button:has-text('Set the fee')");
  check((await page.textContent("#amount-error")).includes("not an amount"), "a bad fee was not refused beside its field");
  await page.screenshot({ path: `${shots}/billing-setup.png`, fullPage: true });

  // The sliding scale: two tiers below the whole fee; a household of three with $41,000 a year
  // (154 % of its guideline) then pays half.
  check((await page.inputValue("#guideline_first")).includes("15,650"), "the published guideline does not fill the form");
  for (const [field, value] of [["up_to_1", "100"], ["pays_1", "20"], ["up_to_2", "200"], ["pays_2", "50"]]) {
    await page.fill(`#${field}`, value);
  }
  await submit(page, "button:has-text('Save the scale')");
  check((await page.textContent(".notice[role=status]")).includes("Saved"), "the scale was not saved");
  await page.locator("#sliding-scale").screenshot({ path: `${shots}/billing-sliding-scale.png` });
  await page.goto(`${base}/clients/${owing}/ledger`);
  await page.fill("#household", "3");
  await page.fill("#income", "41,000");
  await submit(page, "button:has-text('Assess')");
  const placed = await page.textContent("#sliding-fee");
  check(placed.includes("153 % of the poverty guideline") && placed.includes("Pays 50 % of the self-pay fee"), `not placed: ${placed}`);
  await page.locator("#sliding-fee").screenshot({ path: `${shots}/billing-sliding-fee.png` });
  check(problems.length === 0, problems.join("\n"));
} finally {
  await browser.close();
}
