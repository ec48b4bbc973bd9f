//! The practice's data out (DL-3): `haven export fhir` writes every client's record as FHIR R4
//! bulk data in one age file, which the standard `age` and `tar` open; the independent FHIR
//! validators accept its resources; psychotherapy notes are never in it; every record read is
//! in the audit log; a refused or killed export leaves nothing that passes for one.

mod common;

use std::collections::BTreeMap;
use std::process::Command;

use common::*;

#[test]
fn the_whole_practice_goes_out_as_encrypted_fhir_bulk_data() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let seeded = run(haven(&["demo", "seed", "--json", "--clients", "12", "--data-dir"]).arg(&dir));
    assert!(seeded.status.success(), "{}", text(&seeded.stderr));
    let report: serde_json::Value = serde_json::from_slice(&seeded.stdout).unwrap_or_else(|e| panic!("{e}"));
    let clients = report["clients"].as_array().map_or(0, Vec::len);
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let output = tmp.path().join("practice.fhir.age");

    // Never unencrypted: without a recipient nothing is written.
    let refused = run(haven(&["export", "fhir", "--output"]).arg(&output).arg("--data-dir").arg(&dir));
    assert!(!refused.status.success() && text(&refused.stderr).contains("--recipient"), "{}", text(&refused.stderr));
    assert!(!output.exists());

    let done = run(&mut fhir_export(&recipient, &output, &dir));
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(std::fs::read(&output).unwrap_or_default().starts_with(b"age-encryption.org/v1\n"));
    let again = run(&mut fhir_export(&recipient, &output, &dir));
    assert!(!again.status.success() && text(&again.stderr).contains("never overwrites"), "{}", text(&again.stderr));

    let opened = tmp.path().join("opened");
    std::fs::create_dir(&opened).unwrap_or_else(|e| panic!("{e}"));
    let shell = format!("age -d -i '{}' '{}' | tar -x -C '{}'", key.display(), output.display(), opened.display());
    let untarred = run(Command::new("sh").arg("-c").arg(&shell));
    assert!(untarred.status.success(), "{}", text(&untarred.stderr));

    // The Bulk Data manifest names each file, its type and count; each line is of that type.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(opened.join("manifest.json")).unwrap_or_default()).unwrap_or_default();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let samples = tmp.path().join("samples");
    std::fs::create_dir(&samples).unwrap_or_else(|e| panic!("{e}"));
    for file in manifest["output"].as_array().into_iter().flatten() {
        let (kind, url) = (file["type"].as_str().unwrap_or(""), file["url"].as_str().unwrap_or(""));
        let content = std::fs::read_to_string(opened.join(url)).unwrap_or_else(|e| panic!("{url}: {e}"));
        let lines: Vec<&str> = content.lines().collect();
        assert_eq!(lines.len() as u64, file["count"].as_u64().unwrap_or(0), "{url}");
        for (n, line) in lines.iter().enumerate() {
            let resource: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{url}:{n}: {e}"));
            assert_eq!(resource["resourceType"], kind, "{url}:{n}");
            assert!(resource["id"].is_string(), "{url}:{n} has no id");
            if kind != "Patient" {
                let subject = resource["subject"]["reference"].as_str().unwrap_or("");
                assert!(subject.starts_with("Patient/"), "{url}:{n}: {subject}");
            }
            if kind == "DocumentReference" {
                let kind_name = resource["type"]["text"].as_str().unwrap_or("");
                assert!(!kind_name.contains("Psychotherapy"), "a psychotherapy note was exported: {line}");
            }
            // Up to five of each type go to the independent validators.
            if n < 5 {
                std::fs::write(samples.join(format!("{kind}-{n}.json")), line).unwrap_or_else(|e| panic!("{e}"));
            }
        }
        *counts.entry(kind.to_owned()).or_default() += lines.len() as u64;
    }
    assert_eq!(counts.get("Patient").copied(), Some(clients as u64), "{counts:?}");
    for kind in ["Condition", "Observation", "DocumentReference", "CarePlan"] {
        assert!(counts.get(kind).copied().unwrap_or(0) > 0, "no {kind} exported: {counts:?}");
    }
    validate_interchange(&samples);

    // Every record read for the export is in the audit log, by the system.
    let log = run(haven(&["audit", "export", "--format", "fhir", "--data-dir"]).arg(&dir));
    let exported = text(&log.stdout).matches("\"record.export\"").count();
    assert_eq!(exported, clients, "one audit event per client exported");
}

