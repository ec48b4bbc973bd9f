//! AUDIT.md §9 attacks on the log's own rules, where the attacker holds the signing key or
//! crafts bytes: a rewritten history re-signed with the real key (fork), a checkpoint under
//! another key, a clock set back, a non-canonical re-encoding, an interior node passed off as a
//! leaf. Each is named by the verifier with the first bad place.

use haven_audit::cbor::Value;
use haven_audit::event::{Actor, ActorKind, Crud, Event, Outcome};
use haven_audit::verify::{Failure, LogKey, Verifier};
use haven_audit::{Checkpoint, SigningKey, TreeBuilder, key_name, leaf_hash, origin};

const PRACTICE: &str = "7f0c0000-0000-4000-8000-000000000001";

fn event(seq: u64, recorded: u64, client: Option<u8>, client_prev: Option<u64>) -> Event {
    Event {
        seq,
        id: [seq as u8; 16],
        recorded,
        practice: [9; 16],
        actor: Actor { kind: ActorKind::System, user: None, role: None, session: None },
        on_behalf_of: None,
        action: "client.view".into(),
        crud: Crud::Read,
        client: client.map(|c| [c; 16]),
        resources: vec![],
        categories: vec![],
        outcome: Outcome::Ok,
        purpose: None,
        source: None,
        changed: vec![],
        disclosure: None,
        ai: None,
        client_prev,
        actor_prev: None,
        salt: [1; 16],
    }
}

/// `n` well-formed events: client 1 on the even ones, chained.
fn bodies(n: u64) -> Vec<Vec<u8>> {
    (0..n)
        .map(|seq| {
            let client = (seq % 2 == 0).then_some(1);
            let prev = (seq >= 2 && seq % 2 == 0).then(|| seq - 2);
            event(seq, 1_000 + seq, client, prev).encode()
        })
        .collect()
}

fn key() -> (LogKey, SigningKey) {
    let signing = SigningKey::from_bytes(&[42; 32]);
    let key = LogKey {
        origin: origin(PRACTICE),
        key_name: key_name(PRACTICE),
        public_key: signing.verifying_key().to_bytes(),
    };
    (key, signing)
}

fn head(bodies: &[Vec<u8>], signing: &SigningKey) -> String {
    let mut tree = TreeBuilder::default();
    bodies.iter().for_each(|b| tree.push(leaf_hash(b)));
    let checkpoint = Checkpoint { origin: origin(PRACTICE), size: tree.size(), root: tree.root() };
    checkpoint.sign(&key_name(PRACTICE), signing)
}

/// Replays `bodies` (leaves recomputed as the store would hold them) against `notes`.
fn replay(bodies: &[Vec<u8>], notes: &[String], against: Option<&str>, key: &LogKey) -> Result<u64, Failure> {
    let mut verifier = Verifier::new(key.clone(), notes, against)?;
    for (seq, body) in bodies.iter().enumerate() {
        verifier.event(seq as u64, body, &leaf_hash(body))?;
    }
    verifier.finish(|_| Ok(())).map(|v| v.events)
}

#[test]
fn an_honest_log_verifies_with_and_against_its_checkpoints() {
    let (key, signing) = key();
    let log = bodies(300);
    let early = head(&log[..100], &signing);
    assert_eq!(replay(&log, &[early.clone(), head(&log, &signing)], Some(&early), &key), Ok(300));
}

#[test]
fn a_fork_re_signed_with_the_real_key_fails_against_a_saved_checkpoint() {
    let (key, signing) = key();
    let log = bodies(300);
    let saved = head(&log, &signing);
    let mut forked = log.clone();
    let mut altered = event(150, 1_150, Some(1), Some(148));
    altered.action = "client.print".into();
    forked[150] = altered.encode();
    let forked_head = head(&forked, &signing);
    assert!(replay(&forked, std::slice::from_ref(&forked_head), None, &key).is_ok(), "alone, the fork is consistent");
    let failure = replay(&forked, &[forked_head], Some(&saved), &key).expect_err("the fork is caught");
    assert_eq!(failure.checkpoint, Some(300), "{failure}");
    assert!(failure.what.contains("differs from the saved checkpoint"), "{failure}");
}

