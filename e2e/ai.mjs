// AI assistance as a practice uses it: the owner adds a model that runs here (the tests'
// stand-in) and turns it on; a clinician records the client's AI consent, writes bullet points
// into a SOAP note, sees exactly what would be sent (stand-ins marked), sends it, finds the
// draft in the SOAP fields marked AI-assisted, edits it and signs; a second draft is rejected
// and leaves its note empty; a case summary of the chart is prepared, shown and read; problems
// suggested from a signed intake are edited and added to the plan; a reply to the client's
// portal message is drafted, shown, edited and sent as the clinician's own.
//
// usage: node ai.mjs BASE_URL OWNER CLINICIAN MODEL_BASE_URL THREAD_PATH SCREENSHOT_DIR
import { launch, check, signedIn, submit } from "./browser.mjs";

const [base, owner, clinician, model, thread, shots] = process.argv.slice(2);
if (!shots) {
  console.error("usage: node ai.mjs BASE_URL OWNER CLINICIAN MODEL_BASE_URL THREAD_PATH SCREENSHOT_DIR");
  process.exit(2);
}

const browser = await launch();
try {
  const o = await signedIn(browser, base, owner);
  await o.page.goto(`${base}/practice/ai`);
  await o.page.fill("#name", "Office model");
  await o.page.fill("#base_url", model);
  await o.page.fill("#model", "stand-in-1");
  await o.page.check("input[name=runs_here]");
  await submit(o.page, "#provider-form button[type=submit]");
  await submit(o.page, "#providers button:has-text('Turn on')");
  check((await o.page.textContent("#providers")).includes("On"), "the provider is not on");
  await o.page.screenshot({ path: `${shots}/ai-providers.png`, fullPage: true });

  const c = await signedIn(browser, base, clinician);
  await c.page.goto(`${base}/clients`);
  await c.page.click("section:has(h2:has-text('Your caseload')) tbody a >> nth=0");
  await c.page.waitForURL(/\/clients\/[0-9a-f-]{36}$/);
  const chart = c.page.url();
  const client = (await c.page.textContent("h1")).trim();
  await c.page.goto(`${chart}/disclosures`);
  await c.page.check("#ai-consent-form input[name=part2]");
  await submit(c.page, "#ai-consent-form button[type=submit]");
  check((await c.page.textContent("#ai-consent")).includes("consented to AI assistance"), "the consent was not recorded");

  // A note from bullet points: shown before it is sent.
  const draftNote = async () => {
    await c.page.goto(chart);
    await c.page.selectOption("#template", "soap");
    await c.page.click("button:has-text('Start note')");
    await c.page.waitForSelector("#ai-assist");
  };
  await draftNote();
  const given = client.split(" ")[0];
  await c.page.fill("#material", `- ${given} slept 7h most nights\n- ${given}'s mother visited on 03/14\n- PHQ-9 11 (was 15)\n- practiced the breathing exercise`);
  await submit(c.page, "#ai-assist button[type=submit]");
  await c.page.waitForSelector("mark.surrogate");
  const shown = await c.page.textContent(".payload");
  check(!shown.includes(given) && shown.includes("PHQ-9 11"), `the payload shows an identifier: ${shown}`);
  check((await c.page.textContent("#ai-state")).includes("Waiting"), "the request is not waiting to be sent");
  await c.page.screenshot({ path: `${shots}/ai-payload.png`, fullPage: true });
  // The answer streams into the page, then the draft opens in the note.
  await c.page.click("#ai-send");
  await c.page.waitForFunction(() => (document.querySelector("#ai-stream pre")?.textContent || "").length > 40);
  await c.page.screenshot({ path: `${shots}/ai-streaming.png`, fullPage: true });
  await c.page.waitForURL(/\?ai=/);
  await c.page.waitForSelector("#ai-draft");
  const subjective = await c.page.inputValue("#subjective");
  check(subjective.includes(given) && subjective.includes("PHQ-9 11"), `the draft is not in the SOAP fields: ${subjective}`);
  check((await c.page.inputValue("#plan")).length > 0, "the plan field is empty");
  await c.page.screenshot({ path: `${shots}/ai-draft.png`, fullPage: true });
  await c.page.fill("#subjective", `${subjective}\nReviewed with the client.`);
  await submit(c.page, "button:has-text('Sign and lock')");
  const signed = await c.page.textContent("section.note");
  check(signed.includes("Reviewed with the client."), "the edit was not filed");
  check((await c.page.textContent(".lead")).includes("AI-assisted"), "the signed note is not marked AI-assisted");
  await c.page.screenshot({ path: `${shots}/ai-signed.png`, fullPage: true });

  // A case summary of the chart, shown before it is sent.
  await c.page.goto(chart);
  await submit(c.page, "#ai-summary button[type=submit]");
  await c.page.waitForSelector("mark.surrogate");
  check(!(await c.page.textContent(".payload")).includes(given), "the summary's payload shows the client's name");
  await c.page.click("#ai-send");
  await c.page.waitForSelector("#ai-summary-text");
  const summary = await c.page.textContent("#ai-summary-text");
  check(summary.includes(given), `the summary is not put back: ${summary}`);
  await c.page.screenshot({ path: `${shots}/ai-summary.png`, fullPage: true });

  // Problems and goals for the plan from a signed intake, added one by one.
  await c.page.goto(chart);
  await c.page.selectOption("#template", "intake");
  await c.page.click("button:has-text('Start note')");
  await c.page.waitForSelector("#presenting_problem");
  await c.page.fill("#presenting_problem", `${given} cannot sleep since the move`);
  for (const id of ["history", "mental_status", "risk", "impression", "plan"]) await c.page.fill(`#${id}`, "As discussed.");
  await submit(c.page, "button:has-text('Sign and lock')");
  await c.page.goto(`${chart}/plan`);
  await submit(c.page, "#ai-plan button[type=submit]");
  await c.page.waitForSelector("mark.surrogate");
  await c.page.click("#ai-send");
  await c.page.waitForSelector("#ai-suggestions");
  const suggestion = await c.page.inputValue("#suggested-1");
  check(suggestion.includes(given), `the suggestion is not put back: ${suggestion}`);
  await c.page.screenshot({ path: `${shots}/ai-plan.png`, fullPage: true });
  await c.page.fill("#suggested-1", `${suggestion} (reviewed)`);
  await submit(c.page, "#ai-suggestions button[type=submit] >> nth=0");
  const planNow = await c.page.textContent("main");
  check(planNow.includes("(reviewed)") && planNow.includes("Sleep seven hours"), "the suggested problem and its goal were not added");

  // Rejected: the note stays as it was.
  await draftNote();
  const note = c.page.url();
  await c.page.fill("#material", `- ${given} cancelled the group session`);
  await submit(c.page, "#ai-assist button[type=submit]");
  await c.page.click("#ai-send");
  await c.page.waitForSelector("#ai-draft");
  await submit(c.page, "button:has-text('Reject this draft')");
  check(c.page.url() === note, `not back on the note: ${c.page.url()}`);
  check((await c.page.inputValue("#subjective")) === "", "a rejected draft reached the note");

  // A reply to the client's message: shown before it is sent, then in the reply box to edit.
  const threadClient = thread.split("/")[2];
  await c.page.goto(`${base}/clients/${threadClient}/disclosures`);
  if (await c.page.isVisible("#ai-consent-form")) {
    await c.page.check("#ai-consent-form input[name=part2]");
    await submit(c.page, "#ai-consent-form button[type=submit]");
  }
  await c.page.goto(`${base}${thread}`);
  await submit(c.page, "#ai-reply button[type=submit]");
  check((await c.page.textContent(".payload")).includes("From the client"), "the thread is not what would be sent");
  await c.page.click("#ai-send");
  await c.page.waitForSelector(".ai-draft");
  const drafted = await c.page.inputValue("#body");
  check(drafted.includes("Thank you for writing") && drafted.includes("work trip"), `no draft in the reply box: ${drafted}`);
  await c.page.screenshot({ path: `${shots}/ai-reply.png`, fullPage: true });
  await c.page.fill("#body", `${drafted}\n\nSee you on Friday instead.`);
  await submit(c.page, "button:has-text('Send the reply')");
  check((await c.page.textContent("main")).includes("See you on Friday instead."), "the edited reply was not sent");

  // The owner finds the request, and what was sent, in the audit log.
  await o.page.goto(`${base}/audit?action=ai.send`);
  await o.page.click("a:has-text('payload') >> nth=0");
  await o.page.waitForSelector("#payload-body", { state: "attached" });
  check(!(await o.page.textContent(".payload")).includes(given), "the audit view shows an identifier");
  await o.page.screenshot({ path: `${shots}/ai-audit.png`, fullPage: true });
  check(o.problems.length === 0 && c.problems.length === 0, `browser reported problems:\n${o.problems.concat(c.problems).join("\n")}`);
  console.log(JSON.stringify({ ok: true }));
} finally {
  await browser.close();
}
