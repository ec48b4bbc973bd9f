//! The client portal end to end over HTTP, with a real SMTP server: a clinician invites a
//! client, the e-mailed link (opened any number of times first) sets a password once, the
//! client signs in under the portal's own cookie, sees their sessions and who viewed their
//! record, and nothing of another client's or of the staff pages.

mod common;
#[allow(dead_code, unreachable_pub)]
#[path = "common/sms.rs"]
mod sms;

use common::*;

struct Seeded {
    server: Server,
    mail: MailSink,
    /// (id, given name, e-mail, primary clinician's `email:password`) of each client.
    clients: Vec<(String, String, String, String)>,
    /// The clients who agreed to be texted, by id, with their phone numbers.
    texted: Vec<(String, String)>,
    practice_name: String,
    owner: String,
    _tmp: tempfile::TempDir,
}

fn seed() -> Seeded {
    seed_with(&[])
}

/// A seeded practice served with a real SMTP server and `env` besides, whose owner recorded
/// the business associate agreements with the mail and SMS providers.
fn seed_with(env: &[(&str, &str)]) -> Seeded {
    let s = seed_without_agreements(env);
    let owner = sign_in(&s.server.url, &s.owner);
    for service in ["email", "texts"] {
        record_agreement(&s.server.url, &owner, service);
    }
    s
}

fn seed_without_agreements(env: &[(&str, &str)]) -> Seeded {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--no-calendar", "--clients", "4", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let account = |s: &serde_json::Value| {
        format!("{}:{}", s["email"].as_str().unwrap_or(""), s["password"].as_str().unwrap_or(""))
    };
    let owner = staff.iter().find(|s| s["role"] == "owner").map(account).unwrap_or_default();
    let clients = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let primary = &staff[c["primary"].as_u64()? as usize];
            let given = c["name"].as_str()?.split(' ').next()?.to_owned();
            Some((c["id"].as_str()?.to_owned(), given, c["email"].as_str()?.to_owned(), account(primary)))
        })
        .collect();
    let practice_name = report["practice_name"].as_str().unwrap_or_default().to_owned();
    let texted = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["sms_ok"] == true)
        .filter_map(|c| Some((c["id"].as_str()?.to_owned(), c["phone"].as_str()?.to_owned())))
        .collect();
    let mail = MailSink::start(tmp.path(), None);
    let smtp = mail.env("none");
    let mut all: Vec<(&str, &str)> = smtp.iter().map(|(k, v)| (*k, v.as_str())).collect();
    all.extend_from_slice(env);
    let server = Server::start(&dir, &[], &all);
    Seeded { server, mail, clients, texted, practice_name, owner, _tmp: tmp }
}

/// The portal links in the e-mails to `to`, in no particular order (a Maildir has none).
fn links_in_mail(mail: &MailSink, to: &str) -> Vec<String> {
    mail.messages()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {to}")))
        .filter_map(|m| {
            // Quoted-printable: long lines are broken with a soft "=" at the end.
            let m = m.replace("=\r\n", "").replace("=\n", "");
            let start = m.find("/portal/link/")?;
            Some(m[start..].split_whitespace().next().unwrap_or_default().to_owned())
        })
        .collect()
}

/// The one portal link e-mailed to `to`.
fn link_in_mail(mail: &MailSink, to: &str) -> String {
    let links = links_in_mail(mail, to);
    assert_eq!(links.len(), 1, "one link to {to}: {links:?}");
    links[0].clone()
}

fn portal_cookie(answer: &Answer) -> String {
    let cookie = answer.session_cookie();
    assert!(cookie.starts_with("haven_portal="), "{cookie}");
    cookie
}

const PASSWORD: &str = "lantern harbor quietly ninety";

/// The first client and another, each signed in to the portal: their portal cookies.
fn two_clients(s: &Seeded) -> (String, String) {
    (join(&s.server.url, &invite(s, 0)), join(&s.server.url, &invite(s, 1)))
}

/// Invites the client as their primary clinician; returns the link e-mailed to them.
fn invite(s: &Seeded, client: usize) -> String {
    let (id, _, email, clinician) = &s.clients[client];
    let cookie = sign_in(&s.server.url, clinician);
    let page = format!("/clients/{id}/portal");
    let invited = post_from(&s.server.url, &cookie, &page, &page, &[("to", "client")]);
    assert_eq!(invited.status, 303, "{}", invited.body);
    link_in_mail(&s.mail, email)
}

#[test]
fn an_invited_client_sets_a_password_once_and_sees_only_their_own_portal() {
    let s = seed();
    let base = &s.server.url;
    let (id, given, email, clinician) = s.clients[0].clone();
    let link = invite(&s, 0);

    // The e-mail names neither the practice nor the client.
    let message = s.mail.messages().into_iter().find(|m| m.contains(&format!("To: {email}"))).unwrap_or_default();
    assert!(message.contains("Subject: Your secure sign-in link"), "{message}");
    assert!(!message.contains(&given) && !message.contains(&s.practice_name), "{message}");

    // Opening the link, even twice (a mail scanner first), spends nothing.
    for _ in 0..2 {
        let offer = get(&format!("{base}{link}"), None);
        assert_eq!(offer.status, 200, "{}", offer.body);
        assert!(offer.body.contains(&format!("Welcome, {given}")), "{}", offer.body);
    }
    let weak = post_form(&format!("{base}{link}"), &[("password", "short"), ("password_confirm", "short")]);
    assert_eq!(weak.status, 422, "{}", weak.body);
    let set = post_form(&format!("{base}{link}"), &[("password", PASSWORD), ("password_confirm", PASSWORD)]);
    assert_eq!((set.status, set.header("location")), (303, Some("/portal")), "{}", set.body);
    let client = portal_cookie(&set);
    let again = post_form(&format!("{base}{link}"), &[("password", PASSWORD), ("password_confirm", PASSWORD)]);
    assert_eq!(again.status, 410, "a link sets a password once: {}", again.body);
    assert!(again.body.contains("already used"), "{}", again.body);

    let home = get(&format!("{base}/portal"), Some(&client));
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains(&format!("Hello, {given}")) && home.body.contains("988"), "{}", home.body);

    // Who viewed my record: the clinician who opened the chart, by name, in plain words.
    let access = get(&format!("{base}/portal/access"), Some(&client));
    assert_eq!(access.status, 200, "{}", access.body);
    assert!(access.body.contains("viewed your record"), "{}", access.body);
    let clinician_email = clinician.split(':').next().unwrap_or_default();
    assert!(!access.body.contains(clinician_email), "names, not addresses: {}", access.body);

    // A portal session opens no staff page, and a staff session no portal page.
    for staff_page in ["/dashboard", "/clients", &format!("/clients/{id}"), "/audit"] {
        let refused = get(&format!("{base}{staff_page}"), Some(&client));
        assert_eq!(refused.status, 303, "{staff_page}: {}", refused.body);
        assert_eq!(refused.header("location"), Some("/sign-in"), "{staff_page}");
    }
    let staff = sign_in(base, &clinician);
    let refused = get(&format!("{base}/portal"), Some(&staff));
    assert_eq!((refused.status, refused.header("location")), (303, Some("/portal/sign-in")));

    // Signing out ends the session; the address and password sign in again; a wrong one is refused.
    let out = post_from(base, &client, "/portal", "/portal/sign-out", &[]);
    assert_eq!(out.status, 303, "{}", out.body);
    assert_eq!(get(&format!("{base}/portal"), Some(&client)).status, 303, "the session ended");
    let wrong =
        post_form(&format!("{base}/portal/sign-in"), &[("email", &email), ("password", "not the password at all")]);
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    let back =
        post_form(&format!("{base}/portal/sign-in"), &[("email", &email.to_uppercase()), ("password", PASSWORD)]);
    assert_eq!(back.status, 303, "{}", back.body);
    let client = portal_cookie(&back);

    // Another client's portal shows nothing of the first's, on any portal page.
    let other_index = s.clients.iter().position(|c| c.1 != given).unwrap_or_else(|| panic!("one given name only"));
    let other_link = invite(&s, other_index);
    let (_, other_given, other_email, _) = s.clients[other_index].clone();
    let other = portal_cookie(&post_form(
        &format!("{base}{other_link}"),
        &[("password", PASSWORD), ("password_confirm", PASSWORD)],
    ));
    for page in ["/portal", "/portal/access", "/portal/account"] {
        let theirs = get(&format!("{base}{page}"), Some(&other));
        assert_eq!(theirs.status, 200, "{page}");
        let leaked = [&given, &email, &id].into_iter().find(|v| theirs.body.contains(v.as_str()));
        assert_eq!(leaked, None, "{page}: {}", theirs.body);
        assert!(theirs.body.contains(&other_given), "{page}");
        let mine = get(&format!("{base}{page}"), Some(&client));
        assert!(!mine.body.contains(&other_given) && !mine.body.contains(&other_email), "{page}");
    }

    // Each portal look is an event of the log, by the client as actor, about their own record.
    let owner = sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv?action=portal.access_report"), Some(&owner));
    assert_eq!(log.status, 200, "{}", log.body);
    let rows: Vec<&str> = log.body.lines().filter(|l| l.contains("portal.access_report")).collect();
    assert_eq!(rows.len(), 3, "{}", log.body);
    assert!(rows.iter().all(|r| r.contains(",client,") && r.contains("PATRQT")), "{}", log.body);
}