#[test]
fn a_checkpoint_under_another_key_is_refused() {
    let (key, _) = key();
    let log = bodies(10);
    let forged = head(&log, &SigningKey::from_bytes(&[7; 32]));
    let failure = replay(&log, &[forged], None, &key).expect_err("another key's checkpoint");
    assert!(failure.what.contains("no signature"), "{failure}");
}

#[test]
fn a_clock_set_back_is_found() {
    let (key, signing) = key();
    let mut log = bodies(10);
    log[6] = event(6, 900, Some(1), Some(4)).encode();
    let failure = replay(&log, &[head(&log, &signing)], None, &key).expect_err("time went back");
    assert_eq!(failure.seq, Some(6), "{failure}");
}

#[test]
fn a_non_canonical_re_encoding_is_refused() {
    let (key, signing) = key();
    let mut log = bodies(10);
    // The same event with its map entries in another order: same meaning, other bytes.
    let Value::Map(mut entries) = Value::decode(&log[3]).expect("a body decodes") else { panic!("a map") };
    entries.reverse();
    let mut reordered = vec![0xa0 | entries.len() as u8];
    for (k, v) in &entries {
        reordered.extend(k.encode());
        reordered.extend(v.encode());
    }
    log[3] = reordered;
    let failure = replay(&log, &[head(&log, &signing)], None, &key).expect_err("non-canonical body");
    assert_eq!(failure.seq, Some(3), "{failure}");
}

#[test]
fn broken_back_pointers_are_found() {
    let (key, signing) = key();
    let mut log = bodies(10);
    log[4] = event(4, 1_004, Some(1), Some(0)).encode();
    let failure = replay(&log, &[head(&log, &signing)], None, &key).expect_err("skipped back-pointer");
    assert_eq!(failure.seq, Some(4), "{failure}");
    assert!(failure.what.contains("back-pointer"), "{failure}");
}

#[test]
fn events_after_the_last_checkpoint_are_not_accepted() {
    let (key, signing) = key();
    let log = bodies(10);
    let failure = replay(&log, &[head(&log[..8], &signing)], None, &key).expect_err("unsigned tail");
    assert_eq!(failure.seq, Some(8), "{failure}");
}

/// Replays the events of `bodies` from `from` on, the tree resumed from the right edge that
/// `edge_of` gives (the honest one: the first `from` leaves).
fn replay_kept(bodies: &[Vec<u8>], from: usize, edge_of: &[Vec<u8>], notes: &[String]) -> Result<u64, Failure> {
    let (key, _) = key();
    let mut tree = TreeBuilder::default();
    edge_of.iter().for_each(|b| tree.push(leaf_hash(b)));
    let mut verifier = Verifier::resume(key, notes, None, tree)?;
    for (seq, body) in bodies.iter().enumerate().skip(from) {
        verifier.event(seq as u64, body, &leaf_hash(body))?;
    }
    verifier.finish(|_| Ok(())).map(|v| v.events)
}

#[test]
fn a_log_whose_oldest_events_were_dropped_verifies_from_the_edge_they_left() {
    let (_, signing) = key();
    let log = bodies(700);
    let (early, late) = (head(&log[..200], &signing), head(&log, &signing));
    let notes = [early, late];
    // Client 1's first event kept (seq 300) points back to 298, which is gone.
    assert_eq!(replay_kept(&log, 300, &log[..300], &notes), Ok(700));
    let mut wrong = log[..300].to_vec();
    wrong[7] = event(7, 1_007, Some(2), None).encode();
    let forged = replay_kept(&log, 300, &wrong, &notes);
    assert_eq!(forged.map_err(|f| f.checkpoint), Err(Some(700)), "a wrong edge gives another root");
    let (key, _) = key();
    let mut tree = TreeBuilder::default();
    log[..300].iter().for_each(|b| tree.push(leaf_hash(b)));
    let saved = head(&log[..200], &signing);
    let refused = Verifier::resume(key, &notes, Some(&saved), tree).map(|_| ());
    assert_eq!(refused.map_err(|f| f.checkpoint), Err(Some(200)), "a saved checkpoint of the dropped part");
}