#[test]
fn an_export_killed_half_way_leaves_no_export_and_the_next_one_is_whole() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    seeded_report(&dir, &["--no-calendar", "--clients", "40", "--notes-per-client", "5"]);
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let output = tmp.path().join("practice.fhir.age");
    let export = || fhir_export(&recipient, &output, &dir);
    let shell = format!("age -d -i '{}' '{}' | tar -t", key.display(), output.display());
    let whole = || {
        let listed = run(Command::new("sh").arg("-c").arg(&shell));
        listed.status.success() && text(&listed.stdout).contains("manifest.json")
    };
    for delay_ms in [0u64, 50, 150, 300, 600] {
        let mut child = export().spawn().unwrap_or_else(|e| panic!("{e}"));
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Killed after the file was put in place (or not killed in time) it is there: then whole.
        if output.exists() {
            assert!(whole(), "killed at {delay_ms} ms, an export file is there but not whole");
            std::fs::remove_file(&output).unwrap_or_else(|e| panic!("{e}"));
        }
    }
    let done = run(&mut export());
    assert!(done.status.success(), "{}", text(&done.stderr));
    assert!(whole(), "the export after the kills is not whole");
    let partials = std::fs::read_dir(tmp.path()).into_iter().flatten().flatten();
    assert!(partials.filter(|e| e.file_name().to_string_lossy().ends_with(".partial")).count() == 0, "a .partial left");
    let checked = run(haven(&["audit", "verify", "--data-dir"]).arg(&dir));
    assert!(checked.status.success(), "the audit log after the kills: {}", text(&checked.stderr));
}

/// `haven export fhir` of the practice in `dir` to `recipient`, into `output`.
fn fhir_export(recipient: &str, output: &std::path::Path, dir: &std::path::Path) -> Command {
    let mut cmd = haven(&["export", "fhir", "--recipient", recipient, "--output"]);
    cmd.arg(output).arg("--data-dir").arg(dir);
    cmd
}

/// The files a practice's export keeps between pages, under the documents directory.
fn kept_pages(dir: &std::path::Path) -> Vec<String> {
    let practices = std::fs::read_dir(dir.join("documents")).into_iter().flatten().flatten();
    let files = practices.flat_map(|p| std::fs::read_dir(p.path()).into_iter().flatten().flatten());
    files.map(|f| f.file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with("export-")).collect()
}

