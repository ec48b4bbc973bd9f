//! AI assistance end to end, through the real server and a stand-in provider on loopback that
//! records every request: the BAA gate, consent (refused without, revoked mid-way, psychotherapy
//! notes outside its scope), nothing identifying in any request, answers put back into the
//! note's fields only as a draft its author saves and signs, and every way a provider fails
//! leaving the note as it was.

mod common;

use std::time::Duration;

use common::model::{Behaviour, ModelStandIn};
use common::*;

struct Seeded {
    server: Server,
    base: String,
    owner: String,
    /// Every staff member's `email:password` by role.
    staff: Vec<(String, String)>,
    /// (client id, given, family, birth date, phone, e-mail, clinician `email:password`).
    clients: Vec<(String, String, String, String, String, String, String)>,
    _tmp: tempfile::TempDir,
}

fn seed(clients: usize, env: &[(&str, &str)]) -> Seeded {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded =
        run(haven(&["demo", "seed", "--json", "--no-calendar", "--clients", &clients.to_string(), "--data-dir"])
            .arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let account = |s: &serde_json::Value| {
        format!("{}:{}", s["email"].as_str().unwrap_or(""), s["password"].as_str().unwrap_or(""))
    };
    let owner = staff.iter().find(|s| s["role"] == "owner").map(account).unwrap_or_default();
    let roles = staff.iter().map(|s| (s["role"].as_str().unwrap_or_default().to_owned(), account(s))).collect();
    let clients = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let primary = &staff[c["primary"].as_u64()? as usize];
            let name = c["name"].as_str()?;
            let (given, family) = name.split_once(' ')?;
            Some((
                c["id"].as_str()?.to_owned(),
                given.to_owned(),
                family.to_owned(),
                c["date_of_birth"].as_str()?.to_owned(),
                c["phone"].as_str()?.to_owned(),
                c["email"].as_str()?.to_owned(),
                account(primary),
            ))
        })
        .collect();
    let server = Server::start(&dir, &[], env);
    let base = server.url.clone();
    let owner = sign_in(&base, &owner);
    Seeded { server, base, owner, staff: roles, clients, _tmp: tmp }
}

fn seeded_staff(s: &Seeded, role: &str) -> String {
    s.staff.iter().find(|(r, _)| r == role).map(|(_, a)| a.clone()).unwrap_or_else(|| panic!("no {role}"))
}

/// Posts a form with the page's form token; the answer.
fn post(base: &str, cookie: &str, path: &str, fields: &[(&str, &str)]) -> Answer {
    let page = get(&format!("{base}/dashboard"), Some(cookie));
    let token = form_token(&page.body);
    let mut fields = fields.to_vec();
    fields.push(("_csrf", &token));
    post_form_as(&format!("{base}{path}"), cookie, &fields)
}

fn location(answer: &Answer) -> String {
    let main = answer.body.split("<main").nth(1).unwrap_or(&answer.body);
    assert_eq!(answer.status, 303, "{}", main.chars().take(800).collect::<String>());
    answer.header("location").unwrap_or_default().to_owned()
}

/// The id in `action="/practice/ai/{id}/{verb}"` of the provider named `name`.
fn provider_id(page: &str, name: &str) -> String {
    let row = page.split("<tr>").find(|r| r.contains(name)).unwrap_or_else(|| panic!("no provider {name}"));
    let at = row.find("/practice/ai/").unwrap_or_else(|| panic!("no form for {name}: {row}"));
    row[at + 13..].split('/').next().unwrap_or_default().to_owned()
}

fn version_of(page: &str, id: &str) -> String {
    let at = page.find(&format!("/practice/ai/{id}/")).unwrap_or_else(|| panic!("no {id}"));
    let rest = &page[at..];
    let v = rest.find("name=\"version\" value=\"").unwrap_or_else(|| panic!("no version"));
    rest[v + 22..].split('"').next().unwrap_or_default().to_owned()
}

/// Adds a provider that runs here (the stand-in) and turns it on; its id.
fn local_provider(s: &Seeded, model: &ModelStandIn) -> String {
    let added = post(
        &s.base,
        &s.owner,
        "/practice/ai",
        &[("name", "Office model"), ("base_url", &model.base_url()), ("model", "stand-in-1"), ("runs_here", "yes")],
    );
    location(&added);
    let page = get(&format!("{}/practice/ai", s.base), Some(&s.owner)).body;
    let id = provider_id(&page, "Office model");
    location(&post(&s.base, &s.owner, &format!("/practice/ai/{id}/enable"), &[("version", "1")]));
    id
}

