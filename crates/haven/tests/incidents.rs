//! Breach response (DL-7) over HTTP: the owner records an incident about one clinician's
//! accesses in a window; the clients that clinician's audited reads reached are the affected
//! ones (and no others), with the 60-day deadline and a draft letter each; the assessment is
//! saved only from the version read; the four factors are required for "low probability";
//! nobody but the owner reaches any of it.

mod common;

use common::*;

struct Seeded {
    server: Server,
    owner: String,
    administrator: String,
    /// Display name and `email:password`.
    clinician: (String, String),
    /// The clinician's own clients: (id, name).
    theirs: Vec<(String, String)>,
    /// A client of someone else.
    other: (String, String),
    _tmp: tempfile::TempDir,
}

fn seed() -> Seeded {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--no-calendar", "--clients", "8", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let staff = report["staff"].as_array().cloned().unwrap_or_default();
    let account = |s: &serde_json::Value| {
        format!("{}:{}", s["email"].as_str().unwrap_or(""), s["password"].as_str().unwrap_or(""))
    };
    let by_role = |role: &str| staff.iter().position(|s| s["role"] == role).unwrap_or_else(|| panic!("no {role}"));
    let clinician = by_role("clinician");
    let clients: Vec<(usize, String, String)> = report["clients"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let primary = c["primary"].as_u64().unwrap_or(0) as usize;
            (primary, c["id"].as_str().unwrap_or("").to_owned(), c["name"].as_str().unwrap_or("").to_owned())
        })
        .collect();
    let theirs: Vec<(String, String)> =
        clients.iter().filter(|c| c.0 == clinician).map(|c| (c.1.clone(), c.2.clone())).collect();
    // Someone else's client, of another family (a family member's chart shows their name, which
    // is a read of their record too).
    let family = |name: &str| name.rsplit(' ').next().unwrap_or("").to_owned();
    let other = clients
        .iter()
        .find(|c| c.0 != clinician && theirs.iter().all(|t| family(&t.1) != family(&c.2)))
        .map(|c| (c.1.clone(), c.2.clone()))
        .unwrap_or_else(|| panic!("no unrelated client"));
    assert!(theirs.len() >= 2, "the clinician needs two clients: {theirs:?}");
    let server = Server::start(&dir, &[], &[]);
    Seeded {
        server,
        owner: account(&staff[by_role("owner")]),
        administrator: account(&staff[by_role("administrator")]),
        clinician: (staff[clinician]["display_name"].as_str().unwrap_or("").to_owned(), account(&staff[clinician])),
        theirs,
        other,
        _tmp: tmp,
    }
}