/// The owner names `email` as the client's first guardian (who may be contacted) and invites
/// them: the link e-mailed.
fn invite_guardian(s: &Seeded, client: usize, email: &str) -> String {
    let base = &s.server.url;
    let owner = sign_in(base, &s.owner);
    let id = &s.clients[client].0;
    let edit = format!("/clients/{id}/edit");
    let mut fields = form_values(&get(&format!("{base}{edit}"), Some(&owner)).body, &edit);
    for (key, value) in
        [("guardian1_name", "Robin Parent"), ("guardian1_relationship", "mother"), ("guardian1_email", email)]
    {
        fields.retain(|(k, _)| k != key);
        fields.push((key.to_owned(), value.to_owned()));
    }
    fields.retain(|(k, _)| k != "guardian1_may_contact");
    fields.push(("guardian1_may_contact".to_owned(), "on".to_owned()));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let saved = post_form_as(&format!("{base}{edit}"), &owner, &fields);
    assert_eq!(saved.status, 303, "{}", saved.body);
    let page = format!("/clients/{id}/portal");
    let before = links_in_mail(&s.mail, email);
    let invited = post_from(base, &owner, &page, &page, &[("to", "guardian-1")]);
    assert_eq!(invited.status, 303, "{}", invited.body);
    let new: Vec<String> = links_in_mail(&s.mail, email).into_iter().filter(|l| !before.contains(l)).collect();
    assert_eq!(new.len(), 1, "one new link to {email}: {new:?}");
    new[0].clone()
}

/// A parent of two clients: one address, an account for each, one password. The portal lists
/// both and switches between them (each page one child's record); a switch never reaches an
/// account at another address, and a password set through either link opens both.
#[test]
fn a_parent_of_two_clients_signs_in_once_and_switches_between_them() {
    let s = seed();
    let base = &s.server.url;
    let parent = "robin.parent@family.example";
    let first_link = invite_guardian(&s, 0, parent);
    let set = post_form(&format!("{base}{first_link}"), &[("password", PASSWORD), ("password_confirm", PASSWORD)]);
    let cookie = portal_cookie(&set);
    let home = get(&format!("{base}/portal"), Some(&cookie)).body;
    assert!(!home.contains("Your family"), "one client: no switch: {home}");
    let second_link = invite_guardian(&s, 1, parent);
    let second_given = s.clients[1].1.clone();

    // The same sign-in now lists both; the second opens without its own link.
    let signed = post_form(&format!("{base}/portal/sign-in"), &[("email", parent), ("password", PASSWORD)]);
    let cookie = portal_cookie(&signed);
    let home = get(&format!("{base}/portal"), Some(&cookie)).body;
    assert!(home.contains("Your family") && home.contains(&second_given), "{home}");
    let at = home.find("/portal/switch/").unwrap_or_else(|| panic!("no switch: {home}"));
    let switch = home[at..].split('"').next().unwrap_or_default().to_owned();
    let switched = post_from(base, &cookie, "/portal", &switch, &[]);
    assert_eq!((switched.status, switched.header("location")), (303, Some("/portal")), "{}", switched.body);
    let second = portal_cookie(&switched);
    assert_eq!(get(&format!("{base}/portal"), Some(&cookie)).status, 303, "the session left has ended");
    let open_now = |home: &str| {
        let li = home.split("<li").find(|li| li.contains("Open now")).unwrap_or_default();
        li.split("<strong>").nth(1).and_then(|n| n.split('<').next()).unwrap_or_default().to_owned()
    };
    let now_open = open_now(&get(&format!("{base}/portal"), Some(&second)).body);
    assert!(now_open.starts_with(&second_given) && now_open != open_now(&home), "{now_open}");

    // Another address's account is out of reach, by id.
    let stranger = join(base, &invite(&s, 2));
    let home = get(&format!("{base}/portal"), Some(&second)).body;
    let at = home.find("/portal/switch/").unwrap_or_else(|| panic!("no switch back: {home}"));
    let back = home[at..].split('"').next().unwrap_or_default().to_owned();
    assert_eq!(post_from(base, &stranger, "/portal", &back, &[]).status, 404, "a switch into another address");

    // The second link sets a new password for both.
    let newer = "orchard violet sailing anchor";
    let set = post_form(&format!("{base}{second_link}"), &[("password", newer), ("password_confirm", newer)]);
    assert_eq!(set.status, 303, "{}", set.body);
    let old = post_form(&format!("{base}/portal/sign-in"), &[("email", parent), ("password", PASSWORD)]);
    assert_eq!(old.status, 401, "the old password still works");
    let fresh = post_form(&format!("{base}/portal/sign-in"), &[("email", parent), ("password", newer)]);
    assert_eq!(fresh.status, 303, "{}", fresh.body);
    let owner = sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv?action=portal.switch"), Some(&owner)).body;
    assert_eq!(log.lines().filter(|l| l.contains(",portal.switch,")).count(), 1, "{log}");
    // Each listing of a brother's or sister's name is in that client's own trail.
    let listed = get(&format!("{base}/audit.csv?action=portal.family"), Some(&owner)).body;
    let about = |client: &str| listed.lines().filter(|l| l.contains(",portal.family,") && l.contains(client)).count();
    assert!(about(&s.clients[1].0.to_string()) >= 1 && about(&s.clients[0].0.to_string()) >= 1, "{listed}");
}

