// Eligibility as a biller works it: from a client's insurance card to their eligibility page,
// the 270 inquiry downloads; the payer's 271 for it (written here, apart from Haven) is
// pasted on Billing › Eligibility answers; the insurance card then says what it answered.
//
// usage: node eligibility.mjs BASE_URL OWNER_EMAIL:PASSWORD CLIENT_ID SCREENSHOT_DIR
import { readFileSync } from "node:fs";
import { launch, check, signedIn, submit } from "./browser.mjs";

// Active coverage with a copay and a carve-out, answering the inquiry's trace and member.
function answer(inquiry) {
  const segments = inquiry.split("~").map((s) => s.trim().split("*"));
  const trace = segments.find((s) => s[0] === "TRN")[2];
  const member = segments.find((s) => s[0] === "NM1" && s[1] === "IL")[9];
  const set = ["ST*271*0001*005010X279A1", "BHT*0022*11*A1*20261201*1200", "HL*1**20*1", "NM1*PR*2*PLAN*****PI*12345",
    "HL*2*1*21*1", "NM1*1P*2*PRACTICE*****XX*1234567893", "HL*3*2*22*0", `TRN*2*${trace}*9877281234`,
    `NM1*IL*1*DOE*JANE****MI*${member}`, "EB*1**30^MH**SILVER HMO", "EB*B**MH****30*****Y", "EB*U**MH", "LS*2120",
    "NM1*VN*2*CALM BEHAVIORAL HEALTH*****PI*CB1", "PER*IC**TE*8005550199", "LE*2120"];
  set.push(`SE*${set.length + 1}*0001`);
  const isa = "ISA*00*          *00*          *ZZ*PAYER          *ZZ*PRACTICE       *261201*1200*^*00501*000000088*0*P*:";
  return [isa, "GS*HB*PAYER*PRACTICE*20261201*1200*88*X*005010X279A1", ...set, "GE*1*88", "IEA*1*000000088"].join("~\n") + "~\n";
}

const [base, owner, client, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node eligibility.mjs BASE_URL OWNER CLIENT_ID SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const { page, problems } = await signedIn(browser, base, owner);
  await page.goto(`${base}/clients/${client}`);
  check((await page.textContent(".eligibility")).includes("No eligibility answer yet"), "the card should wait for an answer");
  await page.click(".eligibility a:has-text('Eligibility')");
  await page.waitForURL(`${base}/clients/${client}/eligibility`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("button:has-text('Make the inquiry')")]);
  check(/^eligibility-\d{9}\.x12$/.test(download.suggestedFilename()), `unexpected file: ${download.suggestedFilename()}`);
  const inquiry = readFileSync(await download.path(), "utf8");
  check(inquiry.includes("ST*270*"), "not a 270");
  await page.reload();
  check((await page.textContent("main")).includes("Waiting for the payer"), "the inquiry is not listed");
  await page.screenshot({ path: `${shots}/eligibility-asked.png`, fullPage: true });

  await page.goto(`${base}/billing/eligibility`);
  await page.fill("#x12", answer(inquiry));
  await submit(page, "button:has-text('Read the answers')");
  check((await page.textContent("[role=status]")).includes("Read 1 answer"), "the answer was not read");
  await page.goto(`${base}/clients/${client}`);
  const card = await page.textContent(".eligibility");
  for (const said of ["Active", "Copay $30.00", "CALM BEHAVIORAL HEALTH"]) check(card.includes(said), `${said} missing: ${card}`);
  await page.locator(".eligibility").screenshot({ path: `${shots}/eligibility-card.png` });
  check(problems.length === 0, `page problems: ${problems.join("; ")}`);
} finally {
  await browser.close();
}
