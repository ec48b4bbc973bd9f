//! Importing clients from another system's CSV export: the dry run changes nothing and names
//! every refused row; the import writes nothing while a row is refused, then everything in one
//! go; a second run finds the clients it made and creates none twice.

use std::sync::Arc;

use crypto::kek::LocalKek;
use domain::Role;
use haven_service::demo::SeedOptions;
use haven_service::{Actor, AuditQuery, FixedMasterKeys, Haven, Remote, ServiceError, SessionPolicy, SignIn};
use store::{ClientStore, Store};

fn ok<T, E: std::fmt::Debug>(r: Result<T, E>) -> T {
    r.unwrap_or_else(|e| panic!("{e:?}"))
}

async fn sign_in(haven: &Haven, email: &str, password: &str) -> Actor {
    let Ok(SignIn::Complete(_, actor)) = haven.sign_in(email, password, &Remote::new("192.0.2.9", "t")).await else {
        panic!("{email} signs in")
    };
    actor
}

#[tokio::test]
async fn a_simplepractice_export_is_tried_refused_row_by_row_then_imported_once() {
    let dir = ok(tempfile::tempdir());
    let store = Arc::new(ok(store_sqlite::open(&dir.path().join("haven.db"))));
    ok(store.migrate().await);
    let kek = ok(LocalKek::from_hex(&ok(LocalKek::generate_hex())));
    let haven = Haven::new(store.clone(), SessionPolicy::default(), Arc::new(FixedMasterKeys(vec![Arc::new(kek)])));
    let report = ok(haven.seed_demo(SeedOptions { seed: 5, clients: 2, ..SeedOptions::default() }, |_, _| {}).await);
    let staff = |role: Role| report.staff.iter().find(|s| s.role == role).unwrap_or_else(|| panic!("a {role:?}"));
    let owner = sign_in(&haven, &staff(Role::Owner).email, &staff(Role::Owner).password).await;
    let clinician = staff(Role::Clinician);
    let known = &report.clients[0];
    let (known_given, known_family) = known.name.split_once(' ').unwrap_or_else(|| panic!("{}", known.name));
    let born = known.date_of_birth;
    let file = |bad_rows: bool| {
        let mut csv = String::from(
            "First Name,Last Name,Date of Birth,Email,Mobile Phone,Primary Clinician,Diagnosis Codes,Status,Balance\r\n",
        );
        csv += &format!(
            "Marisol,Vega,4/17/1986,marisol@example.com,(503) 555-0142,\"{}\",F41.1;F33.1,Active,0.00\r\n",
            clinician.display_name
        );
        csv += &format!("{known_given},{known_family},{}/{}/{},,,,,Active,\r\n", born.month(), born.day(), born.year());
        if bad_rows {
            csv += "Theo,,13/45/1980,,,Dr. Nobody,X99.9,Active,\r\n";
            csv += "MARISOL, vega ,1986-04-17,,,,,,\r\n";
        }
        csv.into_bytes()
    };
    let clients = || async { ok(store.client_count(report.practice_id).await) };
    let imports = || async {
        ok(haven.flush_audit().await);
        let query = AuditQuery { action: Some("client.import".into()), limit: 50, ..AuditQuery::default() };
        ok(haven.audit_trail(&owner, &query).await).len()
    };
    let before = clients().await;

    // The dry run: what would be made, what is known, every refused row with why; nothing written.
    let dry = ok(haven.import_clients(&owner, &file(true), true).await);
    assert!(dry.dry_run && !dry.written);
    assert_eq!(dry.created.iter().map(|r| (r.line, r.name.as_str())).collect::<Vec<_>>(), [(2, "Marisol Vega")]);
    assert_eq!(dry.existing.iter().map(|r| r.line).collect::<Vec<_>>(), [3]);
    assert_eq!(dry.existing[0].client, known.id);
    let refused: Vec<_> = dry.refused.iter().map(|r| (r.line, r.reasons.join("; "))).collect();
    assert_eq!(refused.len(), 2, "{refused:?}");
    let theo = &refused[0].1;
    for said in ["family name is required", "date of birth must be a date", "X99.9", "\"Dr. Nobody\""] {
        assert!(theo.contains(said), "line 4 does not say {said:?}: {theo}");
    }
    assert_eq!(refused[1], (5, "the same client as line 2 (names and date of birth)".to_owned()));
    assert_eq!(dry.ignored_columns, ["Balance"]);
    assert_eq!((clients().await, imports().await), (before, 0), "a dry run writes nothing");

    // A real run while rows are refused writes nothing either.
    let blocked = ok(haven.import_clients(&owner, &file(true), false).await);
    assert!(!blocked.written && blocked.refused.len() == 2);
    assert_eq!(clients().await, before);

    // The file put right: one client, with their clinician and diagnoses, one event.
    let done = ok(haven.import_clients(&owner, &file(false), false).await);
    assert!(done.written && done.refused.is_empty());
    let made = done.created[0].client;
    assert_eq!((clients().await, imports().await), (before + 1, 1));
    // Their clinician, now on their care team, reads what came with them.
    let someone = sign_in(&haven, &clinician.email, &clinician.password).await;
    let chart = ok(haven.chart(&someone, made).await);
    let codes: Vec<_> = chart.diagnoses.iter().flatten().map(|d| d.spec.detail.expose().code.clone()).collect();
    assert_eq!(codes, ["F41.1", "F33.1"]);
    assert_eq!(chart.details.email.as_ref().map(|e| e.expose().as_str()), Some("marisol@example.com"));
    let primary = chart.care_team.iter().find(|m| m.role == domain::client::CareRole::Primary);
    assert_eq!(primary.map(|m| m.name.as_str()), Some(clinician.display_name.as_str()));

    // Again: both are known now, nothing is made twice.
    let again = ok(haven.import_clients(&owner, &file(false), false).await);
    assert!(again.created.is_empty() && again.existing.len() == 2, "{again:?}");
    assert_eq!(clients().await, before + 1);

    // Not the clinicians' to do; a file that is not a client list is refused whole.
    assert!(matches!(haven.import_clients(&someone, &file(false), true).await, Err(ServiceError::Denied(_))));
    let refused = haven.import_clients(&owner, b"Name,Phone\nAna,1\n", true).await;
    assert!(matches!(refused, Err(ServiceError::Invalid(_))), "{refused:?}");
}