#[test]
fn a_client_who_lost_access_gets_a_new_link_and_old_links_stop() {
    let s = seed();
    let base = &s.server.url;
    let (id, _, email, clinician) = s.clients[2].clone();
    let first = invite(&s, 2);

    // Asking on the sign-in page: the same answer for an address with no account.
    let unknown = post_form(&format!("{base}/portal/forgot"), &[("email", "nobody@example.org")]);
    assert_eq!(unknown.status, 200, "{}", unknown.body);
    let asked = post_form(&format!("{base}/portal/forgot"), &[("email", &email)]);
    assert_eq!(asked.status, 200, "{}", asked.body);
    let main = |page: &str| page.split("<main>").nth(1).unwrap_or_default().to_owned();
    assert_eq!(main(&asked.body), main(&unknown.body));
    let mut second = None;
    for _ in 0..50 {
        second = links_in_mail(&s.mail, &email).into_iter().find(|l| *l != first);
        if second.is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let second = second.unwrap_or_else(|| panic!("no new link arrived"));
    let replaced = get(&format!("{base}{first}"), None);
    assert_eq!(replaced.status, 410, "{}", replaced.body);
    assert!(replaced.body.contains("replaced by a newer one"), "{}", replaced.body);
    assert_eq!(get(&format!("{base}{second}"), None).status, 200);

    // The practice closes the account: the link dies with it.
    let cookie = sign_in(base, &clinician);
    let page = get(&format!("{base}/clients/{id}/portal"), Some(&cookie));
    let at = page.body.find(&format!("/clients/{id}/portal/")).unwrap_or_else(|| panic!("{}", page.body));
    let account = page.body[at..].split('/').nth(4).unwrap_or_default().to_owned();
    let path = format!("/clients/{id}/portal/{account}/close");
    let closed = post_from(base, &cookie, &format!("/clients/{id}/portal"), &path, &[]);
    assert_eq!(closed.status, 303, "{}", closed.body);
    let gone = get(&format!("{base}{second}"), None);
    assert_eq!(gone.status, 410, "{}", gone.body);
    assert!(gone.body.contains("closed account"), "{}", gone.body);
}

/// Until the owner records the mail provider's BAA, clients are e-mailed nothing: an
/// invitation's link is handed over with why, the reminders page says which channels are
/// closed, and asking for a link by e-mail makes none (it would end the handed one).
#[test]
fn without_the_mail_providers_agreement_clients_are_emailed_nothing() {
    let s = seed_without_agreements(&[]);
    let base = &s.server.url;
    let (id, _, email, clinician) = s.clients[0].clone();
    let cookie = sign_in(base, &clinician);
    let page = format!("/clients/{id}/portal");
    let invited = post_from(base, &cookie, &page, &page, &[("to", "client")]);
    assert_eq!(invited.status, 200, "{}", invited.body);
    assert!(
        invited.body.contains("Nothing was e-mailed: no business associate agreement with the mail provider"),
        "{}",
        invited.body
    );
    let at = invited.body.find("/portal/link/").unwrap_or_else(|| panic!("no link to hand over: {}", invited.body));
    let handed: String =
        invited.body[at..].chars().take_while(|c| c.is_ascii_alphanumeric() || "/-_".contains(*c)).collect();
    let asked = post_form(&format!("{base}/portal/forgot"), &[("email", &email)]);
    assert_eq!(asked.status, 200, "{}", asked.body);
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(s.mail.messages().iter().all(|m| !m.contains(&format!("To: {email}"))), "a client was e-mailed");
    assert_eq!(get(&format!("{base}{handed}"), None).status, 200, "the handed link still works");

    let owner = sign_in(base, &s.owner);
    let reminders = get(&format!("{base}/practice/reminders"), Some(&owner)).body;
    assert!(reminders.contains("E-mail reminders are not sent: no business associate agreement"), "{reminders}");
    assert!(reminders.contains("Text message reminders are not sent: text messages are not set up"), "{reminders}");

    // Recorded: the next link is e-mailed.
    record_agreement(base, &owner, "email");
    let reminders = get(&format!("{base}/practice/reminders"), Some(&owner)).body;
    assert!(!reminders.contains("E-mail reminders are not sent"), "{reminders}");
    let account = invited.body[invited.body.find(&format!("/clients/{id}/portal/")).unwrap_or_default()..]
        .split('/')
        .nth(4)
        .unwrap_or_default()
        .to_owned();
    let resent = post_from(base, &cookie, &page, &format!("/clients/{id}/portal/{account}/link"), &[]);
    assert_eq!(resent.status, 303, "{}", resent.body);
    let mailed = link_in_mail(&s.mail, &email);
    assert_eq!(get(&format!("{base}{mailed}"), None).status, 200);
    assert_eq!(get(&format!("{base}{handed}"), None).status, 410, "the new link replaced the handed one");
}

/// Sets a password through `link`; the portal session cookie.
fn join(base: &str, link: &str) -> String {
    portal_cookie(&post_form(&format!("{base}{link}"), &[("password", PASSWORD), ("password_confirm", PASSWORD)]))
}

#[test]
fn a_phq9_answered_in_the_portal_with_item_9_alerts_the_care_team_at_once() {
    let s = seed();
    let base = &s.server.url;
    let (id, given, email, clinician) = s.clients[0].clone();
    let (client, other) = two_clients(&s);

    // The clinician sends a PHQ-9 every two weeks; the client is told, without a word of what.
    let staff = sign_in(base, &clinician);
    let page = format!("/clients/{id}/portal");
    let refused = post_from(base, &staff, &page, &format!("/clients/{id}/questionnaires"), &[("instrument", "PCL-5")]);
    assert_eq!(refused.status, 422, "a licensed form is given in session: {}", refused.body);
    let sent = post_from(
        base,
        &staff,
        &page,
        &format!("/clients/{id}/questionnaires"),
        &[("instrument", "PHQ-9"), ("every_weeks", "2")],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let notices: Vec<String> = s.mail.messages().into_iter().filter(|m| m.contains("new questionnaire")).collect();
    assert_eq!(notices.len(), 1, "one notice, to the client");
    assert!(notices[0].contains(&format!("To: {email}")) && !notices[0].contains("PHQ"), "{}", notices[0]);

    let home = get(&format!("{base}/portal"), Some(&client));
    let at = home.body.find("/portal/questionnaires/").unwrap_or_else(|| panic!("not on the home page: {}", home.body));
    let path = home.body[at..].split('"').next().unwrap_or_default().to_owned();

    // Nobody else's session opens or answers it.
    assert_eq!(get(&format!("{base}{path}"), Some(&other)).status, 404);
    let mut answers: Vec<(String, String)> = (1..=9).map(|i| (format!("item{i}"), "1".to_owned())).collect();
    let foreign = post_from(base, &other, "/portal", &path, &fields(&answers));
    assert_eq!(foreign.status, 404, "{}", foreign.body);

    // Unanswered items are named and the answers kept.
    let partial = post_from(base, &client, &path, &path, &fields(&answers[..8]));
    assert_eq!(partial.status, 422, "{}", partial.body);
    assert!(partial.body.contains("still open: 9"), "{}", partial.body);

    answers[8].1 = "2".into();
    let answered = post_from(base, &client, &path, &path, &fields(&answers));
    assert_eq!(answered.status, 200, "{}", answered.body);
    assert!(answered.body.contains("tel:988") && answered.body.contains("has been told"), "{}", answered.body);
    assert!(answered.body.contains("with your care team"), "{}", answered.body);
    assert_eq!(post_from(base, &client, "/portal", &path, &fields(&answers)).status, 404, "answered once");

    // The clinician's dashboard names the client at once; the e-mail names no one.
    let dashboard = get(&format!("{base}/dashboard"), Some(&staff));
    assert!(dashboard.body.contains("Suicide-risk alerts on your caseload"), "{}", dashboard.body);
    assert!(dashboard.body.contains(&format!("/clients/{id}#measures")), "{}", dashboard.body);
    let clinician_email = clinician.split(':').next().unwrap_or_default();
    let alert = s
        .mail
        .messages()
        .into_iter()
        .find(|m| m.contains("needs follow-up today"))
        .unwrap_or_else(|| panic!("no alert e-mail"));
    assert!(alert.contains(&format!("To: {clinician_email}")), "{alert}");
    assert!(!alert.contains(&given) && !alert.contains(&id), "{alert}");

    // Filed with the chart's measures; the next is due in two weeks, not now.
    let chart = get(&format!("{base}/clients/{id}"), Some(&staff));
    assert!(
        chart.body.contains("PHQ-9") && chart.body.contains("High risk") && chart.body.contains(">10<"),
        "{}",
        chart.body
    );
    let home = get(&format!("{base}/portal"), Some(&client));
    assert!(!home.body.contains("/portal/questionnaires/"), "{}", home.body);
    let portal_page = get(&format!("{base}{page}"), Some(&staff));
    let title = portal_page.body.split("<title>").nth(1).and_then(|t| t.split("</title>").next()).unwrap_or_default();
    assert!(title.starts_with("Portal access") && !title.contains('<'), "the page's title is a title: {title}");
    assert!(
        portal_page.body.contains("Answered") && portal_page.body.contains("Every 2 weeks"),
        "{}",
        portal_page.body
    );
}

fn fields(answers: &[(String, String)]) -> Vec<(&str, &str)> {
    answers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn secure_messages_go_both_ways_with_read_receipts_and_content_free_notices() {
    let s = seed();
    let base = &s.server.url;
    let (id, given, email, clinician) = s.clients[0].clone();
    let (client, other) = two_clients(&s);
    let staff = sign_in(base, &clinician);
    let clinician_email = clinician.split(':').next().unwrap_or_default().to_owned();

    // The client writes; script stays text. The care team is told, without a word of it.
    let empty =
        post_from(base, &client, "/portal/messages", "/portal/messages", &[("subject", "Thursday"), ("body", " ")]);
    assert_eq!(empty.status, 422, "{}", empty.body);
    let body = "Can we move Thursday? <script>alert(1)</script>";
    let sent = post_from(
        base,
        &client,
        "/portal/messages",
        "/portal/messages",
        &[("subject", "Moving Thursday"), ("body", body)],
    );
    assert_eq!(sent.status, 303, "{}", sent.body);
    let thread = sent.header("location").unwrap_or_default().to_owned();
    assert!(thread.starts_with("/portal/messages/"), "{thread}");
    let notice = s.mail.messages().into_iter().find(|m| m.contains("new message in Haven")).unwrap_or_default();
    assert!(notice.contains(&format!("To: {clinician_email}")), "{notice}");
    assert!(!notice.contains("Thursday") && !notice.contains(&given), "{notice}");

    // Nobody else's session opens or answers it.
    assert_eq!(get(&format!("{base}{thread}"), Some(&other)).status, 404);
    assert_eq!(post_from(base, &other, "/portal/messages", &thread, &[("body", "mine now")]).status, 404);

    // The clinician's dashboard lists it; opening it marks it read for the client to see.
    let dashboard = get(&format!("{base}/dashboard"), Some(&staff));
    assert!(
        dashboard.body.contains("Client messages waiting") && dashboard.body.contains("Moving Thursday"),
        "{}",
        dashboard.body
    );
    let staff_thread = thread.replace("/portal/messages/", &format!("/clients/{id}/messages/"));
    let opened = get(&format!("{base}{staff_thread}"), Some(&staff));
    assert_eq!(opened.status, 200, "{}", opened.body);
    assert!(
        opened.body.contains("&#60;script&#62;alert(1)&#60;/script&#62;") && !opened.body.contains("<script>alert"),
        "{}",
        opened.body
    );
    assert!(!get(&format!("{base}/dashboard"), Some(&staff)).body.contains("Client messages waiting"));
    assert!(get(&format!("{base}{thread}"), Some(&client)).body.contains("Read by your care team"));

    // The reply reaches the client's portal; the e-mail says only that there is one.
    let replied = post_from(base, &staff, &staff_thread, &staff_thread, &[("body", "Friday at 10 works.")]);
    assert_eq!(replied.status, 303, "{}", replied.body);
    let notice =
        s.mail.messages().into_iter().find(|m| m.contains("new message from your care team")).unwrap_or_default();
    assert!(notice.contains(&format!("To: {email}")) && !notice.contains("Friday"), "{notice}");
    assert!(get(&format!("{base}/portal"), Some(&client)).body.contains("1 new message"));
    let read = get(&format!("{base}{thread}"), Some(&client));
    assert!(read.body.contains("Friday at 10 works."), "{}", read.body);
    assert!(get(&format!("{base}{staff_thread}"), Some(&staff)).body.contains("Read by the client"));

    // The front desk and billing read no messages.
    let owner = sign_in(base, &s.owner);
    let refused = get(&format!("{base}/clients/{id}/messages"), Some(&owner));
    assert_eq!(refused.status, 403, "the owner is not on this client's care team: {}", refused.body);
}

/// The `href`s on a page that start with `prefix`, in page order.
fn links(page: &str, prefix: &str) -> Vec<String> {
    page.split(&format!("href=\"{prefix}"))
        .skip(1)
        .map(|rest| format!("{prefix}{}", rest.split('"').next().unwrap_or_default()))
        .collect()
}

/// The hidden `clinician` and `start` of the first opening on an openings page.
fn first_opening(page: &str) -> (String, String) {
    let value = |name: &str| {
        let at = page.find(&format!("name=\"{name}\" value=\"")).unwrap_or_else(|| panic!("no {name} in {page}"));
        page[at + name.len() + 15..].split('"').next().unwrap_or_default().to_owned()
    };
    (value("clinician"), value("start"))
}

#[test]
fn a_client_books_a_free_slot_of_their_care_team_or_asks_for_an_intake() {
    let s = seed();
    let base = &s.server.url;
    let (id, _, _, clinician) = s.clients[0].clone();
    let client = join(base, &invite(&s, 0));

    let book = get(&format!("{base}/portal/book"), Some(&client));
    assert_eq!(book.status, 200, "{}", book.body);
    assert!(!book.body.contains("Couples therapy"), "a couple's session is booked by the care team: {}", book.body);
    let types = links(&book.body, "/portal/book/");
    assert_eq!(types.len(), 3, "{}", book.body);
    let individual = types
        .iter()
        .find(|t| get(&format!("{base}{t}"), Some(&client)).body.contains("Individual therapy, 53 min"))
        .unwrap_or_else(|| panic!("no individual session in {types:?}"))
        .clone();
    let openings = get(&format!("{base}{individual}"), Some(&client));
    assert!(openings.body.contains("Book this time"), "{}", openings.body);
    let (with, start) = first_opening(&openings.body);
    let fields = [("clinician", with.as_str()), ("start", start.as_str()), ("modality", "telehealth")];
    let booked = post_from(base, &client, &individual, &individual, &fields);
    assert_eq!((booked.status, booked.header("location")), (303, Some("/portal?booked=1")), "{}", booked.body);
    let home = get(&format!("{base}/portal?booked=1"), Some(&client));
    assert!(
        home.body.contains("Your session is booked") && home.body.contains("Individual therapy, 53 min"),
        "{}",
        home.body
    );
    assert!(home.body.contains("video"), "{}", home.body);
    // The practice has recorded no BAA with its video service: no link is promised (DL-2).
    assert!(home.body.contains("cannot be joined here yet"), "{}", home.body);

    // Cancelling it shows its terms: free ahead of the practice's 24 hours' notice, a late
    // cancellation inside it (which the first opening is, at some times of day). The time is
    // free again after.
    let cancel = links(&home.body, "/portal/sessions/").into_iter().next().unwrap_or_else(|| panic!("{}", home.body));
    let terms = get(&format!("{base}{cancel}"), Some(&client));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let late = start.parse::<i64>().unwrap_or_default() - now < 24 * 3600;
    let expected = if late { "counts as a late cancellation" } else { "costs nothing" };
    assert!(terms.status == 200 && terms.body.contains(expected), "{expected}: {}", terms.body);
    let other = join(base, &invite(&s, s.clients.iter().position(|c| c.0 != id).unwrap_or(1)));
    assert_eq!(get(&format!("{base}{cancel}"), Some(&other)).status, 404, "not another client's to cancel");
    assert_eq!(post_from(base, &other, "/portal", &cancel, &[]).status, 404);
    let cancelled = post_from(base, &client, &cancel, &cancel, &[]);
    assert_eq!(cancelled.header("location"), Some("/portal?cancelled=1"), "{}", cancelled.body);
    let home = get(&format!("{base}/portal?cancelled=1"), Some(&client));
    assert!(home.body.contains("Your session is cancelled") && !home.body.contains(&cancel), "{}", home.body);
    assert_eq!(post_from(base, &client, "/portal", &cancel, &[]).status, 404, "cancelled once");
    let booked = post_from(base, &client, &individual, &individual, &fields);
    assert_eq!(booked.status, 303, "the freed time can be booked again: {}", booked.body);

    // The same time twice, or a time the calendar never offered, is refused and books nothing.
    let again = post_from(base, &client, &individual, &individual, &fields);
    assert_eq!(again.status, 409, "{}", again.body);
    let made_up = [("clinician", with.as_str()), ("start", "1893456000"), ("modality", "in_person")];
    assert_eq!(post_from(base, &client, &individual, &individual, &made_up).status, 409);

    // The clinician sees it on the calendar; the log names the client as who booked it.
    let staff = sign_in(base, &clinician);
    let chart = get(&format!("{base}/clients/{id}"), Some(&staff));
    assert_eq!(chart.status, 200);
    let owner = sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv?action=appointment.create"), Some(&owner));
    assert!(log.body.lines().any(|l| l.contains("appointment.create") && l.contains(",client,")), "{}", log.body);

    // No time suits? The waitlist, once; the front desk sees the client on it.
    let wish = [
        ("weekdays", "TU"),
        ("weekdays", "TH"),
        ("earliest", "09:00"),
        ("latest", "12:00"),
        ("modality", "telehealth"),
        ("clinician", "mine"),
    ];
    let joined = post_from(base, &client, "/portal/waitlist", "/portal/waitlist", &wish);
    assert_eq!(joined.header("location"), Some("/portal/waitlist"), "{}", joined.body);
    assert!(get(&format!("{base}/portal/waitlist"), Some(&client)).body.contains("You are on the waitlist since"));
    assert_eq!(post_from(base, &client, "/portal/book", "/portal/waitlist", &wish).status, 409, "once");
    let backwards =
        post_from(base, &other, "/portal/book", "/portal/waitlist", &[("earliest", "12:00"), ("latest", "09:00")]);
    assert_eq!(backwards.status, 422, "{}", backwards.body);
    let front_desk = get(&format!("{base}/schedule/waitlist"), Some(&owner));
    assert_eq!(front_desk.status, 200, "{}", front_desk.body);
    assert!(front_desk.body.contains("Tue, Thu · 9:00 AM–12:00 PM · Video"), "{}", front_desk.body);

    // An intake is asked for: the care team finds the request in their messages.
    let intake = types
        .iter()
        .find(|t| get(&format!("{base}{t}"), Some(&client)).body.contains("Intake assessment"))
        .unwrap_or_else(|| panic!("no intake in {types:?}"))
        .clone();
    let page = get(&format!("{base}{intake}"), Some(&client));
    assert!(page.body.contains("Ask for this time"), "{}", page.body);
    let (with, start) = first_opening(&page.body);
    let asked = post_from(
        base,
        &client,
        &intake,
        &intake,
        &[("clinician", &with), ("start", &start), ("modality", "in_person")],
    );
    assert_eq!(asked.header("location"), Some("/portal?requested=1"), "{}", asked.body);
    let dashboard = get(&format!("{base}/dashboard"), Some(&staff));
    assert!(dashboard.body.contains("Session request: Intake assessment"), "{}", dashboard.body);

    // The time is held while the request waits: no longer offered, asked for once.
    let offered =
        |start: &str| get(&format!("{base}{intake}"), Some(&client)).body.contains(&format!("value=\"{start}\""));
    assert!(!offered(&start), "a waiting request's time is still offered");
    let home = get(&format!("{base}/portal?requested=1"), Some(&client)).body;
    let waiting = home.split("Asked for, waiting for your care team").nth(1).unwrap_or_default();
    assert!(waiting.contains("Intake assessment") && home.contains("the time is held for you"), "{home}");
    let ask = [("clinician", with.as_str()), ("start", start.as_str()), ("modality", "in_person")];
    assert_eq!(post_from(base, &client, &intake, &intake, &ask).status, 409, "the held time asked for twice");
    // The care team books it as asked; the client is told, and it is on their portal.
    let requests = get(&format!("{base}/schedule/requests"), Some(&staff)).body;
    let book = book_link(&requests);
    assert!(book.ends_with("/book") && requests.contains("Intake assessment"), "{requests}");
    let booked = post_from(base, &staff, "/schedule/requests", &book, &[]);
    assert_eq!(booked.header("location"), Some("/schedule/requests?done=booked"), "{}", booked.body);
    assert_eq!(post_from(base, &staff, "/schedule/requests", &book, &[]).status, 409, "booked twice");
    let home = get(&format!("{base}/portal"), Some(&client)).body;
    assert!(
        home.contains("Intake assessment") && !home.contains("Asked for, waiting"),
        "the booked request is not among the client's sessions: {home}"
    );
    let told = get(&format!("{base}/portal/messages"), Some(&client)).body;
    assert!(told.contains("Your session request"), "{told}");

    // A request declined frees its time at once.
    let (with, start) = first_opening(&get(&format!("{base}{intake}"), Some(&client)).body);
    let ask = [("clinician", with.as_str()), ("start", start.as_str()), ("modality", "telehealth")];
    assert_eq!(post_from(base, &client, &intake, &intake, &ask).status, 303);
    assert!(!offered(&start), "the second request's time is offered");
    let requests = get(&format!("{base}/schedule/requests"), Some(&staff)).body;
    let decline = book_link(&requests).replace("/book", "/decline");
    let declined = post_from(base, &staff, "/schedule/requests", &decline, &[]);
    assert_eq!(declined.header("location"), Some("/schedule/requests?done=declined"), "{}", declined.body);
    assert!(offered(&start), "the declined request's time is not offered again");

    // The client may withdraw their own request from their home; no one else may.
    let ask = [("clinician", with.as_str()), ("start", start.as_str()), ("modality", "telehealth")];
    assert_eq!(post_from(base, &client, &intake, &intake, &ask).status, 303);
    let home = get(&format!("{base}/portal"), Some(&client)).body;
    let at = home.find("/portal/requests/").unwrap_or_else(|| panic!("no withdraw button: {home}"));
    let withdraw = home[at..].split('"').next().unwrap_or_default().to_owned();
    assert_eq!(post_from(base, &other, "/portal", &withdraw, &[]).status, 404, "another client's request");
    let withdrawn = post_from(base, &client, "/portal", &withdraw, &[]);
    assert_eq!(withdrawn.header("location"), Some("/portal?withdrawn=1"), "{}", withdrawn.body);
    assert_eq!(post_from(base, &client, "/portal", &withdraw, &[]).status, 404, "withdrawn twice");
    assert!(offered(&start), "the withdrawn request's time is not offered again");
    assert!(!get(&format!("{base}/schedule/requests"), Some(&staff)).body.contains("action=\"/schedule/requests/"));
    let owner = sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv?action=slot_request.decline"), Some(&owner)).body;
    assert_eq!(log.lines().filter(|l| l.contains(",slot_request.decline,")).count(), 1, "{log}");
}

/// The first request's "Book" action on the care team's list.
fn book_link(requests: &str) -> String {
    let id = requests.split("action=\"/schedule/requests/").nth(1).and_then(|r| r.split('"').next());
    format!("/schedule/requests/{}", id.unwrap_or_else(|| panic!("no request listed: {requests}")))
}

#[test]
fn reminders_reach_the_client_by_email_and_text_and_carry_nothing_clinical() {
    use base64::Engine;
    let texts = sms::SmsStandIn::start();
    let api = format!("http://127.0.0.1:{}", texts.port);
    let s = seed_with(&[
        ("HAVEN_SMS_ACCOUNT_SID", "AC0123456789"),
        ("HAVEN_SMS_AUTH_TOKEN", "token-for-the-stand-in"),
        ("HAVEN_SMS_FROM", "+15035550100"),
        ("HAVEN_SMS_API_URL", &api),
        ("HAVEN_REMINDER_INTERVAL_SECONDS", "10"),
    ]);
    let base = &s.server.url;
    let index =
        s.clients.iter().position(|c| s.texted.iter().any(|(id, _)| *id == c.0)).expect("a client who agreed to texts");
    let (id, given, email, _) = s.clients[index].clone();
    let phone = s.texted.iter().find(|(c, _)| *c == id).map(|(_, p)| p.clone()).unwrap_or_default();

    // The client books a session by video in the portal.
    let client = join(base, &invite(&s, index));
    let book = get(&format!("{base}/portal/book"), Some(&client));
    let kind = links(&book.body, "/portal/book/")
        .into_iter()
        .find(|t| get(&format!("{base}{t}"), Some(&client)).body.contains("Individual therapy, 53 min"))
        .unwrap_or_else(|| panic!("no individual session"));
    let (with, start) = first_opening(&get(&format!("{base}{kind}"), Some(&client)).body);
    let booked =
        post_from(base, &client, &kind, &kind, &[("clinician", &with), ("start", &start), ("modality", "telehealth")]);
    assert_eq!(booked.status, 303, "{}", booked.body);

    // The owner turns reminders on: a week ahead, by both channels, without names.
    let owner = sign_in(base, &s.owner);
    let refused = post_from(base, &owner, "/practice/reminders", "/practice/reminders", &[("email_hours", "0")]);
    assert_eq!(refused.status, 422, "{}", refused.body);
    let saved = post_from(
        base,
        &owner,
        "/practice/reminders",
        "/practice/reminders",
        &[("email_hours", "168"), ("sms_hours", "168")],
    );
    assert_eq!(saved.status, 303, "{}", saved.body);

    let mut waited = 0;
    let reminder = loop {
        let found = s.mail.messages().into_iter().find(|m| m.contains("Subject: Appointment reminder"));
        if let (Some(found), false) = (found, texts.received().is_empty()) {
            break found;
        }
        waited += 1;
        assert!(waited < 300, "no reminder within 30 s");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let never = [given.as_str(), "Individual therapy", "90837", "Lantern", &s.practice_name];
    assert!(reminder.contains(&format!("To: {email}")) && reminder.contains("by video"), "{reminder}");
    assert!(never.iter().all(|n| !reminder.contains(n)), "{reminder}");

    // The text went to the provider's API as the provider expects it.
    let sent = texts.received();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let text = &sent[0];
    assert_eq!(text.path, "/2010-04-01/Accounts/AC0123456789/Messages.json");
    let credentials = base64::engine::general_purpose::STANDARD.encode("AC0123456789:token-for-the-stand-in");
    assert_eq!(text.authorization, format!("Basic {credentials}"));
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    assert_eq!((text.field("To"), text.field("From")), (format!("+1{digits}").as_str(), "+15035550100"));
    assert!(
        text.field("Body").contains("Reminder:") && never.iter().all(|n| !text.field("Body").contains(n)),
        "{text:?}"
    );

    // The delivery log says so; the next run sends nothing twice.
    std::thread::sleep(std::time::Duration::from_secs(11));
    assert_eq!(texts.received().len(), 1, "a reminder is sent once");
    let log = get(&format!("{base}/practice/reminders"), Some(&owner));
    assert_eq!(log.body.matches("<td>sent</td>").count(), 2, "{}", log.body);
    assert!(!log.body.contains(&given) && !log.body.contains(&email), "the log names no one: {}", log.body);

    // The provider reports the text undelivered at the callback it was given, signed with the
    // account's auth token; a report without that signature changes nothing.
    let callback = text.field("StatusCallback").to_owned();
    assert!(callback.starts_with(base.as_str()) && callback.contains("/sms/status/"), "{callback}");
    let report: Vec<(String, String)> =
        [("MessageSid", "SM00000000000000000000000000000001"), ("MessageStatus", "undelivered")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .to_vec();
    let signed = report.iter().fold(callback.clone(), |text, (k, v)| format!("{text}{k}{v}"));
    let signature = base64::engine::general_purpose::STANDARD
        .encode(crypto::mac::hmac_sha1(b"token-for-the-stand-in", signed.as_bytes()));
    let post = |signature: &str| {
        let fields: Vec<(&str, &str)> = report.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        answer(http().post(&callback).header("x-twilio-signature", signature).send_form(fields))
    };
    assert_eq!(post("bm90IHRoZSBzaWduYXR1cmU=").status, 403, "a forged report");
    assert_eq!(get(&format!("{base}/practice/reminders"), Some(&owner)).body.matches("<td>sent</td>").count(), 2);
    assert_eq!(post(&signature).status, 204);
    let log = get(&format!("{base}/practice/reminders"), Some(&owner)).body;
    assert!(log.contains("not delivered (undelivered)") && log.matches("<td>sent</td>").count() == 1, "{log}");
}

#[test]
fn a_client_chooses_their_reminder_channels_and_staff_see_the_choice() {
    let s = seed();
    let base = &s.server.url;
    let index =
        s.clients.iter().position(|c| s.texted.iter().any(|(id, _)| *id == c.0)).expect("a client who agreed to texts");
    let (id, _, _, clinician) = s.clients[index].clone();
    let client = join(base, &invite(&s, index));
    let checked = |page: &str, name: &str| {
        let at = page.find(&format!("name=\"{name}\" value=\"on\"")).unwrap_or_else(|| panic!("no {name} in {page}"));
        page[at..].split('>').next().unwrap_or_default().contains("checked")
    };
    let before = get(&format!("{base}/portal/reminders"), Some(&client));
    assert!(checked(&before.body, "text") && checked(&before.body, "email"), "{}", before.body);

    let saved = post_from(base, &client, "/portal/reminders", "/portal/reminders", &[("email", "on")]);
    assert_eq!(saved.header("location"), Some("/portal/reminders?saved=1"), "{}", saved.body);
    let after = get(&format!("{base}/portal/reminders?saved=1"), Some(&client));
    assert!(!checked(&after.body, "text") && checked(&after.body, "email"), "{}", after.body);

    // The same consent staff see on the record, changed by the client as the log says.
    let staff = sign_in(base, &clinician);
    let form = get(&format!("{base}/clients/{id}/edit"), Some(&staff));
    assert!(!checked(&form.body, "sms_ok") && checked(&form.body, "email_ok"), "{}", form.body);
    let owner = sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv?action=client.update"), Some(&owner));
    assert!(
        log.body.lines().any(|l| l.contains("client.update") && l.contains(",client,") && l.contains("sms_ok")),
        "{}",
        log.body
    );
}

/// The `value` of every checkbox named `name` on a page.
fn checkbox_values(page: &str, name: &str) -> Vec<String> {
    let marker = format!("name=\"{name}\" value=\"");
    page.match_indices(&marker)
        .map(|(at, _)| page[at + marker.len()..].split('"').next().unwrap_or_default().to_owned())
        .collect()
}

/// The value of the input with this id on a page.
fn input_value(page: &str, id: &str) -> String {
    let at = page.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("no input {id}"));
    let rest = &page[at..];
    let start = rest.find("value=\"").map(|v| v + 7).unwrap_or_default();
    rest[start..].split('"').next().unwrap_or_default().replace("&#40;", "(").replace("&#41;", ")")
}

#[test]
fn an_intake_packet_is_signed_on_the_phone_filed_as_pdf_and_reviewed_into_the_chart() {
    let s = seed();
    let base = &s.server.url;
    let (id, given, email, clinician) = s.clients[0].clone();
    let (client, other) = two_clients(&s);
    let staff = sign_in(base, &clinician);
    let page = format!("/clients/{id}/intake");

    // The practice's forms (the demo's samples); a packet needs one or more, and a portal account.
    let intake = get(&format!("{base}{page}"), Some(&staff));
    assert_eq!(intake.status, 200, "{}", intake.body);
    let forms = checkbox_values(&intake.body, "forms");
    assert_eq!(forms.len(), 6, "{}", intake.body);
    let none = post_from(base, &staff, &page, &page, &[]);
    assert_eq!(none.status, 422, "{}", none.body);
    let uninvited = s.clients.iter().skip(2).find(|c| c.3 == clinician);
    if let Some((uninvited, ..)) = uninvited {
        let path = format!("/clients/{uninvited}/intake");
        let refused = post_from(base, &staff, &path, &path, &[("forms", &forms[0])]);
        assert!(refused.status == 422 && refused.body.contains("no portal access"), "{}", refused.body);
    }
    let form_titled = |title: &str| {
        forms.iter().find(|f| intake.body.contains(&format!("value=\"{f}\"> {title}<"))).cloned().unwrap_or_default()
    };
    let (treatment, ai) = (form_titled("Consent to treatment"), form_titled("Consent to AI assistance"));
    let contact = form_titled("Your contact details");
    let part2 = form_titled("Consent to disclose substance use disorder records (42 CFR Part 2)");
    let chosen = [("forms", &treatment), ("forms", &ai), ("forms", &contact), ("forms", &part2)];
    let chosen: Vec<(&str, &str)> = chosen.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let sent = post_from(base, &staff, &page, &page, &chosen);
    assert_eq!(sent.status, 303, "{}", sent.body);
    let notices: Vec<String> = s.mail.messages().into_iter().filter(|m| m.contains("forms to sign")).collect();
    assert_eq!(notices.len(), 1, "one notice, to the client");
    assert!(notices[0].contains(&format!("To: {email}")) && !notices[0].contains("onsent"), "{}", notices[0]);

    // The client's home lists both; nobody else opens or signs them.
    let home = get(&format!("{base}/portal"), Some(&client));
    let paths = links(&home.body, "/portal/forms/");
    assert_eq!(paths.len(), 4, "{}", home.body);
    assert!(!get(&format!("{base}/portal"), Some(&other)).body.contains("/portal/forms/"));
    assert_eq!(get(&format!("{base}{}", paths[0]), Some(&other)).status, 404);
    let agree = [("typed_name", given.as_str()), ("agree", "on"), ("strokes", "0.1,0.8 0.3,0.2 0.6,0.7;0.8,0.5")];
    assert_eq!(post_from(base, &other, "/portal", &paths[0], &agree).status, 404);
    assert_eq!(get(&format!("{base}{}", paths[0]), Some(&staff)).status, 303, "staff have no portal session");

    // Signing needs the ticked box; a drawing is optional but must be a drawing.
    let form_page = get(&format!("{base}{}", paths[0]), Some(&client));
    assert!(form_page.body.contains("Consent to treatment") && form_page.body.contains("data-signature-pad"));
    let unticked = post_from(base, &client, &paths[0], &paths[0], &[("typed_name", given.as_str())]);
    assert!(unticked.status == 422 && unticked.body.contains("tick the box"), "{}", unticked.body);
    let garbled = [("typed_name", given.as_str()), ("agree", "on"), ("strokes", "7,7")];
    assert_eq!(post_from(base, &client, &paths[0], &paths[0], &garbled).status, 422);
    let signed = post_from(base, &client, &paths[0], &paths[0], &agree);
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(post_from(base, &client, "/portal", &paths[0], &agree).status, 404, "signed once");
    let clicked = [("typed_name", given.as_str()), ("agree", "on"), ("strokes", "")];
    assert_eq!(post_from(base, &client, &paths[1], &paths[1], &clicked).status, 303);

    // The contact details form shows the record's details; a correction is checked as the
    // chart checks it, and waits for review.
    let details_page = get(&format!("{base}{}", paths[2]), Some(&client)).body;
    let mut details: Vec<(String, String)> = [
        "preferred_name",
        "pronouns",
        "phone",
        "email",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "emergency_name",
        "emergency_relationship",
        "emergency_phone",
    ]
    .iter()
    .map(|f| (f.to_string(), input_value(&details_page, f)))
    .collect();
    assert!(details.iter().any(|(f, v)| f == "email" && v == &email), "{details_page}");
    details.iter_mut().filter(|(f, _)| f == "email").for_each(|(_, v)| *v = "not an address".into());
    let mut posted: Vec<(&str, &str)> = details.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();
    posted.extend([("typed_name", given.as_str()), ("agree", "on")]);
    let refused = post_from(base, &client, &paths[2], &paths[2], &posted);
    assert!(refused.status == 422 && refused.body.contains("not an address"), "{}", refused.body);
    details.iter_mut().filter(|(f, _)| f == "email").for_each(|(_, v)| *v = email.clone());
    details.iter_mut().filter(|(f, _)| f == "phone").for_each(|(_, v)| *v = "(541) 555-0199".into());
    let mut posted: Vec<(&str, &str)> = details.iter().map(|(f, v)| (f.as_str(), v.as_str())).collect();
    posted.extend([("typed_name", given.as_str()), ("agree", "on")]);
    assert_eq!(post_from(base, &client, &paths[2], &paths[2], &posted).status, 303);
    // The Part 2 consent: the client names to whom, what for, which parts and until when, each
    // checked as the chart checks a consent; the terms are part of what is signed.
    let terms_page = get(&format!("{base}{}", paths[3]), Some(&client)).body;
    assert!(terms_page.contains("name=\"recipient\"") && terms_page.contains("value=\"diagnoses\""), "{terms_page}");
    let mut terms = vec![("purpose", "Coordinating my care"), ("parts", "diagnoses"), ("parts", "treatment_plan")];
    terms.extend([("expires_on", "2099-06-30"), ("typed_name", given.as_str()), ("agree", "on")]);
    let refused = post_from(base, &client, &paths[3], &paths[3], &terms);
    assert!(refused.status == 422 && refused.body.contains("Coordinating my care"), "kept as typed: {}", refused.body);
    assert!(refused.body.contains("checked") && refused.body.contains("<p class=\"error\">This "), "{}", refused.body);
    terms.push(("recipient", "Riverside Primary Care"));
    assert_eq!(post_from(base, &client, &paths[3], &paths[3], &terms).status, 303);
    assert!(!get(&format!("{base}/portal"), Some(&client)).body.contains("/portal/forms/"));
    assert!(!get(&format!("{base}/clients/{id}"), Some(&staff)).body.contains("(541) 555-0199"), "not before review");

    // Staff see each signature with the hash of the exact text, and its signed copy: a PDF
    // that independent readers accept and that carries the text, the name and the hash.
    let intake = get(&format!("{base}{page}"), Some(&staff));
    assert!(intake.body.contains(&format!("Signed “{given}” by the client")), "{}", intake.body);
    assert!(intake.body.contains("with a drawn mark") && intake.body.contains("by ticking the box"));
    let hashes: Vec<String> = intake
        .body
        .match_indices("<code>")
        .map(|(at, _)| intake.body[at + 6..].split('<').next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(hashes.len(), 4, "{}", intake.body);
    let copies = links(&intake.body, &format!("/clients/{id}/documents/"));
    assert_eq!(copies.len(), 4, "{}", intake.body);
    assert!(intake.body.contains("Riverside Primary Care"), "the consent's terms are shown for review");
    assert!(intake.body.contains("(541) 555-0199"), "the details given are shown for review");
    let pdf = get_bytes(&format!("{base}{}", copies[0]), &staff);
    assert!(pdf.starts_with(b"%PDF-1.7"), "a PDF");
    assert!(pdf_tool("qpdf", &["--check"], &pdf).contains("No syntax or stream encoding errors"));
    let words = pdf_tool("pdftotext", &[], &pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Consent to treatment") && words.contains("I agree to receive outpatient"), "{words}");
    assert!(words.contains(&given) && words.contains(&hashes[0]), "{words} / {}", hashes[0]);
    assert!(pdf_tool("pdfinfo", &["-meta"], &pdf).contains("<pdfaid:part>2</pdfaid:part>"));
    // The consent's copy carries its terms, and its hash covers them: title, text, then terms.
    let consent_copy = get_bytes(&format!("{base}{}", copies[3]), &staff);
    let words = pdf_tool("pdftotext", &[], &consent_copy).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains("Recipient Riverside Primary Care") && words.contains("2099-06-30"), "{words}");
    let (title, body) = ("Consent to disclose substance use disorder records (42 CFR Part 2)", part2_sample_body());
    let signed = format!(
        "{title}\n\n{body}\n\nRecipient: Riverside Primary Care\nPurpose: Coordinating my care\n\
         Parts of the record: Diagnoses; Treatment plan\nThis consent ends on: 2099-06-30"
    );
    let digest = crypto::hex::encode(&<sha2::Sha256 as sha2::Digest>::digest(signed.as_bytes()));
    assert!(hashes.contains(&digest), "{hashes:?} / {digest}");

    // Review records the AI consent the packet carried; the client sees who sent and reviewed.
    let disclosures = format!("/clients/{id}/disclosures");
    assert!(!get(&format!("{base}{disclosures}"), Some(&staff)).body.contains("Revoke the AI consent"));
    let packet = intake.body.split("/intake/").nth(1).and_then(|rest| rest.split('/').next()).unwrap_or_default();
    let reviewed = post_from(base, &staff, &page, &format!("{page}/{packet}/review"), &[]);
    assert_eq!(reviewed.status, 303, "{}", reviewed.body);
    let kept = get(&format!("{base}{disclosures}"), Some(&staff)).body;
    assert!(kept.contains("Revoke the AI consent"), "{kept}");
    assert!(
        kept.contains("<td>Riverside Primary Care</td><td>Coordinating my care</td>"),
        "the Part 2 consent: {kept}"
    );
    assert!(get(&format!("{base}/clients/{id}"), Some(&staff)).body.contains("(541) 555-0199"), "applied on review");
    assert_eq!(post_from(base, &staff, &page, &format!("{page}/{packet}/review"), &[]).status, 404, "once");
    let access = get(&format!("{base}/portal/access"), Some(&client)).body;
    assert!(access.contains("sent you forms to sign") && access.contains("reviewed the forms you signed"), "{access}");
}

#[test]
fn a_message_carries_one_checked_file_and_the_care_team_files_it_into_the_chart() {
    let s = seed();
    let base = &s.server.url;
    let (id, _, _, clinician) = s.clients[0].clone();
    let (client, other) = two_clients(&s);
    let staff = sign_in(base, &clinician);

    // Disguised and oversized files are refused, and the message with them.
    let fields = [("subject", "Letter from my school"), ("body", "The letter we talked about is attached.")];
    let exe =
        post_with_file(base, &client, "/portal/messages", "/portal/messages", &fields, ("letter.pdf", b"MZ\x90\0\x03"));
    assert!(exe.status == 422 && exe.body.contains("The file "), "{}", exe.body);
    let huge = vec![b'%'; 21 * 1024 * 1024];
    // Refused with 413, or — when the server closes the connection before all 21 MB are sent — a
    // broken connection; either way nothing is kept.
    match send_with_file(base, &client, "/portal/messages", "/portal/messages", &fields, ("big.pdf", &huge)) {
        Ok(big) => assert_eq!(big.status().as_u16(), 413),
        Err(e) => assert!(matches!(e, ureq::Error::Io(_)), "{e}"),
    }
    assert!(!get(&format!("{base}/portal/messages"), Some(&client)).body.contains("Letter from my school"));

    // A real PDF goes with the message; the care team and the client open it, nobody else.
    let letter = pdf_letter();
    let sent =
        post_with_file(base, &client, "/portal/messages", "/portal/messages", &fields, ("school letter.pdf", &letter));
    assert_eq!(sent.status, 303, "{}", sent.body);
    let thread = sent.header("location").unwrap_or_default().to_owned();
    let page = get(&format!("{base}{thread}"), Some(&client)).body;
    let file = links(&page, &format!("{thread}/files/")).pop().unwrap_or_else(|| panic!("no file link: {page}"));
    let mine = get_bytes(&format!("{base}{file}"), &client);
    assert_eq!(mine, letter, "the client gets the file back as sent");
    assert_eq!(get(&format!("{base}{file}"), Some(&other)).status, 404, "another client's session");
    let thread_id = thread.rsplit('/').next().unwrap_or_default();
    let staff_thread = format!("/clients/{id}/messages/{thread_id}");
    let staff_page = get(&format!("{base}{staff_thread}"), Some(&staff)).body;
    assert!(staff_page.contains("school letter.pdf"), "{staff_page}");
    let staff_file = links(&staff_page, &format!("{staff_thread}/files/")).pop().unwrap_or_default();
    assert_eq!(get_bytes(&format!("{base}{staff_file}"), &staff), letter);

    // Filed once into the chart: the message as a PDF and the file, each a document.
    let marker = format!("action=\"{staff_thread}/");
    let at = staff_page.find(&marker).unwrap_or_else(|| panic!("no filing button: {staff_page}"));
    let filing = staff_page[at + 8..].split('"').next().unwrap_or_default().to_owned();
    assert!(filing.ends_with("/file"), "{filing}");
    let filed = post_from(base, &staff, &staff_thread, &filing, &[]);
    assert_eq!(filed.status, 303, "{}", filed.body);
    assert_eq!(post_from(base, &staff, &staff_thread, &filing, &[]).status, 409, "filed once");
    let documents = get(&format!("{base}/clients/{id}/documents"), Some(&staff)).body;
    assert!(documents.contains("Message: Letter from my school"), "{documents}");
    assert!(documents.contains("Attachment to “Letter from my school”"), "{documents}");
    let copy = links(&documents, &format!("/clients/{id}/documents/"))
        .into_iter()
        .map(|l| get_bytes(&format!("{base}{l}"), &staff))
        .find(|b| b != &letter)
        .unwrap_or_default();
    let words = pdf_tool("pdftotext", &[], &copy).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        words.contains("The letter we talked about is attached.") && words.contains("school letter.pdf"),
        "{words}"
    );
    assert!(get(&format!("{base}{staff_thread}"), Some(&staff)).body.contains("Filed in the chart"));
}

/// A small PDF that the document checks accept.
fn pdf_letter() -> Vec<u8> {
    b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".to_vec()
}

#[test]
fn script_typed_into_every_portal_field_comes_back_as_text() {
    let s = seed();
    let base = &s.server.url;
    let (id, _, _, clinician) = s.clients[0].clone();
    let client = join(base, &invite(&s, 0));
    let staff = sign_in(base, &clinician);
    let owner = sign_in(base, &s.owner);
    let evil = "<script>alert(1)</script><img src=x onerror=alert(2)>";
    let shown = "&#60;script&#62;alert(1)&#60;/script&#62;&#60;img src=x onerror=alert(2)&#62;";
    let clean = |page: &str, what: &str| {
        assert!(!page.contains("<script>alert") && !page.contains("<img src=x"), "raw markup on {what}: {page}");
    };

    // The owner's form, the client's message and reply, the care team's reply, the signature.
    let forms = "/practice/intake-forms";
    let written = post_from(base, &owner, forms, forms, &[("kind", "other"), ("title", evil), ("body", evil)]);
    assert_eq!(written.status, 303, "{}", written.body);
    let page = format!("/clients/{id}/intake");
    let intake = get(&format!("{base}{page}"), Some(&staff)).body;
    let form = checkbox_values(&intake, "forms")
        .into_iter()
        .find(|f| intake.contains(&format!("value=\"{f}\"> {shown}<")))
        .unwrap_or_else(|| panic!("the form is not offered as text: {intake}"));
    assert_eq!(post_from(base, &staff, &page, &page, &[("forms", &form)]).status, 303);
    let started =
        post_from(base, &client, "/portal/messages", "/portal/messages", &[("subject", evil), ("body", evil)]);
    assert_eq!(started.status, 303, "{}", started.body);
    let thread = started.header("location").unwrap_or_default().to_owned();
    assert_eq!(post_from(base, &client, &thread, &thread, &[("body", evil)]).status, 303);
    let thread_id = thread.rsplit('/').next().unwrap_or_default();
    let staff_thread = format!("/clients/{id}/messages/{thread_id}");
    assert_eq!(post_from(base, &staff, &staff_thread, &staff_thread, &[("body", evil)]).status, 303);
    let home = get(&format!("{base}/portal"), Some(&client)).body;
    let sign = links(&home, "/portal/forms/").pop().unwrap_or_else(|| panic!("no form to sign: {home}"));
    let signed = post_from(base, &client, &sign, &sign, &[("typed_name", evil), ("agree", "on")]);
    assert_eq!(signed.status, 303, "{}", signed.body);

    // Every page that shows them shows text.
    for (path, cookie) in [
        ("/portal".to_owned(), &client),
        ("/portal/messages".to_owned(), &client),
        (thread.clone(), &client),
        (forms.to_owned(), &owner),
        (page.clone(), &staff),
        (format!("/clients/{id}/messages"), &staff),
        (staff_thread.clone(), &staff),
        ("/dashboard".to_owned(), &staff),
    ] {
        let answer = get(&format!("{base}{path}"), Some(cookie));
        assert_eq!(answer.status, 200, "{path}");
        clean(&answer.body, &path);
    }
    assert!(get(&format!("{base}{thread}"), Some(&client)).body.contains(shown));
    assert!(get(&format!("{base}{page}"), Some(&staff)).body.contains(&format!("Signed “{shown}”")));
    // A field refused keeps what was typed, as text.
    let refused = post_from(base, &client, &thread, &thread, &[("body", &format!("{evil}{}", "x".repeat(10_001)))]);
    assert_eq!(refused.status, 422);
    clean(&refused.body, "the refused reply");
}

#[test]
fn a_questionnaire_before_each_session_waits_for_the_two_days_before_one() {
    let s = seed();
    let base = &s.server.url;
    let (id, _, _, clinician) = s.clients[0].clone();
    let client = join(base, &invite(&s, 0));
    let staff = sign_in(base, &clinician);
    let page = format!("/clients/{id}/portal");
    let path = format!("/clients/{id}/questionnaires");
    let both = post_from(
        base,
        &staff,
        &page,
        &path,
        &[("instrument", "GAD-7"), ("every_weeks", "2"), ("before_each_session", "on")],
    );
    assert_eq!(both.status, 422, "one schedule: {}", both.body);
    let sent = post_from(base, &staff, &page, &path, &[("instrument", "GAD-7"), ("before_each_session", "on")]);
    assert_eq!(sent.status, 303, "{}", sent.body);
    assert!(get(&format!("{base}{page}"), Some(&staff)).body.contains("Before each session"));
    // No session booked: nothing waits yet.
    assert!(!get(&format!("{base}/portal"), Some(&client)).body.contains("Answer the GAD-7"));

    // A session booked: the questionnaire waits if it starts within two days, not before.
    let book = get(&format!("{base}/portal/book"), Some(&client)).body;
    let individual = links(&book, "/portal/book/")
        .into_iter()
        .find(|t| get(&format!("{base}{t}"), Some(&client)).body.contains("Individual therapy, 53 min"))
        .unwrap_or_else(|| panic!("no individual session: {book}"));
    let (with, start) = first_opening(&get(&format!("{base}{individual}"), Some(&client)).body);
    let slot = [("clinician", with.as_str()), ("start", start.as_str()), ("modality", "telehealth")];
    assert_eq!(post_from(base, &client, &individual, &individual, &slot).status, 303);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let within = start.parse::<i64>().unwrap_or_default() - now <= 48 * 3600;
    let home = get(&format!("{base}/portal"), Some(&client)).body;
    assert_eq!(home.contains("Answer the GAD-7"), within, "{home}");
    if within {
        // Answered, it does not ask again for the same session.
        let at = home.find("/portal/questionnaires/").unwrap_or_default();
        let q = home[at..].split('"').next().unwrap_or_default().to_owned();
        let answers: Vec<(String, String)> = (1..=7).map(|i| (format!("item{i}"), "1".to_owned())).collect();
        assert_eq!(post_from(base, &client, &q, &q, &fields(&answers)).status, 200);
        assert!(!get(&format!("{base}/portal"), Some(&client)).body.contains("Answer the GAD-7"));
    }
}

#[test]
fn a_client_downloads_their_record_as_pdf_and_as_a_fhir_bundle_the_validators_accept() {
    let s = seed();
    let base = &s.server.url;
    let (id, given, _, _) = s.clients[0].clone();
    let (client, other) = two_clients(&s);

    let home = get(&format!("{base}/portal"), Some(&client)).body;
    assert!(home.contains("/portal/record.pdf") && home.contains("/portal/record.fhir.json"), "{home}");
    let pdf = get_bytes(&format!("{base}/portal/record.pdf"), &client);
    assert!(pdf_tool("qpdf", &["--check"], &pdf).contains("No syntax or stream encoding errors"));
    let words = pdf_tool("pdftotext", &[], &pdf).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words.contains(&s.practice_name) && words.contains(&given), "{words}");
    for part in ["Diagnoses", "Treatment plan", "Questionnaires and measures", "Session notes", "Psychotherapy notes"] {
        assert!(words.contains(part), "{part}: {words}");
    }

    // The bundle: the client's own resources, accepted by the independent FHIR validators.
    let bundle = get(&format!("{base}/portal/record.fhir.json"), Some(&client));
    assert_eq!(bundle.header("content-type"), Some("application/fhir+json"));
    let parsed: serde_json::Value = serde_json::from_str(&bundle.body).unwrap_or_else(|e| panic!("{e}"));
    let kinds: Vec<&str> = parsed["entry"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["resource"]["resourceType"].as_str())
        .collect();
    assert_eq!(kinds.first(), Some(&"Patient"), "{kinds:?}");
    assert!(kinds.contains(&"Condition"), "{kinds:?}");
    assert_eq!(parsed["entry"][0]["resource"]["name"][0]["given"][0], given.as_str());
    let theirs = get(&format!("{base}/portal/record.fhir.json"), Some(&other)).body;
    assert!(!theirs.contains(&format!("urn:uuid:{id}")), "another client's download is their own");
    let dir = temp_dir();
    let path = dir.path().join("record.fhir.json");
    std::fs::write(&path, &bundle.body).unwrap_or_else(|e| panic!("{e}"));
    validate_interchange(&path);

    // Each download is an event naming the client's account; staff have no portal session.
    let owner = sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv"), Some(&owner)).body;
    assert!(log.lines().filter(|l| l.contains("record.download")).count() >= 3, "{log}");
    assert_eq!(get(&format!("{base}/portal/record.pdf"), Some(&owner)).status, 303);
}

/// The code an authenticator app with `key` shows `steps` periods from now.
fn app_code(key: &str, steps: i64) -> String {
    use crypto::totp::{TotpSecret, step_of};
    let secret = TotpSecret::from_base32(key).unwrap_or_else(|| panic!("not base32: {key}"));
    format!("{:06}", secret.code_at(step_of(jiff::Timestamp::now().as_second()) + steps))
}

#[test]
fn an_authenticator_app_guards_the_portal_and_the_practice_removes_it_for_a_lost_phone() {
    let s = seed();
    let base = &s.server.url;
    let (id, _, email, clinician) = s.clients[0].clone();
    let client = join(base, &invite(&s, 0));

    // Setting it up: a QR code and key that name nobody, then a first code.
    let started = post_from(base, &client, "/portal/security", "/portal/security/app", &[]);
    assert_eq!(started.status, 303, "{}", started.body);
    let page = get(&format!("{base}/portal/security"), Some(&client)).body;
    assert!(page.contains("<svg") && page.contains("client portal"), "{page}");
    let key = page.split("class=\"secret\">").nth(1).and_then(|k| k.split('<').next()).unwrap_or_default().to_owned();
    let wrong = post_from(base, &client, "/portal/security", "/portal/security/app/confirm", &[("code", "000000")]);
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    let on =
        post_from(base, &client, "/portal/security", "/portal/security/app/confirm", &[("code", &app_code(&key, 0))]);
    assert_eq!((on.status, on.header("location")), (303, Some("/portal/security?done=on")), "{}", on.body);

    // The password alone now opens only the code page: no portal page yet.
    let sign_in = || post_form(&format!("{base}/portal/sign-in"), &[("email", &email), ("password", PASSWORD)]);
    let half = sign_in();
    assert_eq!(half.header("location"), Some("/portal/sign-in/code"), "{}", half.body);
    let pending = portal_cookie(&half);
    for page in ["/portal", "/portal/access", "/portal/account", "/portal/record.fhir.json", "/portal/security"] {
        let refused = get(&format!("{base}{page}"), Some(&pending));
        assert_eq!(refused.status, 303, "{page} before the code: {}", refused.body);
    }
    let code_page = "/portal/sign-in/code";
    let wrong = post_from(base, &pending, code_page, code_page, &[("code", "123456")]);
    assert_eq!(wrong.status, 422, "{}", wrong.body);
    assert!(wrong.body.contains("not the current code"), "{}", wrong.body);
    // The code that confirmed the app was used once already; the next one signs in.
    let used = post_from(base, &pending, code_page, code_page, &[("code", &app_code(&key, 0))]);
    assert_eq!(used.status, 422, "a code works once: {}", used.body);
    let next = app_code(&key, 1);
    let done = post_from(base, &pending, code_page, code_page, &[("code", &next)]);
    assert_eq!((done.status, done.header("location")), (303, Some("/portal")), "{}", done.body);
    let full = portal_cookie(&done);
    assert_ne!(full, pending, "a new session, not the pending one promoted");
    assert_eq!(get(&format!("{base}/portal"), Some(&full)).status, 200);
    assert_eq!(get(&format!("{base}/portal"), Some(&pending)).status, 303, "the pending session is gone");
    let again = post_from(base, &portal_cookie(&sign_in()), code_page, code_page, &[("code", &next)]);
    assert_eq!(again.status, 422, "the same code twice: {}", again.body);

    // A lost phone: the practice removes the app, and the password alone signs in again.
    let staff = common::sign_in(base, &clinician);
    let portal_page = format!("/clients/{id}/portal");
    let listing = get(&format!("{base}{portal_page}"), Some(&staff)).body;
    assert!(listing.contains("Authenticator app on"), "{listing}");
    let at = listing.find("/second-factor/remove").unwrap_or_else(|| panic!("{listing}"));
    let path = listing[..at].rsplit('"').next().unwrap_or_default().to_owned() + "/second-factor/remove";
    let removed = post_from(base, &staff, &portal_page, &path, &[]);
    assert_eq!(removed.status, 303, "{}", removed.body);
    let plain = sign_in();
    assert_eq!(plain.header("location"), Some("/portal"), "{}", plain.body);

    // Every step is in the log.
    let owner = common::sign_in(base, &s.owner);
    let log = get(&format!("{base}/audit.csv"), Some(&owner)).body;
    for action in ["portal.second_factor.begin", "portal.second_factor.confirm", "portal.second_factor.remove"] {
        assert!(log.contains(action), "{action}");
    }
}

/// The sample Part 2 consent's text, as the demo practice has it.
fn part2_sample_body() -> String {
    let samples = domain::intake::SAMPLE_FORMS;
    let part2 = samples.iter().find(|(kind, ..)| *kind == domain::intake::FormKind::Part2Consent);
    part2.map(|(_, _, body)| (*body).to_owned()).unwrap_or_default()
}
