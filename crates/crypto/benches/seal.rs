//! Seal and open throughput (values/s and MB/s on one core) for small fields and large values,
//! the cost of opening a 50-field chart, and blind-index computation. Prints JSON.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::hint::black_box;
use std::time::{Duration, Instant};

use haven_crypto::seal::{self, Aad};
use haven_crypto::{DataKey, KeyId, Keyring, Purpose, blind};

/// Runs `f` repeatedly for about `budget`; returns operations per second.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..64 {
            f();
        }
        n += 64;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let budget = Duration::from_millis(700);
    let key = DataKey::generate().expect("key");
    let id = KeyId::random().expect("id");
    let aad =
        Aad { practice: "0b3c5a3e-8d6f-4c1e-9a57-1f0e2d3c4b5a", table: "clients", column: "family_name", row: "r" };

    let mut sizes = serde_json::Map::new();
    for size in [16usize, 1024, 65_536, 1_048_576] {
        let plain = vec![0x5au8; size];
        let sealed = seal::seal(&key, id, &aad, &plain).expect("seal");
        let seal_rate = rate(budget, || {
            black_box(seal::seal(&key, id, &aad, black_box(&plain)).ok());
        });
        let open_rate = rate(budget, || {
            black_box(seal::open(&key, &aad, black_box(&sealed)).ok());
        });
        sizes.insert(
            format!("{size}_bytes"),
            serde_json::json!({
                "seal_values_per_s": seal_rate,
                "seal_mb_per_s": seal_rate * size as f64 / 1e6,
                "open_values_per_s": open_rate,
                "open_mb_per_s": open_rate * size as f64 / 1e6,
            }),
        );
    }

    // A chart of 50 short fields, opened through a keyring as the service does.
    let ring = Keyring::new(vec![(id, Purpose::Records, key.clone())]);
    let fields: Vec<Vec<u8>> = (0..50)
        .map(|i| ring.seal(Purpose::Records, &aad, format!("field value number {i}").as_bytes()).expect("seal"))
        .collect();
    let chart_rate = rate(budget, || {
        for f in &fields {
            black_box(ring.open(&aad, f).ok());
        }
    });
    let index_rate = rate(budget, || {
        black_box(blind::index(&key, "family_name", black_box("hernandez")));
    });
    let normalize_rate = rate(budget, || {
        black_box(blind::normalize_name(black_box("  José  O'Neil-Hernández ")));
    });

    let report = serde_json::json!({
        "one_core": true,
        "sizes": sizes,
        "open_50_field_chart_us": 1e6 / chart_rate,
        "open_50_field_chart_target_us": 100,
        "blind_index_per_s": index_rate,
        "normalize_name_per_s": normalize_rate,
    });
    println!("{}", serde_json::to_string_pretty(&report).unwrap_or_default());
}
