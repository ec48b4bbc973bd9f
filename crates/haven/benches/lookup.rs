//! Blind-index lookup latency over a large practice, on SQLite and on PostgreSQL (a throwaway
//! cluster, as in the tests). Client rows carry sealed-value-sized byte strings and index values
//! with realistic repetition. Prints JSON.
//!
//! Run: `cargo bench -p haven --bench lookup` (add `-- --clients N` for another size,
//! `-- --sqlite-only` to skip PostgreSQL, and `--features sqlcipher` for an SQLite file
//! encrypted whole).

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::sync::Arc;
use std::time::Instant;

use domain::practice::PracticeForm;
use domain::rng::SplitMix64;
use domain::validation::FieldErrors;
use domain::{ClientId, PracticeId, UserId};
use store::{ClientIndex, NewPractice, NewUser, SealedClient, Store};

/// Distinct values per indexed column: about 50 clients share a family name, 40 a birth date
/// (at a million clients).
const FAMILIES: u64 = 20_000;
const PREFIXES: u64 = 2_000;
const GIVEN: u64 = 5_000;
const BIRTH_DATES: u64 = 25_000;

fn bytes(rng: &mut SplitMix64, n: usize) -> Vec<u8> {
    (0..n).map(|_| rng.next_u64() as u8).collect()
}

/// What a blind index looks like: 32 hex characters, here derived from the value's number.
fn index(column: &str, value: u64) -> String {
    format!("{:016x}{:016x}", value.wrapping_mul(0x9E37_79B9_7F4A_7C15), column.len() as u64 ^ value)
}

fn client(rng: &mut SplitMix64, now: jiff::Timestamp, clients: u64) -> SealedClient {
    let family = rng.next_u64() % FAMILIES;
    // Phone numbers and e-mail addresses: about one client each.
    let (phone, email) = (rng.next_u64() % clients, rng.next_u64() % clients);
    SealedClient {
        id: ClientId::from_random_bytes(rng.bytes16()),
        // Sealed sizes: 29-byte header + value + 16-byte tag.
        given_name: bytes(rng, 29 + 7 + 16),
        family_name: bytes(rng, 29 + 9 + 16),
        date_of_birth: bytes(rng, 29 + 10 + 16),
        given_name_index: index("given", rng.next_u64() % GIVEN),
        family_name_index: index("family", family),
        family_prefix_index: index("prefix", family % PREFIXES),
        date_of_birth_index: index("dob", rng.next_u64() % BIRTH_DATES),
        phone: Some(bytes(rng, 29 + 10 + 16)),
        email: Some(bytes(rng, 29 + 24 + 16)),
        phone_index: Some(index("phone", phone)),
        email_index: Some(index("email", email)),
        created_at: now,
        profile: None,
        status: domain::client::ClientStatus::Active,
        version: 1,
        updated_at: None,
    }
}

async fn fill(store: &dyn Store, clients: u64, label: &str) -> PracticeId {
    let now = jiff::Timestamp::now();
    let form = PracticeForm {
        practice_name: "Benchmark Practice".into(),
        address_line1: "1 Main St".into(),
        city: "Portland".into(),
        state: "OR".into(),
        postal_code: "97201".into(),
        npi: "1234567893".into(),
        tax_id: "12-3456789".into(),
        time_zone: "America/Los_Angeles".into(),
        ..PracticeForm::default()
    };
    let profile = form.validate(&mut FieldErrors::default()).expect("valid practice");
    let id = PracticeId::random();
    let owner = NewUser {
        id: UserId::random(),
        email: domain::staff::Email::parse(&format!("owner-{id}@bench.example")).expect("email"),
        display_name: "Owner".into(),
        password_hash: "x".into(),
        created_at: now,
    };
    let practice = NewPractice { id, profile, created_at: now, owner, setup_token_hash: None, data_keys: vec![] };
    store.create_practice(&practice, now).await.expect("practice");
    let mut rng = SplitMix64::new(42);
    let started = Instant::now();
    let mut done = 0;
    while done < clients {
        let batch: Vec<SealedClient> =
            (0..(clients - done).min(5_000)).map(|_| client(&mut rng, now, clients)).collect();
        store.insert_clients(id, &batch).await.expect("insert");
        done += batch.len() as u64;
        eprint!(
            "\r{label}: {done}/{clients} clients written ({:.0} rows/s)",
            done as f64 / started.elapsed().as_secs_f64()
        );
    }
    eprintln!();
    id
}