#[test]
fn an_incident_finds_the_clients_a_clinician_reached_and_drafts_their_letters() {
    let s = seed();
    let base = &s.server.url;
    // The clinician opens two of their clients' charts; someone else's client is not touched by them.
    let clinician = sign_in(base, &s.clinician.1);
    for (id, _) in &s.theirs[..2] {
        assert_eq!(get(&format!("{base}/clients/{id}"), Some(&clinician)).status, 200);
    }
    let owner = sign_in(base, &s.owner);
    assert_eq!(get(&format!("{base}/clients/{}", s.other.0), Some(&owner)).status, 200);

    let list = get(&format!("{base}/practice/incidents"), Some(&owner));
    assert_eq!(list.status, 200, "{}", list.body);
    let today = list.body.split("id=\"discovered_on\" name=\"discovered_on\" type=\"date\" value=\"").nth(1);
    let today = today.and_then(|t| t.split('"').next()).unwrap_or_default().to_owned();
    assert_eq!(today.len(), 10, "today's date prefilled: {}", list.body);
    // The clinician's user id, from the page's list of staff.
    let option = list.body.split("<option value=\"").find(|o| o.contains(&format!(">{}</option>", s.clinician.0)));
    let clinician_id = option.and_then(|o| o.split('"').next()).unwrap_or_default().to_owned();
    assert_eq!(clinician_id.len(), 36, "the clinician is not in the staff list: {}", list.body);

    // Refusals name each field and keep what was typed.
    let page = "/practice/incidents";
    let bad = post_from(
        base,
        &owner,
        page,
        page,
        &[
            ("title", ""),
            ("discovered_on", &today),
            ("from", &today),
            ("to", "2020-01-01"),
            ("what_happened", "A laptop was left on the bus."),
            ("staff", "not-a-member"),
        ],
    );
    assert_eq!(bad.status, 422, "{}", bad.body);
    for said in
        ["Title is required", "must not be before the first day", "must be one of the practice", "left on the bus"]
    {
        assert!(bad.body.contains(said), "{said:?} missing: {}", bad.body);
    }

    let fields = [
        ("title", "Laptop left on a bus"),
        ("discovered_on", today.as_str()),
        ("from", today.as_str()),
        ("to", today.as_str()),
        ("staff", clinician_id.as_str()),
        ("what_happened", "A clinician's laptop was left on a bus and found by a stranger."),
        ("nature", "Names and session notes."),
        ("conclusion", "pending"),
    ];
    let made = post_from(base, &owner, page, page, &fields);
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.header("location").unwrap_or_default().to_owned();
    assert!(location.starts_with("/practice/incidents/"), "{location}");
    let incident = get(&format!("{base}{location}"), Some(&owner)).body;
    assert!(incident.contains("60 days left") || incident.contains("59 days left"), "{incident}");
    assert!(incident.contains("fewer than 500 people") && incident.contains("164.408(c)"), "HHS's notice: {incident}");
    for (id, name) in &s.theirs[..2] {
        assert!(incident.contains(name.as_str()), "{name} is not among the affected:\n{incident}");
        assert!(incident.contains(&format!("{location}/letters/{id}")), "no letter for {name}");
    }
    assert!(
        !incident.contains(s.other.1.as_str()),
        "a client the clinician never opened is listed: {}\n{incident}",
        s.other.1
    );

    let (first, name) = &s.theirs[0];
    let letter = get(&format!("{base}{location}/letters/{first}"), Some(&owner));
    assert_eq!(letter.status, 200);
    for part in [format!("Dear {name}"), format!("discovered it on {today}"), "Names and session notes.".to_owned()] {
        assert!(letter.body.contains(&part), "{part:?} missing:\n{}", letter.body);
    }
    let stranger = get(&format!("{base}{location}/letters/{}", s.other.0), Some(&owner));
    assert_eq!(stranger.status, 404, "a letter to a client the incident did not touch");

    // "Low probability" needs the four factors; a stale version saves nothing.
    let version = incident.split("name=\"version\" value=\"").nth(1).and_then(|v| v.split('"').next());
    let version = version.unwrap_or("0").to_owned();
    let mut change: Vec<(&str, &str)> = fields.to_vec();
    change.retain(|(k, _)| *k != "conclusion");
    change.extend([("conclusion", "low_probability"), ("version", version.as_str())]);
    let refused = post_from(base, &owner, &location, &location, &change);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("needs all four factors"), "{}", refused.body);
    change.extend([("recipient", "A bus passenger."), ("acquired", "The disk is encrypted; it was never unlocked.")]);
    change.push(("mitigation", "The laptop was recovered the same day and wiped."));
    assert_eq!(post_from(base, &owner, &location, &location, &change).status, 303);
    let stale = post_from(base, &owner, &location, &location, &change);
    assert!(stale.status == 422 && stale.body.contains("someone else changed"), "{}", stale.body);
    let saved = get(&format!("{base}{location}"), Some(&owner)).body;
    assert!(saved.contains("Low probability of compromise"), "{saved}");

    // Only the owner; each affected name shown is in the audit log.
    let administrator = sign_in(base, &s.administrator);
    assert_eq!(get(&format!("{base}/practice/incidents"), Some(&administrator)).status, 403);
    assert_eq!(get(&format!("{base}{location}"), Some(&clinician)).status, 403);
    let log = get(&format!("{base}/audit.csv"), Some(&owner)).body;
    assert!(log.lines().filter(|l| l.contains("incident.affected")).count() >= 2, "{log}");
    assert!(log.contains("incident.record") && log.contains("incident.update"), "{log}");
}