/// A new SOAP draft of the client's; its path.
fn new_note(s: &Seeded, cookie: &str, client: &str, template: &str) -> String {
    location(&post(&s.base, cookie, &format!("/clients/{client}/notes"), &[("template", template)]))
}

fn prepare(s: &Seeded, cookie: &str, note: &str, provider: &str, material: &str) -> Answer {
    post(&s.base, cookie, &format!("{note}/ai"), &[("provider", provider), ("material", material)])
}

/// What the seeded client's chart holds, as the leak guard takes it.
fn known(c: &(String, String, String, String, String, String, String)) -> phi::Known {
    serde_json::from_value(serde_json::json!({"client": {
        "given": c.1, "family": c.2, "dob": c.3, "phone": c.4, "email": c.5}}))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn us_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    format!("{}/{}/{}", parts[1], parts[2], parts[0])
}

#[test]
fn notes_are_drafted_through_the_boundary_and_only_a_signature_files_them() {
    let model = ModelStandIn::start();
    let s = seed(4, &[]);
    // The BAA gate: a provider outside the practice stays off until its agreement is recorded.
    location(&post(
        &s.base,
        &s.owner,
        "/practice/ai",
        &[
            ("name", "Hosted model"),
            ("base_url", "https://models.example.com/v1"),
            ("model", "hosted-1"),
            ("key_source", "env:HOSTED_MODEL_KEY"),
        ],
    ));
    let page = get(&format!("{}/practice/ai", s.base), Some(&s.owner)).body;
    let hosted = provider_id(&page, "Hosted model");
    let refused = post(&s.base, &s.owner, &format!("/practice/ai/{hosted}/enable"), &[("version", "1")]);
    assert_eq!(refused.status, 403, "{}", refused.body);
    let baa = [("version", "1"), ("document_sha256", &"ab".repeat(32)[..]), ("no_training_no_retention", "yes")];
    location(&post(&s.base, &s.owner, &format!("/practice/ai/{hosted}/baa"), &baa));
    location(&post(&s.base, &s.owner, &format!("/practice/ai/{hosted}/enable"), &[("version", "2")]));
    let page = get(&format!("{}/practice/ai", s.base), Some(&s.owner)).body;
    location(&post(
        &s.base,
        &s.owner,
        &format!("/practice/ai/{hosted}/disable"),
        &[("version", &version_of(&page, &hosted))],
    ));
    let provider = local_provider(&s, &model);

    for c in &s.clients {
        let (client, given, family, dob, phone, email, clinician) = c;
        let cookie = sign_in(&s.base, clinician);
        let note = new_note(&s, &cookie, client, "soap");
        let material = format!(
            "- {given} {family} (DOB {}) came in; {} said sleep is better\n- her sister rang {phone} twice\n- wrote from {email}\n- PHQ-9 down to 11",
            us_date(dob),
            given.to_uppercase()
        );
        // Without the client's consent nothing is prepared.
        assert_eq!(prepare(&s, &cookie, &note, &provider, &material).status, 403);
        location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
        let sent_so_far = model.received().len();
        let request = location(&prepare(&s, &cookie, &note, &provider, &material));
        assert_eq!(model.received().len(), sent_so_far, "preparing sent something");
        let shown = get(&format!("{}{request}", s.base), Some(&cookie)).body;
        assert!(shown.contains("class=\"surrogate\""), "the stand-ins are marked");
        let payload =
            shown.split("id=\"payload-body\">").nth(1).and_then(|p| p.split("</pre>").next()).unwrap_or_default();
        assert!(!payload.contains(family.as_str()) && payload.contains("PHQ-9 down to 11"), "{payload}");
        let before = model.received().len();
        let draft = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
        assert!(draft.contains("?ai="), "answered: {draft}");
        assert_eq!(model.received().len(), before + 1);
        // The bytes sent are the bytes shown.
        let sent = model.received().last().cloned().unwrap_or_else(|| panic!("nothing sent"));
        assert_eq!(sent.body, html_unescape(payload));
        // Before the clinician saves, the note holds none of it.
        let stored = get(&format!("{}{note}", s.base), Some(&cookie)).body;
        assert!(!stored.contains("Client reports"), "the answer is in the note before any save");
        let editor = get(&format!("{}{draft}", s.base), Some(&cookie)).body;
        assert!(editor.contains("AI-assisted draft"));
        let subjective =
            editor.split("name=\"subjective\"").nth(1).and_then(|t| t.split("</textarea>").next()).unwrap_or_default();
        for real in [given.as_str(), family.as_str(), phone.as_str(), email.as_str()] {
            assert!(subjective.contains(&html_escape(real)), "{real} put back: {subjective}");
        }
        let request_id = draft.split("?ai=").nth(1).unwrap_or_default();
        let fields = [
            ("version", "1"),
            ("service_date", &today(&stored)),
            ("subjective", &format!("{} — reviewed", html_unescape(subjective.split('>').nth(1).unwrap_or_default()))),
            ("objective", "Alert, oriented, engaged."),
            ("assessment", "Progressing toward goals."),
            ("plan", "Continue weekly sessions."),
            ("ai_request", request_id),
        ];
        location(&post(&s.base, &cookie, &format!("{note}/sign"), &fields));
        let signed = get(&format!("{}{note}", s.base), Some(&cookie)).body;
        assert!(signed.contains("AI-assisted") && signed.contains("Signed") && signed.contains("— reviewed"));
        // The request's draft cannot be taken twice.
        let again = get(&format!("{}{draft}", s.base), Some(&cookie)).body;
        assert!(!again.contains("AI-assisted draft from"));
    }

    // No request carried anything of any seeded chart: by substring and by the leak guard.
    let received = model.received();
    assert_eq!(received.len(), s.clients.len());
    // Request k is client k's. Its own chart's identifiers appear in no form; another client's
    // full name, e-mail address and phone number appear nowhere (a stand-in may happen to share a
    // first name or a birthday with someone else in the practice, which identifies no one).
    for (r, own) in received.iter().zip(&s.clients) {
        assert_eq!(r.path, "/v1/chat/completions");
        let lower = r.body.to_lowercase();
        let words: std::collections::HashSet<String> =
            lower.split(|c: char| !c.is_alphanumeric()).map(str::to_owned).collect();
        let digits: String = r.body.chars().filter(char::is_ascii_digit).collect();
        // Names as words ("Tran" is in "transcript"), the rest as written.
        for name in [&own.1, &own.2] {
            assert!(!words.contains(&name.to_lowercase()), "a request holds the name {name}");
        }
        for value in [&own.3, &us_date(&own.3)] {
            assert!(!lower.contains(&value.to_lowercase()), "a request holds {value}");
        }
        let request: serde_json::Value = serde_json::from_str(&r.body).unwrap_or_else(|e| panic!("{e}"));
        for m in request["messages"].as_array().into_iter().flatten() {
            let content = m["content"].as_str().unwrap_or_default();
            let guarded = phi::guard_known(content, &known(own));
            assert!(guarded.is_ok(), "the leak guard finds {guarded:?} in {content}");
        }
        for c in &s.clients {
            let full = format!("{} {}", c.1, c.2).to_lowercase();
            assert!(
                !lower.contains(&full) && !lower.contains(&c.5.to_lowercase()),
                "a request holds {full}'s identifiers"
            );
            let phone: String = c.4.chars().filter(char::is_ascii_digit).collect();
            assert!(!digits.contains(&phone), "a request holds a phone number");
        }
    }
    // Every step is on record, with its payload for the owner.
    let csv = get(&format!("{}/audit.csv", s.base), Some(&s.owner)).body;
    for action in
        ["ai.provider.baa", "ai.consent.create", "ai.context", "ai.send", "ai.answer", "ai.accept", "note.sign"]
    {
        assert!(csv.contains(&format!(",{action},")), "no {action} event");
    }
    let line = csv.lines().find(|l| l.contains(",ai.send,")).unwrap_or_default();
    let request =
        line.split("ai_request:").nth(1).and_then(|r| r.split([' ', ','].as_ref()).next()).unwrap_or_default();
    let audit = get(&format!("{}/audit/ai/{request}", s.base), Some(&s.owner));
    assert_eq!(audit.status, 200);
    assert!(audit.body.contains("payload-body") && audit.body.contains("Client reports"));
    drop(s.server);
}

