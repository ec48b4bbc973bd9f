//! Flows in a real browser (Debian's chromium, driven by playwright-core): the first run (setup
//! link → practice and owner → sign-in, history, sessions, authenticator app, lockout) and a
//! required second factor. Screenshots are kept in `target/e2e-screenshots/` for people to look at.

#[allow(dead_code, unreachable_pub)]
#[path = "common/cards.rs"]
mod cards;
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn e2e_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../e2e")
}

/// Installs playwright-core from the lock file if it is not there yet (no browser download:
/// playwright-core has none; chromium comes from Debian).
fn ensure_node_modules(dir: &Path) {
    if dir.join("node_modules/playwright-core").exists() {
        return;
    }
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .status()
        .unwrap_or_else(|e| panic!("npm is needed for the browser tests: {e}"));
    assert!(status.success(), "npm ci failed in {}", dir.display());
}

/// Runs `script` with `args` and the screenshot directory; fails with the server's log.
fn run_flow(script: &str, args: &[&str], server: &Server) -> PathBuf {
    let e2e = e2e_dir();
    ensure_node_modules(&e2e);
    assert!(
        Path::new("/usr/bin/chromium").exists() || std::env::var_os("CHROMIUM_PATH").is_some(),
        "chromium is needed for the browser tests: apt-get install chromium"
    );
    let shots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e-screenshots");
    std::fs::create_dir_all(&shots).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new("node")
        .arg(script)
        .args(args)
        .arg(&shots)
        .current_dir(&e2e)
        .output()
        .unwrap_or_else(|e| panic!("node is needed for the browser tests: {e}"));
    assert!(
        out.status.success(),
        "browser flow {script} failed:\n{}\n{}\nserver log:\n{}",
        text(&out.stdout),
        text(&out.stderr),
        server.log()
    );
    shots
}

#[test]
fn first_run_in_a_browser() {
    let tmp = temp_dir();
    let server = Server::start(&data_dir(&tmp), &[], &[]);
    let link = server.setup_link.clone().unwrap_or_else(|| panic!("no setup link"));
    let shots = run_flow("first-run.mjs", &[&link], &server);
    for shot in ["setup-errors.png", "sign-in-welcome.png", "dashboard.png", "setup-link-used.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The owner invites a colleague through a real SMTP server, who joins from the e-mailed link;
/// the owner then changes their role, deactivates and re-enables them.
#[test]
fn the_owner_invites_staff_by_email_and_manages_their_accounts() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let mail = MailSink::start(tmp.path(), None);
    let env = mail.env("none");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    let maildir = mail.maildir.to_string_lossy().into_owned();
    let shots = run_flow("staff.mjs", &[&server.url, &owner, &maildir], &server);
    for shot in [
        "staff-deactivated.png",
        "password-change-refused.png",
        "password-changed.png",
        "practice-profile.png",
        "password-forgot-sent.png",
        "password-reset-refused.png",
        "staff-reset-sent.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    assert_eq!(mail.messages().len(), 3, "the invitation and two reset links");
}

/// Without a mail server the owner is given the invitation link to hand over, once, and the
/// colleague joins with it.
#[test]
fn without_e_mail_the_invitation_link_is_handed_over() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("invitations.mjs", &[&server.url, &owner, "handover"], &server);
    assert!(shots.join("invitation-handover.png").exists());
    assert!(!server.log().contains("/invitation/"), "the link went into the log");
}

/// A mail server that refuses: the page shows the 502's reason and keeps nothing.
#[test]
fn a_refused_invitation_e_mail_is_shown_on_the_page() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    // A relay on this machine that is not there: every message is refused.
    let port = free_port().to_string();
    let env = [
        ("HAVEN_SMTP_HOST", "127.0.0.1"),
        ("HAVEN_SMTP_PORT", port.as_str()),
        ("HAVEN_SMTP_SECURITY", "none"),
        ("HAVEN_SMTP_FROM", "haven@calmwaters.example"),
    ];
    let server = Server::start(&dir, &[], &env);
    let shots = run_flow("invitations.mjs", &[&server.url, &owner, "mail-down"], &server);
    assert!(shots.join("invitation-mail-down.png").exists());
}

