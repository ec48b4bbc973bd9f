//! The log's rules alone, one core (AUDIT.md §8): replaying 1,000,000 events (decode, canonical
//! check, leaf, tree, back-pointers, one checkpoint), appending leaves and signing, and checking
//! inclusion proofs. Prints JSON.

#![allow(clippy::print_stdout)] // the JSON report on stdout is what this program is for

use std::time::Instant;

use haven_audit::event::{Actor, ActorKind, Crud, Event, Outcome, Resource, Source};
use haven_audit::merkle::{inclusion_proof, verify_inclusion};
use haven_audit::tiles::Tiles;
use haven_audit::verify::{LogKey, Verifier};
use haven_audit::{Checkpoint, SigningKey, TreeBuilder, key_name, leaf_hash, origin};

const EVENTS: u64 = 1_000_000;

fn event(seq: u64, client_prev: Option<u64>) -> Event {
    Event {
        seq,
        id: [(seq % 251) as u8; 16],
        recorded: 1_764_000_000_000_000 + seq * 1_000,
        practice: [9; 16],
        actor: Actor { kind: ActorKind::Staff, user: None, role: Some("clinician".into()), session: None },
        on_behalf_of: None,
        action: "client.view".into(),
        crud: Crud::Read,
        client: Some([(seq % 7) as u8 + 1; 16]),
        resources: vec![Resource { kind: "client".into(), id: format!("c{}", seq % 7), version: None }],
        categories: vec!["demographics".into()],
        outcome: Outcome::Ok,
        purpose: Some("TREAT".into()),
        source: Some(Source { ip: Some("192.0.2.10".into()), request: None, agent: Some("firefox".into()) }),
        changed: vec![],
        disclosure: None,
        ai: None,
        client_prev,
        actor_prev: None,
        salt: [3; 16],
    }
}

fn main() {
    let practice = "7f0c0000-0000-4000-8000-000000000001";
    let signing = SigningKey::from_bytes(&[5; 32]);
    let bodies: Vec<Vec<u8>> = (0..EVENTS).map(|seq| event(seq, seq.checked_sub(7)).encode()).collect();

    let started = Instant::now();
    let mut tree = TreeBuilder::default();
    let mut tiles = Tiles::default();
    for body in &bodies {
        tree.push(leaf_hash(body));
    }
    tree.take_changed().into_iter().for_each(|t| tiles.insert(t));
    let note =
        Checkpoint { origin: origin(practice), size: EVENTS, root: tree.root() }.sign(&key_name(practice), &signing);
    let append_rate = EVENTS as f64 / started.elapsed().as_secs_f64();

    let key = LogKey {
        origin: origin(practice),
        key_name: key_name(practice),
        public_key: signing.verifying_key().to_bytes(),
    };
    let leaves: Vec<[u8; 32]> = bodies.iter().map(|b| leaf_hash(b)).collect();
    let started = Instant::now();
    let mut verifier = Verifier::new(key, &[note], None).expect("the checkpoint opens");
    for (seq, body) in bodies.iter().enumerate() {
        verifier.event(seq as u64, body, &leaves[seq]).expect("verifies");
    }
    let verified = verifier.finish(|_| Ok(())).expect("finishes");
    let verify_rate = verified.events as f64 / started.elapsed().as_secs_f64();

    let proofs: Vec<(u64, Vec<[u8; 32]>)> = (0..10_000u64)
        .map(|i| {
            let index = i * 97 % EVENTS;
            (index, inclusion_proof(&tiles, index, EVENTS).expect("proof"))
        })
        .collect();
    let proof_bytes = proofs[0].1.len() * 32;
    let root = tree.root();
    let started = Instant::now();
    for _ in 0..10 {
        for (index, proof) in &proofs {
            verify_inclusion(*index, EVENTS, &leaves[*index as usize], proof, &root).expect("included");
        }
    }
    let proof_rate = 100_000.0 / started.elapsed().as_secs_f64();
    let report = serde_json::json!({
        "events": EVENTS,
        "body_bytes_typical": bodies[EVENTS as usize / 2].len(),
        "leaves_and_tree_per_second": append_rate.round(),
        "verification_events_per_second": { "value": verify_rate.round(), "target": 1_000_000 },
        "inclusion_checks_per_second": { "value": proof_rate.round(), "target": 300_000 },
        "inclusion_proof_bytes": proof_bytes,
    });
    println!("{}", serde_json::to_string_pretty(&report).expect("json"));
}