#[test]
fn a_case_summary_reads_the_signed_chart_de_identified() {
    let model = ModelStandIn::start();
    let s = seed(2, &[]);
    let provider = local_provider(&s, &model);
    let (client, given, family, _, phone, _, clinician) = &s.clients[0];
    let cookie = sign_in(&s.base, clinician);
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
    let note = new_note(&s, &cookie, client, "soap");
    let page = get(&format!("{}{note}", s.base), Some(&cookie)).body;
    let fields = [
        ("version", "1"),
        ("service_date", &today(&page)),
        ("subjective", &format!("{given} {family} said her brother calls from {phone} every night.")),
        ("objective", "Calm, engaged."),
        ("assessment", "Improving."),
        ("plan", "Continue."),
    ];
    location(&post(&s.base, &cookie, &format!("{note}/sign"), &fields));
    let private = new_note(&s, &cookie, client, "psychotherapy");
    let page = get(&format!("{}{private}", s.base), Some(&cookie)).body;
    let secret = [("version", "1"), ("service_date", &today(&page)), ("process", "PRIVATE-PROCESS-NOTE")];
    location(&post(&s.base, &cookie, &format!("{private}/sign"), &secret));

    let chart = get(&format!("{}/clients/{client}", s.base), Some(&cookie)).body;
    assert!(chart.contains("Case summary with AI"), "no summary card on the chart");
    let request =
        location(&post(&s.base, &cookie, &format!("/clients/{client}/ai/summary"), &[("provider", &provider)]));
    let shown = get(&format!("{}{request}", s.base), Some(&cookie)).body;
    let payload = shown.split("id=\"payload-body\">").nth(1).and_then(|p| p.split("</pre>").next()).unwrap_or_default();
    assert!(payload.contains("Signed session notes") && payload.contains("Calm, engaged."), "{payload}");
    assert!(!payload.contains(family.as_str()) && !payload.contains(phone.as_str()), "an identifier in {payload}");
    assert!(!payload.contains("PRIVATE-PROCESS-NOTE"), "a psychotherapy note entered the context");
    location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
    let answered = get(&format!("{}{request}", s.base), Some(&cookie)).body;
    let summary = answered.split("id=\"ai-summary-text\"").nth(1).unwrap_or_default();
    assert!(summary.contains("Summary of care") && summary.contains(family.as_str()), "not put back: {summary}");
    // Someone outside the care team gets no summary.
    let biller = seeded_staff(&s, "biller");
    let theirs = sign_in(&s.base, &biller);
    assert_eq!(
        post(&s.base, &theirs, &format!("/clients/{client}/ai/summary"), &[("provider", &provider)]).status,
        403
    );
    assert_eq!(get(&format!("{}{request}", s.base), Some(&theirs)).status, 403);
}