/// An export interrupted after its first pages resumes at the page it stopped in: every client
/// is in the archive once, and the clients of the pages kept are not read again.
#[test]
fn an_interrupted_export_resumes_at_the_page_it_stopped_in() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    seeded_report(&dir, &["--no-calendar", "--clients", "800", "--notes-per-client", "1"]);
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let output = tmp.path().join("practice.fhir.age");
    let export = || fhir_export(&recipient, &output, &dir);
    // Stopped once its second page is being kept (so the first is behind its cursor).
    let mut child = export().spawn().unwrap_or_else(|e| panic!("{e}"));
    let started = std::time::Instant::now();
    while !kept_pages(&dir).iter().any(|p| p.ends_with("-1")) {
        assert!(started.elapsed().as_secs() < 120, "no second page was kept");
        assert!(child.try_wait().ok().flatten().is_none(), "the export ended before it could be interrupted");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(!output.exists(), "an interrupted export left a file");

    let done = run(&mut export());
    assert!(done.status.success(), "{}", text(&done.stderr));
    let said = text(&done.stderr);
    let resumed_at: u64 = said
        .split("where it stopped: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("the second run did not resume: {said}"));
    assert!(resumed_at >= 200, "resumed at {resumed_at} clients");
    assert!(kept_pages(&dir).is_empty(), "pages left after the export: {:?}", kept_pages(&dir));

    let shell = format!("age -d -i '{}' '{}' | tar -xO Patient-1.ndjson", key.display(), output.display());
    let opened = run(Command::new("sh").arg("-c").arg(&shell));
    assert!(opened.status.success(), "{}", text(&opened.stderr));
    let ids: Vec<String> = text(&opened.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    let distinct: std::collections::BTreeSet<&String> = ids.iter().collect();
    assert_eq!((ids.len(), distinct.len()), (800, 800), "every client once");
    // Read again: at most the page that was being made, never the pages kept.
    let log = run(haven(&["audit", "export", "--format", "fhir", "--data-dir"]).arg(&dir));
    let reads = text(&log.stdout).matches("\"record.export\"").count() as u64;
    assert!((800..=800 + 200).contains(&reads), "{reads} record reads for 800 clients resumed at {resumed_at}");
}

/// A server killed while it makes an export started on the page: started again, it resumes the
/// export at the page it stopped in, and the archive it keeps for download holds every client
/// once.
#[test]
fn a_server_killed_during_an_export_resumes_it_when_started_again() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--no-calendar", "--clients", "800", "--notes-per-client", "1"]);
    let owner = account_of(&report, "owner");
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let server = Server::start(&dir, &[], &[]);
    let cookie = sign_in(&server.url, &owner);
    let fields = [("format", "fhir"), ("recipients", recipient.as_str())];
    let started = post_from(&server.url, &cookie, "/practice/export", "/practice/export", &fields);
    assert_eq!(started.status, 303, "{}", started.body);
    let waited = std::time::Instant::now();
    while !kept_pages(&dir).iter().any(|p| p.ends_with("-1")) {
        assert!(waited.elapsed().as_secs() < 120, "no second page was kept");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    drop(server);
    let archive_kept = |pages: Vec<String>| pages.iter().any(|p| p.matches('-').count() == 1);
    assert!(!archive_kept(kept_pages(&dir)), "the export was finished before the server was killed");

    let server = Server::start(&dir, &[], &[]);
    let cookie = sign_in(&server.url, &owner);
    let waited = std::time::Instant::now();
    let list = loop {
        let list = get(&format!("{}/practice/export/jobs", server.url), Some(&cookie)).body;
        if list.contains("Ready to download") {
            break list;
        }
        assert!(waited.elapsed().as_secs() < 120, "the export was not resumed: {list}");
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let link = list.split("href=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default();
    assert!(link.ends_with("/download"), "{list}");
    let archive = tmp.path().join("practice.tar.age");
    std::fs::write(&archive, get_bytes(&format!("{}{link}", server.url), &cookie)).unwrap_or_else(|e| panic!("{e}"));
    let shell = format!("age -d -i '{}' '{}' | tar -xO Patient-1.ndjson", key.display(), archive.display());
    let opened = run(Command::new("sh").arg("-c").arg(&shell));
    assert!(opened.status.success(), "{}", text(&opened.stderr));
    let ids: std::collections::BTreeSet<String> = text(&opened.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|p| p["id"].as_str().map(str::to_owned))
        .collect();
    assert_eq!((text(&opened.stdout).lines().count(), ids.len()), (800, 800), "every client once");
    assert!(kept_pages(&dir).iter().all(|p| p.matches('-').count() == 1), "pages left: {:?}", kept_pages(&dir));
    drop(server);
    let log = run(haven(&["audit", "export", "--format", "fhir", "--data-dir"]).arg(&dir));
    let reads = text(&log.stdout).matches("\"record.export\"").count();
    assert!((800..=800 + 200).contains(&reads), "{reads} record reads for 800 clients");
}

/// Every signed note as a PDF/A of its own, one file per note of the FHIR export's document
/// references, each read by qpdf and pdftotext and naming its client.
#[test]
fn signed_notes_go_out_as_pdfs_one_per_note() {
    let tmp = temp_dir();
    let dir = data_dir(&tmp);
    let report = seeded_report(&dir, &["--clients", "5", "--notes-per-client", "2", "--no-calendar"]);
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let opened = |format: &str| {
        let output = tmp.path().join(format!("{format}.age"));
        let done = run(haven(&["export", format, "--recipient", &recipient, "--output"])
            .arg(&output)
            .arg("--data-dir")
            .arg(&dir));
        assert!(done.status.success(), "{}", text(&done.stderr));
        let into = tmp.path().join(format);
        std::fs::create_dir(&into).unwrap_or_else(|e| panic!("{e}"));
        let shell = format!("age -d -i '{}' '{}' | tar -x -C '{}'", key.display(), output.display(), into.display());
        assert!(run(Command::new("sh").arg("-c").arg(&shell)).status.success());
        let manifest = std::fs::read(into.join("manifest.json")).unwrap_or_default();
        (into, serde_json::from_slice::<serde_json::Value>(&manifest).unwrap_or_default())
    };
    let (notes, manifest) = opened("notes");
    let (fhir, fhir_manifest) = opened("fhir");
    let documents: usize = fhir_manifest["output"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["type"] == "DocumentReference")
        .map(|f| {
            std::fs::read_to_string(fhir.join(f["url"].as_str().unwrap_or("-"))).unwrap_or_default().lines().count()
        })
        .sum();
    let files: Vec<String> = manifest["output"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["type"] == "note")
        .filter_map(|f| f["url"].as_str().map(str::to_owned))
        .collect();
    assert!(documents > 0 && files.len() == documents, "{} PDFs for {documents} signed notes", files.len());
    for file in &files {
        let client = file.split('/').nth(1).unwrap_or_default();
        let name = report["clients"].as_array().into_iter().flatten().find(|c| c["id"] == client);
        let name = name.and_then(|c| c["name"].as_str()).unwrap_or_else(|| panic!("{file} names no client"));
        let pdf = std::fs::read(notes.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(pdf_tool("qpdf", &["--check"], &pdf).contains("No syntax or stream encoding errors"), "{file}");
        let words = pdf_tool("pdftotext", &[], &pdf).split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(words.contains(name) && words.contains("Signed by") && words.contains("Date of service"), "{words}");
    }
}

/// The tables as CSV, opened with the standard `age` and `tar`: each file with its header and
/// the rows the manifest counts; the clients' file imports into a fresh practice and exports
/// from there the same, field by field.
#[test]
fn the_practice_goes_out_as_csv_and_its_clients_import_back_the_same() {
    let tmp = temp_dir();
    let (from, to) = (tmp.path().join("from"), tmp.path().join("to"));
    let report = seeded_report(&from, &["--clients", "12", "--seed", "31"]);
    let fresh = seeded_report(&to, &["--clients", "0", "--seed", "31", "--no-calendar"]);
    let key = tmp.path().join("key.txt");
    let recipient = age_keygen(&key);
    let export = |dir: &std::path::Path, name: &str| {
        let output = tmp.path().join(format!("{name}.csv.age"));
        let done = run(haven(&["export", "csv", "--recipient", &recipient, "--output"])
            .arg(&output)
            .arg("--data-dir")
            .arg(dir));
        assert!(done.status.success(), "{}", text(&done.stderr));
        let opened = tmp.path().join(name);
        std::fs::create_dir(&opened).unwrap_or_else(|e| panic!("{e}"));
        let shell = format!("age -d -i '{}' '{}' | tar -x -C '{}'", key.display(), output.display(), opened.display());
        let untarred = run(Command::new("sh").arg("-c").arg(&shell));
        assert!(untarred.status.success(), "{}", text(&untarred.stderr));
        opened
    };
    let opened = export(&from, "exported");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(opened.join("manifest.json")).unwrap_or_default()).unwrap_or_default();
    let files: Vec<String> = manifest["output"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["url"].as_str().map(str::to_owned))
        .collect();
    for table in
        ["clients", "diagnoses", "measures", "notes", "charges", "claims", "payments", "payment_plans", "sliding_fees"]
    {
        assert!(files.contains(&format!("{table}-1.csv")), "no {table} file: {files:?}");
    }
    for file in manifest["output"].as_array().into_iter().flatten() {
        let url = file["url"].as_str().unwrap_or("");
        let content = std::fs::read_to_string(opened.join(url)).unwrap_or_else(|e| panic!("{url}: {e}"));
        let header = content.lines().next().unwrap_or("");
        assert!(
            header.contains("client_id") || header.starts_with("id,") || header.starts_with("number,"),
            "{url}: {header}"
        );
    }
    let clients_csv = std::fs::read(opened.join("clients-1.csv")).unwrap_or_default();
    let rows = |csv: &[u8]| {
        let text = String::from_utf8_lossy(csv).into_owned();
        // Without the id (each practice has its own), sorted: the same clients, field by field.
        let mut rows: Vec<String> = text
            .split("\r\n")
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(|l| l.split_once(',').map_or("", |(_, r)| r).to_owned())
            .collect();
        rows.sort();
        rows
    };
    let exported = rows(&clients_csv);
    assert_eq!(exported.len(), report["clients"].as_array().map_or(0, Vec::len));

    // Into a fresh practice (the same staff): tried, imported, and nothing made twice.
    let server = Server::start(&to, &[], &[]);
    let owner = sign_in(&server.url, &account_of(&fresh, "owner"));
    let import = |dry: bool| {
        let fields: &[(&str, &str)] = if dry { &[("dry_run", "on")] } else { &[] };
        post_with_file(
            &server.url,
            &owner,
            "/practice/import",
            "/practice/import",
            fields,
            ("clients.csv", &clients_csv),
        )
    };
    let tried = import(true);
    assert!(tried.status == 200 && tried.body.contains("Tried clients: nothing was changed"), "{}", tried.body);
    assert!(!tried.body.contains("id=\"refused\""), "rows refused: {}", tried.body);
    let done = import(false);
    assert!(done.body.contains(&format!("{} clients imported", exported.len())), "{}", done.body);
    assert!(import(false).body.contains("Nothing new to import"));
    their_appointments_follow(&server.url, &owner, &report, &fresh);
    drop(server);
    let again = export(&to, "reimported");
    assert_eq!(rows(&std::fs::read(again.join("clients-1.csv")).unwrap_or_default()), exported);
}

/// After the clients, their appointments as SimplePractice writes them: a row that names no
/// known client, clinician, type or status is refused with each reason and nothing goes in;
/// without it, the rest goes in once.
fn their_appointments_follow(base: &str, owner: &str, report: &serde_json::Value, fresh: &serde_json::Value) {
    let staff = fresh["staff"].as_array().into_iter().flatten();
    let clinician = staff.clone().find(|s| s["role"] == "clinician").and_then(|s| s["display_name"].as_str());
    let clinician = clinician.unwrap_or_default();
    let clients: Vec<&serde_json::Value> = report["clients"].as_array().into_iter().flatten().collect();
    let name = |n: usize| clients[n]["name"].as_str().unwrap_or_default().to_owned();
    let born = clients[0]["date_of_birth"].as_str().unwrap_or_default();
    let us_birth = format!("{}/{}/{}", &born[5..7], &born[8..10], &born[..4]);
    let (first, last) = name(1).split_once(' ').map(|(f, l)| (f.to_owned(), l.to_owned())).unwrap_or_default();
    let good = format!(
        "Client,Date of Birth,Date of Service,Start Time,End Time,Clinician,Service Code,Location,Status\r\n\
         \"{}\",{us_birth},11/12/2026,9:00 AM,9:53 AM,\"{clinician}\",90837,Office,Show\r\n\
         \"{last}, {first}\",,11/13/2026,2:00 PM,,\"{clinician}\",\"Individual therapy, 45 min\",Telehealth,No Show\r\n",
        name(0)
    );
    let bad = format!("{good}Zed Nobody,,11/20/2026,9:00 AM,9:53 AM,Nobody Known,99999,Office,Maybe\r\n");
    let import = |csv: &str, dry: bool| {
        let fields: &[(&str, &str)] = if dry { &[("dry_run", "on")] } else { &[] };
        let path = "/practice/import/appointments";
        post_with_file(base, owner, "/practice/import", path, fields, ("appointments.csv", csv.as_bytes()))
    };
    let refused = import(&bad, false);
    assert!(
        refused.body.contains("Nothing was imported") && refused.body.contains("id=\"refused\""),
        "{}",
        refused.body
    );
    let row = refused.body.split("<tr><td>4</td>").nth(1).unwrap_or_default();
    for why in [
        "no client named Zed Nobody",
        "clinician &quot;Nobody Known&quot;",
        "appointment type &quot;99999&quot;",
        "status",
    ] {
        assert!(row.contains(why) || row.contains(&why.replace("&quot;", "&#34;")), "{why}: {row}");
    }
    let tried = import(&good, true);
    assert!(tried.body.contains("Would be created: 2.") && tried.body.contains("Tried appointments"), "{}", tried.body);
    let done = import(&good, false);
    assert!(done.body.contains("2 appointments imported"), "{}", done.body);
    let again = import(&good, false);
    assert!(
        again.body.contains("Nothing new to import") && again.body.matches("<tr><td>").count() == 2,
        "{}",
        again.body
    );
    let log = get(&format!("{base}/audit.csv?action=appointment.import"), Some(owner)).body;
    assert_eq!(log.lines().filter(|l| l.contains(",appointment.import,")).count(), 2, "{log}");
}