/// The owner sets up appointment types, a clinician their hours, breaks and time off; a stale
/// save is refused; the next free slot falls in the clinician's hours.
#[test]
fn scheduling_is_set_up_and_finds_the_next_free_slot() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("scheduling.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["appointment-types.png", "calendar-stale-save.png", "calendar.png", "next-free-slot.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The owner reads the audit log: the checkpoint on the dashboard, filters, sorting, after
/// hours, a refused malformed id, the CSV, the retention and a legal hold; a clinician is
/// refused, and that is in the log.
#[test]
fn the_owner_reads_the_audit_log() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("audit.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["audit-dashboard.png", "audit-refusals.png", "audit-log.png", "audit-retention.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// A clinician adds a client and lands on the chart; a supervisor outside the care team breaks
/// the glass with a reason; the owner is alerted and flags the use.
#[test]
fn a_client_is_added_and_the_glass_broken_and_reviewed() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician", "supervisor"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("clients.mjs", &[&server.url, &accounts[0], &accounts[1], &accounts[2]], &server);
    for shot in [
        "client-chart.png",
        "client-search.png",
        "break-glass.png",
        "client-chart-glass.png",
        "glass-review.png",
        "note-over-long-paste.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// A clinician uploads outside records and opens them back; a disguised file is refused; the
/// front desk adds an insurance card and never sees the clinical records.
#[test]
fn documents_are_uploaded_refused_by_content_and_shown_by_kind() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["clinician", "scheduler"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("documents.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["document-refused.png", "documents.png", "chart-documents.png", "documents-front-desk.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// A Part 2 program: the SUD diagnosis is labelled, a consent is recorded, a disclosure beyond
/// it is refused and one within it carries the notice and is accounted for.
#[test]
fn part2_records_are_disclosed_only_as_consented_with_the_notice() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician", "scheduler"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("part2.mjs", &[&server.url, &accounts[0], &accounts[1], &accounts[2]], &server);
    for shot in ["disclosure-refused.png", "disclosure-part2.png", "disclosures.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The front desk groups two clients as a family; a member nobody matches is refused beside
/// the field.
#[test]
fn a_family_is_grouped_from_the_chart() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let scheduler = seeded_account(&dir, "scheduler");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("groups.mjs", &[&server.url, &scheduler], &server);
    assert!(shots.join("chart-family.png").exists(), "chart-family.png not taken");
}

/// The front desk books a session, meets an overlap and books anyway on purpose, records a
/// no-show with its reason and moves a session; a clinician books their own and opens its note.
#[test]
fn the_front_desk_books_and_closes_appointments_on_a_day() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["scheduler", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("appointments.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["appointment-overlap.png", "day.png", "week.png", "feed.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The front desk books a weekly series, cancels one late and books a waiting client into its
/// time, moves the rest from a session on and ends the series.
#[test]
fn the_front_desk_keeps_a_weekly_series() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let scheduler = seeded_account(&dir, "scheduler");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("series.mjs", &[&server.url, &scheduler], &server);
    for shot in ["waitlist.png", "series-week.png", "series-day.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The owner adds a group type and books it with three clients; a type for two refuses three.
#[test]
fn a_group_session_is_booked_with_several_clients() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("group.mjs", &[&server.url, &owner], &server);
    assert!(shots.join("group.png").exists(), "group.png not taken");
}

/// The owner makes a note template of the practice's own; a clinician writes and signs a note in it.
#[test]
fn a_practice_template_structures_a_note() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("note-template.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["note-templates.png", "note-from-template.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// AI assistance: a provider that runs here, consent, bullet points → what would be sent →
/// the draft in the SOAP fields → edited and signed; a second draft rejected.
#[test]
fn an_ai_draft_is_shown_before_sending_and_filed_only_when_signed() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--no-calendar", "--clients", "3"]);
    let client = &report["clients"][0];
    let clinician = &report["staff"][client["primary"].as_u64().unwrap_or_default() as usize];
    let clinician =
        format!("{}:{}", clinician["email"].as_str().unwrap_or(""), clinician["password"].as_str().unwrap_or(""));
    let model = common::model::ModelStandIn::start();
    // Slowly enough to watch the answer arrive.
    model.behave(common::model::Behaviour::NoteSlowly(std::time::Duration::from_millis(60)));
    let server = Server::start(&dir, &[], &[]);
    let thread = client_writes_in_the_portal(&server.url, &clinician, client["id"].as_str().unwrap_or_default());
    let args = [server.url.as_str(), &account_of(&report, "owner"), &clinician, &model.base_url(), &thread];
    let shots = run_flow("ai.mjs", &args, &server);
    for shot in [
        "ai-providers.png",
        "ai-payload.png",
        "ai-streaming.png",
        "ai-draft.png",
        "ai-signed.png",
        "ai-summary.png",
        "ai-plan.png",
        "ai-reply.png",
        "ai-audit.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    assert_eq!(model.received().len(), 5, "one request per draft, summary, suggestion or reply sent");
}

/// The client, invited by their clinician (the link handed over: no mail server here), joins
/// the portal and writes to the care team; the thread's path on the staff side.
fn client_writes_in_the_portal(base: &str, clinician: &str, client: &str) -> String {
    let cookie = sign_in(base, clinician);
    let portal = format!("/clients/{client}/portal");
    let invited = post_from(base, &cookie, &portal, &portal, &[("to", "client")]);
    let at = invited.body.find("/portal/link/").unwrap_or_else(|| panic!("no link: {}", invited.body));
    let link: String =
        invited.body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect();
    let password = "lantern harbor quietly ninety";
    let joined = post_form(&format!("{base}{link}"), &[("password", password), ("password_confirm", password)]);
    let theirs = joined.session_cookie();
    let body = [("subject", "Thursday"), ("body", "Can we move Thursday's session? I have a work trip.")];
    let sent = post_from(base, &theirs, "/portal/messages", "/portal/messages", &body);
    let thread = sent.header("location").unwrap_or_default().rsplit('/').next().unwrap_or_default().to_owned();
    format!("/clients/{client}/messages/{thread}")
}

/// A practice in New York: a weekly series keeps 9:00 across the spring clock change, and a
/// session typed at a time the clocks skip starts an hour later, as the page says.
#[test]
fn a_week_across_a_clock_change_keeps_its_times() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("dst.mjs", &[&server.url, &owner], &server);
    assert!(shots.join("week-dst.png").exists(), "week-dst.png not taken");
}

/// Over the demo calendar, the owner reads no-show rates with their bars and sets the fees,
/// which the front desk then sees on the day; the front desk sees every clinician's day.
#[test]
fn the_owner_reads_attendance_and_sets_the_fees() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_with_calendar(&dir, &["owner", "scheduler"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("attendance.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["attendance.png", "practice-day.png", "day-video-closed.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// Billing over the demo calendar: charges, the missing link named, a batch sent to the
/// clearinghouse's SFTP drop box (a real sshd) and downloaded, its 835 picked up from the drop
/// box with the denial explained (and explained again with AI), a payment on a client's ledger,
/// the reports, and a fee refused beside its field.
#[test]
fn the_owner_makes_charges_and_sends_a_claim_batch() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "12"]);
    let owner = account_of(&report, "owner");
    let sshd = common::sshd::Sshd::start(tmp.path());
    let env = sshd.haven_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    let cookie = sign_in(&server.url, &owner);
    common::sshd::record_clearinghouse_agreement(&server.url, &cookie);
    let model = common::model::ModelStandIn::start();
    turn_on_ai(&server.url, &cookie, &model.base_url());
    consent_to_ai(&server.url, &cookie, &report);
    let inbound = sshd.inbound.display().to_string();
    let shots = run_flow("billing.mjs", &[&server.url, &owner, &inbound], &server);
    for shot in [
        "billing-charges.png",
        "billing-claim-checked.png",
        "billing-sent.png",
        "billing-aging.png",
        "billing-picked-up.png",
        "billing-denials.png",
        "billing-denial-explained.png",
        "billing-ledger.png",
        "billing-plan.png",
        "billing-report-clients.png",
        "billing-report-revenue.png",
        "billing-report-sessions.png",
        "billing-report-denials.png",
        "billing-replaced.png",
        "billing-secondary.png",
        "billing-tertiary.png",
        "billing-sliding-scale.png",
        "billing-sliding-fee.png",
        "billing-setup.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    assert_eq!(std::fs::read_dir(&sshd.outbound).map(Iterator::count).unwrap_or(0), 1, "the batch is in the drop box");
    assert_eq!(std::fs::read_dir(&sshd.inbound).map(Iterator::count).unwrap_or(9), 0, "the 835 was taken");
}

/// A card payment from a client's ledger through the card processor's page (a stand-in), and
/// another client paying from the portal on a phone: the card numbers typed there reach
/// neither Haven's database nor its log.
#[test]
fn the_front_desk_takes_a_card_payment() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--no-calendar", "--clients", "2"]);
    let processor = cards::CardStandIn::start();
    let env = processor.haven_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    let practice = report["practice_id"].as_str().unwrap_or_default();
    processor.send_events_to(&format!("{}/payments/webhook/{practice}", server.url));
    let client = report["clients"][0]["id"].as_str().unwrap_or_default();
    let shots = run_flow("cards.mjs", &[&server.url, &account_of(&report, "owner"), client], &server);
    for shot in ["cards-ledger.png", "cards-checkout.png", "cards-returned.png", "cards-paid.png", "cards-refunded.png"]
    {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    assert_eq!(processor.cards_typed(), ["4242 4242 4242 4242"], "the card was typed at the processor");

    // The other client owes $30.00 and pays it from the portal, on a phone.
    let other = &report["clients"][1];
    let (id, email) = (other["id"].as_str().unwrap_or_default(), other["email"].as_str().unwrap_or_default());
    let owner = sign_in(&server.url, &account_of(&report, "owner"));
    let ledger = format!("/clients/{id}/ledger");
    // …on a payment plan, which they then put on autopay with a card saved on file.
    cards::plan_due_today(&server.url, &owner, &ledger, id);
    let portal = format!("/clients/{id}/portal");
    let invited = post_from(&server.url, &owner, &portal, &portal, &[("to", "client")]).body;
    let at = invited.find("/portal/link/").unwrap_or_else(|| panic!("no link handed over: {invited}"));
    let link = invited[at..].split('<').next().unwrap_or_default().to_owned();
    let password = "lantern harbor quietly ninety";
    post_form(&format!("{}{link}", server.url), &[("password", password), ("password_confirm", password)]);
    let shots = run_flow("portal-pay.mjs", &[&server.url, &format!("{email}:{password}")], &server);
    for shot in ["portal-account.png", "portal-account-paid.png", "portal-autopay.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    let mut stored = std::fs::read(dir.join("haven.db")).unwrap_or_default();
    stored.extend(std::fs::read(dir.join("haven.db-wal")).unwrap_or_default());
    let typed = ["4242 4242 4242 4242", "4242424242424242", "4000 0566 5566 5556", "4000056655665556"];
    for needle in typed.into_iter().chain(["5555 5555 5555 4444", "5555555555554444"]) {
        assert!(!stored.windows(needle.len()).any(|w| w == needle.as_bytes()), "the card is in the database");
        assert!(!server.log().contains(needle), "the card is in the log");
    }
}

/// The compliance page after a backup was made and proven, reached from the dashboard and printed;
/// recording the mail provider's BAA there opens e-mail to clients.
#[test]
fn the_owner_reads_the_compliance_page() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let key = tmp.path().join("backup-key.txt");
    let recipient = age_keygen(&key);
    let backups = tmp.path().join("backups").display().to_string();
    let env = [("HAVEN_BACKUP_RECIPIENTS", recipient.as_str()), ("HAVEN_BACKUP_DIR", backups.as_str())];
    for args in [vec!["create"], vec!["verify", "--identity", key.to_str().unwrap_or_default()]] {
        let done = run(haven(&["backup", args[0], "--data-dir"]).arg(&dir).args(&args[1..]).envs(env));
        assert!(done.status.success(), "backup {args:?}: {}", text(&done.stderr));
    }
    let mail = MailSink::start(tmp.path(), None);
    let smtp = mail.env("none");
    let mut env: Vec<(&str, &str)> = env.to_vec();
    env.extend(smtp.iter().map(|(k, v)| (*k, v.as_str())));
    let server = Server::start(&dir, &[], &env);
    let shots = run_flow("compliance.mjs", &[&server.url, &owner], &server);
    for shot in ["compliance.png", "compliance-print.png", "reminders-closed.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// An incident recorded (a refusal first), its affected client found in the audit log, and the
/// draft letter to them.
#[test]
fn the_owner_records_an_incident_and_drafts_a_letter() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("incidents.mjs", &[&server.url, &owner], &server);
    for shot in ["incident-refused.png", "incident.png", "incident-letter.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// A request for a record logged from the chart, listed with its deadline, its copy fetched,
/// extended once, a denial without its ground refused, and closed as answered.
#[test]
fn the_owner_tracks_a_request_for_a_record_to_its_answer() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("records_requests.mjs", &[&server.url, &owner], &server);
    for shot in ["records-requests.png", "records-requests-closed.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// Eligibility from the insurance card: the 270 downloads, the payer's 271 is pasted, the card
/// says what it answered.
/// A payment plan on autopay: a card saved on the processor's page from the ledger, autopay on
/// with the client's authorization recorded, and the server's next round charging the
/// installment due today, once.
#[test]
fn the_front_desk_puts_a_payment_plan_on_autopay() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--no-calendar", "--clients", "1"]);
    let processor = cards::CardStandIn::start();
    let mut env = processor.haven_env();
    env.push(("HAVEN_AUTOPAY_INTERVAL_SECONDS", "10".to_owned()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    let client = report["clients"][0]["id"].as_str().unwrap_or_default();
    let shots = run_flow("autopay.mjs", &[&server.url, &account_of(&report, "owner"), client], &server);
    for shot in ["autopay-saved.png", "autopay-refused.png", "autopay-charged.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    assert_eq!(processor.cards_typed(), ["4242 4242 4242 4242"], "the card was typed at the processor");
    assert_eq!(processor.charged(), [1_000], "the installment due was charged once");
}

#[test]
fn a_biller_asks_about_eligibility_and_reads_the_answer_on_the_card() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "10", "--no-calendar"]);
    let owner = account_of(&report, "owner");
    let server = Server::start(&dir, &[], &[]);
    // A client whose primary payer the practice bills (the set-up page lists the payers).
    let cookie = sign_in(&server.url, &owner);
    let payers = get(&format!("{}/billing/setup", server.url), Some(&cookie)).body;
    let client = report["clients"].as_array().into_iter().flatten().filter_map(|c| c["id"].as_str()).find(|id| {
        let chart = get(&format!("{}/clients/{id}", server.url), Some(&cookie)).body;
        let payer = chart.split("<dt>Primary</dt><dd>").nth(1).and_then(|p| p.split("</dd>").next());
        payer.is_some_and(|p| payers.contains(&format!(">{p}<")))
    });
    let client = client.unwrap_or_else(|| panic!("no client with a billed payer"));
    let shots = run_flow("eligibility.mjs", &[&server.url, &owner, client], &server);
    for shot in ["eligibility-asked.png", "eligibility-card.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The owner's browser keeps the checkpoint it saw and checks each visit against it; after the
/// database is replaced by an older copy, the dashboard says the log was rolled back.
#[test]
fn the_owners_browser_notices_an_old_copy_of_the_database() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let owner = seeded_account(&dir, "owner");
    let old = tmp.path().join("old.db");
    std::fs::copy(dir.join("haven.db"), &old).unwrap_or_else(|e| panic!("{e}"));
    let profile = tmp.path().join("browser-profile");
    let profile = profile.to_str().unwrap_or_default();
    let listen = format!("127.0.0.1:{}", free_port());

    let server = Server::start(&dir, &["--listen", &listen], &[]);
    run_flow("witness.mjs", &[&server.url, &owner, profile, "first"], &server);
    drop(server);

    for stale in ["haven.db-wal", "haven.db-shm"] {
        let _ = std::fs::remove_file(dir.join(stale));
    }
    std::fs::copy(&old, dir.join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&dir, &["--listen", &listen], &[]);
    let shots = run_flow("witness.mjs", &[&server.url, &owner, profile, "restored"], &server);
    assert!(shots.join("audit-witness-rollback.png").exists());
}

/// A biller makes a scoped API token, a program uses it within its scope, and it is revoked.
#[test]
fn api_tokens_are_made_used_within_their_scope_and_revoked() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let biller = seeded_account(&dir, "biller");
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("api-tokens.mjs", &[&server.url, &biller], &server);
    assert!(shots.join("api-token-created.png").exists());
}

/// Passkeys with Chromium's virtual authenticator: added, alone as the sign-in, as the second
/// step after a password, refused without user verification, and removed.
#[test]
fn passkeys_sign_in_alone_or_after_a_password() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let clinician = seeded_account(&dir, "clinician");
    let server = Server::start(&dir, &[], &[]);
    // WebAuthn takes host names only: the browser uses localhost.
    let base = server.url.replace("127.0.0.1", "localhost");
    let shots = run_flow("passkeys.mjs", &[&base, &clinician], &server);
    assert!(shots.join("passkey-second-step.png").exists());
}

/// A client joins the portal with a passkey instead of a password (the link handed over by the
/// owner: no mail server here), signs in with it alone, and removes it.
#[test]
fn a_client_joins_the_portal_with_a_passkey() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "2"]);
    let server = Server::start(&dir, &[], &[]);
    let owner = sign_in(&server.url, &account_of(&report, "owner"));
    let client = report["clients"][0]["id"].as_str().unwrap_or_default();
    let portal = format!("/clients/{client}/portal");
    let invited = post_from(&server.url, &owner, &portal, &portal, &[("to", "client")]);
    let at = invited.body.find("/portal/link/").unwrap_or_else(|| panic!("no link: {}", invited.body));
    let link: String =
        invited.body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect();
    // WebAuthn takes host names only: the browser uses localhost.
    let base = server.url.replace("127.0.0.1", "localhost");
    let shots = run_flow("portal-passkeys.mjs", &[&base, &link], &server);
    for shot in ["portal-passkey-link.png", "portal-passkey-security.png", "portal-passkey-refused.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    let log = get(&format!("{}/audit.csv", server.url), Some(&owner)).body;
    for action in ["portal.passkey.add", "portal.passkey.remove"] {
        assert!(log.contains(&format!(",{action},")), "no {action} event");
    }
}

/// A parent of two clients: the owner names the same address as each child's guardian and
/// invites it (the links handed over: no mail server here); one password, set through the first
/// link, opens both, and the portal switches between them on a phone.
#[test]
fn a_parent_switches_between_their_childrens_portals() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "3"]);
    let server = Server::start(&dir, &[], &[]);
    let base = &server.url;
    let owner = sign_in(base, &account_of(&report, "owner"));
    let parent = "robin.parent@family.example";
    let mut links = Vec::new();
    for client in report["clients"].as_array().into_iter().flatten().take(2).filter_map(|c| c["id"].as_str()) {
        let edit = format!("/clients/{client}/edit");
        let mut fields = form_values(&get(&format!("{base}{edit}"), Some(&owner)).body, &edit);
        let guardian =
            [("guardian1_name", "Robin Parent"), ("guardian1_email", parent), ("guardian1_may_contact", "on")];
        fields.retain(|(k, _)| !guardian.iter().any(|(g, _)| g == k));
        fields.extend(guardian.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(post_form_as(&format!("{base}{edit}"), &owner, &fields).status, 303);
        let portal = format!("/clients/{client}/portal");
        let invited = post_from(base, &owner, &portal, &portal, &[("to", "guardian-1")]);
        let at = invited.body.find("/portal/link/").unwrap_or_else(|| panic!("no link: {}", invited.body));
        links.push(
            invited.body[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c))
                .collect::<String>(),
        );
    }
    let password = "lantern harbor quietly ninety";
    let set = post_form(&format!("{base}{}", links[0]), &[("password", password), ("password_confirm", password)]);
    assert_eq!(set.status, 303, "{}", set.body);
    let shots = run_flow("portal-family.mjs", &[base, &format!("{parent}:{password}")], &server);
    for shot in ["portal-family.png", "portal-family-switched.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// Single sign-on through a real OpenID Connect provider (npm `oidc-provider`) started here.
#[test]
fn staff_sign_in_through_the_practice_identity_provider() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let clinician = seeded_account(&dir, "clinician");
    let email = clinician.split(':').next().unwrap_or_default().to_owned();
    let port = free_port();
    let issuer = format!("http://localhost:{port}");
    let env = [
        ("HAVEN_OIDC_ISSUER", issuer.as_str()),
        ("HAVEN_OIDC_CLIENT_ID", "haven"),
        ("HAVEN_OIDC_CLIENT_SECRET", "a test client secret"),
        ("HAVEN_OIDC_LABEL", "Test Identity"),
    ];
    let server = Server::start(&dir, &[], &env);
    let base = server.url.replace("127.0.0.1", "localhost");
    let _provider = Provider::start(port, &format!("{base}/sign-in/oidc/callback"), "a test client secret");
    let shots = run_flow("sso.mjs", &[&base, &email, "stranger@example.org"], &server);
    assert!(shots.join("signed-in-with-provider.png").exists());
    assert!(server.log().contains("signed in through the identity provider"), "{}", server.log());
}

/// The test's OpenID Connect provider (`e2e/oidc-provider.mjs`), stopped when dropped.
struct Provider(std::process::Child);

impl Provider {
    fn start(port: u16, redirect_uri: &str, secret: &str) -> Provider {
        let e2e = e2e_dir();
        ensure_node_modules(&e2e);
        let child = Command::new("node")
            .args(["oidc-provider.mjs", &port.to_string(), redirect_uri, secret])
            .current_dir(&e2e)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("node is needed for the single sign-on test: {e}"));
        let provider = Provider(child);
        assert!(listening(port), "the OpenID Connect provider did not start");
        provider
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The owner of a seeded practice requires a second factor: they and a clinician are walked
/// through setting one up before they can do anything else.
#[test]
fn a_required_second_factor_is_set_up_at_the_next_sign_in() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("mfa-required.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    for shot in ["mfa-required.png", "new-recovery-codes.png", "authenticator-off.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// Every page a signed-in owner and clinician reach, and the pages before sign-in, fit a
/// 375-px phone screen with 44-px touch targets and pass axe-core without a serious violation.
#[test]
fn every_page_fits_a_phone_and_passes_axe_core() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let accounts = seeded_accounts(&dir, &["owner", "clinician"]);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("layout.mjs", &[&server.url, &accounts[0], &accounts[1]], &server);
    assert!(shots.join("phone-owner-dashboard.png").exists());
}

/// The client portal on a phone: invited from the chart by e-mail (a real SMTP server), the
/// link sets a password, home and "who viewed my record" pass the phone and axe-core checks.
#[test]
fn a_client_joins_the_portal_on_a_phone_and_sees_who_viewed_their_record() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "12", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let client = &report["clients"][0];
    let primary = &report["staff"][client["primary"].as_u64().unwrap_or_default() as usize];
    let clinician =
        format!("{}:{}", primary["email"].as_str().unwrap_or(""), primary["password"].as_str().unwrap_or(""));
    let mail = MailSink::start(tmp.path(), None);
    let env = mail.env("none");
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let server = Server::start(&dir, &[], &env);
    record_agreement(&server.url, &sign_in(&server.url, &account_of(&report, "owner")), "email");
    let maildir = mail.maildir.to_string_lossy().into_owned();
    let id = client["id"].as_str().unwrap_or_default();
    let shots = run_flow("portal.mjs", &[&server.url, &clinician, id, &maildir], &server);
    for shot in [
        "portal-staff-invited.png",
        "portal-link.png",
        "portal-home.png",
        "portal-access.png",
        "portal-link-used.png",
        "portal-form-sign.png",
        "portal-form-part2.png",
        "portal-staff-requests.png",
        "portal-staff-intake.png",
        "portal-security.png",
        "portal-code.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// Retention: a record past it and one coming due (their dates moved back in the file, as the
/// years would have); the one coming due is held, the other purged with its chart.
#[test]
fn the_owner_holds_one_record_and_purges_another_past_retention() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "6", "--no-calendar"]);
    let owner = account_of(&report, "owner");
    // Adults: a minor's record is kept from their coming of age.
    let adults: Vec<&str> = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["date_of_birth"].as_str().is_some_and(|d| d < "2000-01-01"))
        .filter_map(|c| c["id"].as_str())
        .collect();
    let [past, soon, ..] = adults[..] else { panic!("two adult clients: {adults:?}") };
    let year = 365 * 24 * 3600 * 1_000_000_i64;
    age_record(&dir, past, 15 * year);
    age_record(&dir, soon, 10 * year - 30 * 24 * 3600 * 1_000_000);
    let server = Server::start(&dir, &[], &[]);
    let shots = run_flow("retention.mjs", &[&server.url, &owner, past, soon], &server);
    for shot in ["retention.png", "retention-purged.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// Moves every date a client's record was last added to back by `micros`.
fn age_record(dir: &Path, client: &str, micros: i64) {
    let conn = rusqlite::Connection::open(dir.join("haven.db")).unwrap_or_else(|e| panic!("{e}"));
    for sql in [
        "UPDATE clients SET created_at = created_at - ?2 WHERE id = ?1",
        "UPDATE notes SET created_at = created_at - ?2 WHERE client_id = ?1",
        "UPDATE measures SET administered_at = administered_at - ?2 WHERE client_id = ?1",
        "UPDATE documents SET uploaded_at = uploaded_at - ?2 WHERE client_id = ?1",
        "UPDATE charges SET created_at = created_at - ?2 WHERE client_id = ?1",
        "UPDATE ledger_entries SET at = at - ?2 WHERE client_id = ?1",
        "UPDATE appointments SET starts_at = starts_at - ?2, ends_at = ends_at - ?2 \
         WHERE id IN (SELECT appointment_id FROM appointment_clients WHERE client_id = ?1)",
    ] {
        conn.execute(sql, rusqlite::params![client, micros]).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

/// Clients from another system's export: tried, refused while a row is wrong, imported put
/// right, found (not made twice) on a second import; then their appointments.
#[test]
fn the_owner_imports_clients_from_another_systems_export() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &[]);
    let owner = account_of(&report, "owner");
    let staff = report["staff"].as_array().into_iter().flatten();
    let clinician = staff.clone().find(|s| s["role"] == "clinician").and_then(|s| s["display_name"].as_str());
    let header = "First Name,Last Name,Date of Birth,Mobile Phone,Email,Diagnosis Codes,Balance\r\n";
    let good = "Marisol,Vega,4/17/1986,(503) 555-0142,marisol@example.com,F41.1,0.00\r\n";
    let bad = "Theo,Brandt,17/4/1986,,,F41.1,0.00\r\n";
    let (with_bad, put_right) = (tmp.path().join("export-bad.csv"), tmp.path().join("export.csv"));
    std::fs::write(&with_bad, format!("{header}{good}{bad}")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(&put_right, format!("{header}{good}")).unwrap_or_else(|e| panic!("{e}"));
    let server = Server::start(&dir, &[], &[]);
    let appointments = tmp.path().join("appointments.csv");
    let sessions = format!(
        "Client,Date of Service,Start Time,Duration,Clinician,Service Code,Location,Status\r\n\
         Marisol Vega,11/12/2026,9:00 AM,53,\"{0}\",90837,Telehealth,Show\r\n\
         Marisol Vega,11/19/2026,9:00 AM,53,\"{0}\",90837,Telehealth,No Show\r\n",
        clinician.unwrap_or_default()
    );
    std::fs::write(&appointments, sessions).unwrap_or_else(|e| panic!("{e}"));
    let files = [with_bad, put_right, appointments].map(|f| f.to_str().unwrap_or_default().to_owned());
    let shots = run_flow("import.mjs", &[&server.url, &owner, &files[0], &files[1], &files[2]], &server);
    for shot in ["import-tried.png", "import-done.png", "import-appointments.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
}

/// The whole practice exported from the page: a private key refused as a recipient, the export
/// made by the server while the list refreshes itself, and the archive downloaded; the
/// standard `age` and `tar` open it, and it holds every client.
#[test]
fn the_owner_exports_the_practice_from_the_page() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "450", "--no-calendar"]);
    let owner = account_of(&report, "owner");
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let archive = tmp.path().join("practice.tar.age");
    let server = Server::start(&dir, &[], &[]);
    let path = archive.to_str().unwrap_or_default().to_owned();
    let shots = run_flow("export.mjs", &[&server.url, &owner, &recipient, &path], &server);
    for shot in ["export-running.png", "export-done.png"] {
        assert!(shots.join(shot).exists(), "{shot} not taken");
    }
    let shell = format!("age -d -i '{}' '{}' | tar -xO manifest.json", key.display(), archive.display());
    let opened = run(Command::new("sh").arg("-c").arg(&shell));
    assert!(opened.status.success(), "{}", text(&opened.stderr));
    let manifest: serde_json::Value = serde_json::from_slice(&opened.stdout).unwrap_or_else(|e| panic!("{e}"));
    let patients: u64 = manifest["output"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| o["type"] == "Patient")
        .filter_map(|o| o["count"].as_u64())
        .sum();
    assert_eq!(patients, 450, "every client once: {manifest}");
}