/// A client writes in the portal; their clinician has a reply drafted: what goes out names no
/// one, the draft comes back with names put back into the thread's reply box, and it reaches
/// the client only as the clinician's own sent reply (accepted), or is discarded (rejected).
#[test]
fn a_reply_to_a_clients_message_is_drafted_de_identified_and_sent_only_as_the_clinicians_own() {
    let model = ModelStandIn::start();
    let s = seed(2, &[]);
    let provider = local_provider(&s, &model);
    let (client, given, family, _, phone, _, clinician) = &s.clients[0];
    let cookie = sign_in(&s.base, clinician);
    // The client joins the portal (no mail server: the link is handed over) and writes.
    let portal = format!("/clients/{client}/portal");
    let invited = post_from(&s.base, &cookie, &portal, &portal, &[("to", "client")]);
    let at = invited.body.find("/portal/link/").unwrap_or_else(|| panic!("no link: {}", invited.body));
    let link: String =
        invited.body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect();
    let password = "lantern harbor quietly ninety";
    let joined = post_form(&format!("{}{link}", s.base), &[("password", password), ("password_confirm", password)]);
    let theirs = joined.session_cookie();
    let body = format!("It's {given} {family}. Can we move Thursday? Call me at {phone}.");
    let sent = post_from(
        &s.base,
        &theirs,
        "/portal/messages",
        "/portal/messages",
        &[("subject", "Thursday"), ("body", &body)],
    );
    let thread_id = sent.header("location").unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
    let thread = format!("/clients/{client}/messages/{thread_id}");

    // Without the client's AI consent the assistant is refused; with it, the draft is prepared.
    let page = get(&format!("{}{thread}", s.base), Some(&cookie)).body;
    assert!(page.contains("Draft a reply with AI") && page.contains("Not available for this client"), "{page}");
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
    let request = location(&post(&s.base, &cookie, &format!("{thread}/ai"), &[("provider", &provider)]));
    let shown = get(&format!("{}{request}", s.base), Some(&cookie)).body;
    let payload = shown.split("id=\"payload-body\">").nth(1).and_then(|p| p.split("</pre>").next()).unwrap_or_default();
    assert!(payload.contains("From the client") && payload.contains("move Thursday"), "{payload}");
    for identifier in [given.as_str(), family.as_str(), phone.as_str()] {
        assert!(!payload.contains(identifier), "{identifier} in {payload}");
    }
    let opened = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
    assert!(opened.starts_with(&format!("{thread}?ai=")), "the draft opens in the thread: {opened}");
    let drafting = get(&format!("{}{opened}", s.base), Some(&cookie)).body;
    let reply_box =
        drafting.split("id=\"body\"").nth(1).and_then(|b| b.split("</textarea>").next()).unwrap_or_default();
    assert!(reply_box.contains("Thank you for writing") && reply_box.contains(family.as_str()), "{reply_box}");
    assert!(drafting.contains("Nothing reaches the client until you send it"), "{drafting}");
    let client_sees = |cookie: &str| get(&format!("{}/portal/messages/{thread_id}", s.base), Some(cookie)).body;
    assert!(!client_sees(&theirs).contains("Thank you for writing"), "nothing was sent by the answer alone");

    // Sent as the clinician edited it: the request is accepted, once.
    let request_id = opened.rsplit('=').next().unwrap_or_default().to_owned();
    let edited = format!("Thank you for writing, {given}. Thursday at 3 works; see you then.");
    let reply = [("body", edited.as_str()), ("ai_request", request_id.as_str())];
    assert_eq!(post_from(&s.base, &cookie, &thread, &thread, &reply).status, 303);
    assert!(client_sees(&theirs).contains("Thursday at 3 works"), "the edited reply reached the client");
    let again = post_from(&s.base, &cookie, &thread, &thread, &reply);
    assert!(again.status == 409 && again.body.contains("no longer waiting"), "{}", again.body);
    let log = get(&format!("{}/audit.csv?action=ai.accept", s.base), Some(&s.owner)).body;
    assert!(log.contains(&request_id), "the acceptance is on record: {log}");

    // A second draft, discarded: recorded as rejected, and nothing goes out.
    let body = "And could you send the worksheet?";
    post_from(
        &s.base,
        &theirs,
        &format!("/portal/messages/{thread_id}"),
        &format!("/portal/messages/{thread_id}"),
        &[("body", body)],
    );
    let second = location(&post(&s.base, &cookie, &format!("{thread}/ai"), &[("provider", &provider)]));
    let opened = location(&post(&s.base, &cookie, &format!("{second}/send"), &[]));
    let second_id = opened.rsplit('=').next().unwrap_or_default().to_owned();
    location(&post(&s.base, &cookie, &format!("{thread}/ai/{second_id}/reject"), &[]));
    let log = get(&format!("{}/audit.csv?action=ai.reject", s.base), Some(&s.owner)).body;
    assert!(log.contains(&second_id), "{log}");
    assert_eq!(client_sees(&theirs).matches("Thank you for writing").count(), 1, "only the reply sent before");
    // Someone outside the care team drafts nothing.
    let biller = sign_in(&s.base, &seeded_staff(&s, "biller"));
    assert_eq!(post(&s.base, &biller, &format!("{thread}/ai"), &[("provider", &provider)]).status, 403);
}