async fn measure(
    store: &dyn Store,
    practice: PracticeId,
    index_kind: ClientIndex,
    column: &str,
    distinct: u64,
) -> serde_json::Value {
    let mut rng = SplitMix64::new(7);
    let mut latencies = Vec::new();
    let mut found = 0usize;
    for _ in 0..2_000 {
        let value = index(column, rng.next_u64() % distinct);
        let started = Instant::now();
        found += store.clients_by_index(practice, index_kind, &value).await.expect("lookup").len();
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(f64::total_cmp);
    let at = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    serde_json::json!({
        "lookups": latencies.len(),
        "rows_per_lookup": found as f64 / latencies.len() as f64,
        "ms_p50": at(0.5),
        "ms_p99": at(0.99),
        "ms_max": at(1.0),
    })
}

async fn run(store: Arc<dyn Store>, clients: u64, label: &str) -> serde_json::Value {
    store.migrate().await.expect("migrate");
    let started = Instant::now();
    let practice = fill(store.as_ref(), clients, label).await;
    let write_seconds = started.elapsed().as_secs_f64();
    serde_json::json!({
        "clients": clients,
        "insert_rows_per_s": clients as f64 / write_seconds,
        "by_family_name": measure(store.as_ref(), practice, ClientIndex::FamilyName, "family", FAMILIES).await,
        "by_date_of_birth": measure(store.as_ref(), practice, ClientIndex::DateOfBirth, "dob", BIRTH_DATES).await,
        "by_family_prefix": measure(store.as_ref(), practice, ClientIndex::FamilyPrefix, "prefix", PREFIXES).await,
        "by_phone": measure(store.as_ref(), practice, ClientIndex::Phone, "phone", clients).await,
        "by_email": measure(store.as_ref(), practice, ClientIndex::Email, "email", clients).await,
        "target_ms": 5,
    })
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let clients = args
        .iter()
        .position(|a| a == "--clients")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000u64);

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("haven.db");
    // Built with `--features sqlcipher`, the SQLite file is encrypted whole, as Haven would open it.
    #[cfg(feature = "sqlcipher")]
    let sqlite: Arc<dyn Store> = Arc::new(store_sqlite::open_encrypted(&path, &[7; 32]).expect("sqlite"));
    #[cfg(not(feature = "sqlcipher"))]
    let sqlite: Arc<dyn Store> = Arc::new(store_sqlite::open(&path).expect("sqlite"));
    let sqlite_report = run(sqlite, clients, "sqlite").await;
    let db_bytes: u64 = std::fs::read_dir(dir.path())
        .map(|d| d.filter_map(|e| e.ok()?.metadata().ok()).map(|m| m.len()).sum())
        .unwrap_or(0);

    let postgres_report = if args.iter().any(|a| a == "--sqlite-only") {
        serde_json::Value::Null
    } else {
        let url = store_postgres::testing::TestCluster::shared().fresh_database().await;
        let postgres: Arc<dyn Store> = Arc::new(store_postgres::connect(&url).await.expect("postgres"));
        run(postgres, clients, "postgres").await
    };

    let report = serde_json::json!({
        "sqlite": sqlite_report,
        "sqlite_encrypted_whole": cfg!(feature = "sqlcipher"),
        "sqlite_bytes_per_client": db_bytes as f64 / clients as f64,
        "postgres": postgres_report,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
}