#[test]
fn plan_suggestions_come_from_the_signed_intake_and_enter_the_plan_one_by_one() {
    let model = ModelStandIn::start();
    let s = seed(1, &[]);
    let provider = local_provider(&s, &model);
    let (client, given, family, ..) = &s.clients[0];
    let cookie = sign_in(&s.base, &s.clients[0].6);
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
    let plan_goals = format!("/clients/{client}/ai/plan-goals");
    // Without a signed intake there is nothing to draw from.
    assert_eq!(post(&s.base, &cookie, &plan_goals, &[("provider", &provider)]).status, 422);
    let intake = new_note(&s, &cookie, client, "intake");
    let page = get(&format!("{}{intake}", s.base), Some(&cookie)).body;
    let presenting = format!("{given} {family} cannot sleep since her divorce");
    let fields = [
        ("version", "1"),
        ("service_date", &today(&page)),
        ("presenting_problem", &presenting),
        ("history", "No prior treatment."),
        ("mental_status", "Tired, cooperative."),
        ("risk", "Denies SI."),
        ("impression", "Adjustment disorder."),
        ("plan", "Weekly CBT."),
    ];
    location(&post(&s.base, &cookie, &format!("{intake}/sign"), &fields));
    let request = location(&post(&s.base, &cookie, &plan_goals, &[("provider", &provider)]));
    let shown = get(&format!("{}{request}", s.base), Some(&cookie)).body;
    let payload = shown.split("id=\"payload-body\">").nth(1).and_then(|p| p.split("</pre>").next()).unwrap_or_default();
    assert!(payload.contains("Signed intake") && !payload.contains(family.as_str()), "{payload}");
    let plan = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
    assert!(plan.contains("/plan?ai="), "{plan}");
    let page = get(&format!("{}{plan}", s.base), Some(&cookie)).body;
    let suggested = page.split("id=\"ai-suggestions\"").nth(1).unwrap_or_default();
    assert!(suggested.contains(&presenting) && suggested.contains("Sleep seven hours"), "{suggested}");
    // Nothing is in the plan until the clinician adds it, as edited.
    let before = get(&format!("{}/clients/{client}/plan", s.base), Some(&cookie)).body;
    assert!(!before.contains("cannot sleep since her divorce"));
    let version = before.split("name=\"version\" value=\"").nth(1).and_then(|v| v.split('"').next()).unwrap_or("0");
    let edited = format!("{presenting}, and worries at night");
    // The suggested goal goes in with its problem, as edited; one without an objective is refused.
    let problems = format!("/clients/{client}/plan/problems");
    let goal =
        [("goal_1_text", "Sleep seven hours on most nights, by the sleep log"), ("goal_1_interventions", "CBT-I")];
    let mut fields = vec![("version", version), ("text", edited.as_str())];
    fields.extend(goal);
    let refused = post(&s.base, &cookie, &problems, &fields);
    assert!(refused.status == 422 && refused.body.contains("goal 1: objectives"), "{}", refused.body);
    fields.push(("goal_1_objectives", "sleep log kept nightly"));
    location(&post(&s.base, &cookie, &problems, &fields));
    let after = get(&format!("{}/clients/{client}/plan", s.base), Some(&cookie)).body;
    assert!(after.contains("and worries at night"), "the problem was not added");
    assert!(after.contains("Sleep seven hours on most nights, by the sleep log"), "its goal was not added: {after}");
}

/// The approval gate through every route: with an answered AI draft waiting, every other POST
/// and DELETE route of the application, called by the note's author with the request's id among
/// its fields, leaves the note unsigned and without the answer, and the draft unaccepted. Only
/// the author's own save of the note's form (then its signature) files AI text.
#[test]
fn no_route_but_the_authors_save_takes_an_ai_draft() {
    let model = ModelStandIn::start();
    let s = seed(1, &[]);
    let provider = local_provider(&s, &model);
    let (client, given, ..) = &s.clients[0];
    let clinician = s.clients[0].6.clone();
    let cookie = sign_in(&s.base, &clinician);
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
    let note = new_note(&s, &cookie, client, "soap");
    let request = location(&prepare(&s, &cookie, &note, &provider, &format!("{given} slept better")));
    let draft = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
    let request_id = draft.split("?ai=").nth(1).unwrap_or_default().to_owned();
    let note_id = note.rsplit('/').next().unwrap_or_default().to_owned();
    // The gate itself, and the care team's form (it would take the author off the client's
    // team, and with it their way back to read the note).
    let skipped = ["/clients/{id}/notes/{note}", "/clients/{id}/notes/{note}/sign", "/clients/{id}/care-team"];
    let mut called = 0;
    for route in web::route_list() {
        if !matches!(route.method, "POST" | "DELETE") || skipped.contains(&route.path.as_str()) {
            continue;
        }
        let path = route
            .path
            .replace("{id}", client)
            .replace("{note}", &note_id)
            .replace("{request}", &request_id)
            .replace("{token}", "not-a-real-token")
            .replace(['{', '}'], "");
        // A fresh session each time: some routes end the one they are called with.
        let cookie = sign_in(&s.base, &clinician);
        let token = form_token(&get(&format!("{}/dashboard", s.base), Some(&cookie)).body);
        let fields = [
            ("_csrf", token.as_str()),
            ("ai_request", request_id.as_str()),
            ("version", "1"),
            ("subjective", "Client reports: stored by another route"),
            ("text", "Client reports: stored by another route"),
        ];
        let url = format!("{}{path}", s.base);
        let answer = match route.method {
            "POST" => answer(http().post(&url).header("cookie", &cookie).send_form(fields)),
            _ => answer(http().delete(&url).header("cookie", &cookie).call()),
        };
        assert_ne!(answer.status, 500, "{} {path}", route.method);
        called += 1;
    }
    assert!(called > 80, "only {called} routes were called");
    let cookie = sign_in(&s.base, &clinician);
    let stored = get(&format!("{}{note}", s.base), Some(&cookie)).body;
    let main = stored.split("<main").nth(1).unwrap_or(&stored).chars().take(1500).collect::<String>();
    assert!(!stored.contains("Client reports") && stored.contains(">Draft<"), "the note changed: {main}");
    let csv = get(&format!("{}/audit.csv", s.base), Some(&s.owner)).body;
    assert!(!csv.contains(",ai.accept,"), "a draft was accepted by another route");
    // The walk included the draft's own "reject": rejected, never taken into the note.
    let page = get(&format!("{}{request}", s.base), Some(&cookie)).body;
    let state = page.split("id=\"ai-state\">").nth(1).and_then(|p| p.split('<').next()).unwrap_or_default();
    assert_eq!(state, "Rejected", "{page}");
}

#[test]
fn consent_is_checked_again_on_send_and_its_scope_is_kept() {
    let model = ModelStandIn::start();
    let s = seed(1, &[]);
    let provider = local_provider(&s, &model);
    let (client, given, _, _, _, _, clinician) = &s.clients[0];
    let cookie = sign_in(&s.base, clinician);
    // The demo's client is in a Part 2 program: a consent that leaves Part 2 records out
    // refuses their notes.
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[]));
    let note = new_note(&s, &cookie, client, "soap");
    let refused = prepare(&s, &cookie, &note, &provider, &format!("{given} reports better sleep"));
    assert!(refused.status == 403 && refused.body.contains("does not cover Part 2 records"), "{}", refused.status);
    revoke_consent(&s, &cookie, client);
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
    // A psychotherapy note is outside a consent that does not name them.
    let private = new_note(&s, &cookie, client, "psychotherapy");
    assert_eq!(prepare(&s, &cookie, &private, &provider, &format!("{given} spoke of her father")).status, 403);
    let page = get(&format!("{}{private}", s.base), Some(&cookie)).body;
    assert!(page.contains("does not cover psychotherapy notes"));
    // Revoked between preparing and sending: nothing leaves.
    let request = location(&prepare(&s, &cookie, &note, &provider, &format!("{given} reports better sleep")));
    revoke_consent(&s, &cookie, client);
    let after = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
    let shown = get(&format!("{}{after}", s.base), Some(&cookie)).body;
    assert!(shown.contains("has not consented"), "{}", shown.chars().take(600).collect::<String>());
    assert!(model.received().is_empty(), "a request left after the consent was revoked");
}

#[test]
fn provider_failures_leave_the_note_untouched_and_say_what_happened() {
    let model = ModelStandIn::start();
    let s = seed(1, &[("HAVEN_AI_TIMEOUT_SECONDS", "5")]);
    let provider = local_provider(&s, &model);
    let (client, given, ..) = &s.clients[0];
    let clinician = &s.clients[0].6;
    let cookie = sign_in(&s.base, clinician);
    location(&post(&s.base, &cookie, &format!("/clients/{client}/ai-consent"), &[("part2", "yes")]));
    let note = new_note(&s, &cookie, client, "soap");
    let cases = [
        (Behaviour::Slow(Duration::from_secs(8)), "did not answer within 5 seconds"),
        (Behaviour::RateLimitedOnce(30), "limiting requests; it asks to wait 30 seconds"),
        (Behaviour::Status(500), "the provider failed (HTTP 500)"),
        (Behaviour::Status(401), "refused the request (HTTP 401)"),
        (Behaviour::Garbage, "not in the expected format"),
        (Behaviour::Cut, "cut off before it finished"),
    ];
    for (behaviour, said) in cases {
        model.behave(behaviour.clone());
        let request = location(&prepare(&s, &cookie, &note, &provider, &format!("{given} reports better sleep")));
        let after = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
        assert!(!after.contains("?ai="), "{behaviour:?} answered");
        let shown = get(&format!("{}{after}", s.base), Some(&cookie)).body;
        assert!(
            shown.contains(said) && shown.contains("Nothing in the record changed"),
            "{behaviour:?}: {}",
            shown.split("<main").nth(1).unwrap_or_default().chars().take(800).collect::<String>()
        );
        let stored = get(&format!("{}{note}", s.base), Some(&cookie)).body;
        assert!(!stored.contains("Client reports"), "{behaviour:?} changed the note");
    }
    // A page that asks for the answer as it arrives gets its pieces, then where to read it.
    model.behave(Behaviour::Note);
    let request = location(&prepare(&s, &cookie, &note, &provider, &format!("{given} reports better sleep")));
    let token = form_token(&get(&format!("{}/dashboard", s.base), Some(&cookie)).body);
    let streamed = answer(
        http()
            .post(&format!("{}{request}/send", s.base))
            .header("cookie", &cookie)
            .header("accept", "text/event-stream")
            .send_form([("_csrf", token.as_str())]),
    );
    assert_eq!(streamed.header("content-type"), Some("text/event-stream"), "{}", streamed.status);
    assert!(streamed.body.matches("event: piece").count() > 3, "{}", streamed.body);
    let done = streamed.body.split("event: done\ndata: ").nth(1).unwrap_or_default();
    assert!(done.contains("?ai="), "{}", streamed.body);
    let request_id = done.split("?ai=").nth(1).and_then(|r| r.split('"').next()).unwrap_or_default();
    location(&post(&s.base, &cookie, &format!("{note}/ai/{request_id}/reject"), &[]));
    // A short rate limit is waited out once; a provider that ignores streaming is read whole.
    for behaviour in [Behaviour::RateLimitedOnce(1), Behaviour::NoteUnstreamed] {
        model.behave(behaviour.clone());
        let request = location(&prepare(&s, &cookie, &note, &provider, &format!("{given} reports better sleep")));
        let after = location(&post(&s.base, &cookie, &format!("{request}/send"), &[]));
        assert!(after.contains("?ai="), "{behaviour:?}: {after}");
        // Rejected: recorded, and the note stays as it was.
        let request_id = after.split("?ai=").nth(1).unwrap_or_default();
        location(&post(&s.base, &cookie, &format!("{note}/ai/{request_id}/reject"), &[]));
    }
    let csv = get(&format!("{}/audit.csv", s.base), Some(&s.owner)).body;
    assert!(
        csv.contains(",ai.reject,")
            && csv.lines().filter(|l| l.contains(",ai.answer,") && l.contains("error")).count() >= 6
    );
}

fn revoke_consent(s: &Seeded, cookie: &str, client: &str) {
    let consents = get(&format!("{}/clients/{client}/disclosures", s.base), Some(cookie)).body;
    let at = consents.find("/ai-consent/").unwrap_or_else(|| panic!("no revoke form"));
    let consent = consents[at + 12..].split('/').next().unwrap_or_default();
    location(&post(&s.base, cookie, &format!("/clients/{client}/ai-consent/{consent}/revoke"), &[]));
}

fn today(page: &str) -> String {
    let at = page.find("name=\"service_date\" type=\"date\" value=\"").unwrap_or_else(|| panic!("no date"));
    page[at + 39..].split('"').next().unwrap_or_default().to_owned()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&#34;").replace('\'', "&#39;")
}
