//! `ConfigObject` state machine (push / confirm / merge / dump) and the UserProfile view, checked
//! against the dump cases of `vectors/wave2/user-config-push.json`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::config::fields::ProfilePic;
use session_protocol::config::message::{ConfigMessage, SigKeys, DEFAULT_LAG};
use session_protocol::config::mutable::{ConfigError, ConfigObject, ConfigState};
use session_protocol::config::user_profile::UserProfile;

fn push_vectors() -> Value {
    serde_json::from_str(include_str!("vectors/wave2/user-config-push.json")).unwrap()
}

fn kallie() -> UserProfile {
    let mut p = UserProfile::new();
    p.set_name("Kallie").unwrap();
    p.set_profile_pic(Some(&ProfilePic {
        url: "http://example.org/omg-pic-123.bmp".into(),
        key: *b"secret78901234567890123456789012",
    }))
    .unwrap();
    p.set_nts_priority(9).unwrap();
    p
}

#[test]
fn vector_user_profile_dumps() {
    let v = push_vectors();
    let dump = |prefix: &str| {
        let c = v["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"].as_str().unwrap().starts_with(prefix))
            .unwrap();
        hex::decode(c["dump_hex"].as_str().unwrap()).unwrap()
    };
    let mut p = kallie();
    assert_eq!(p.config.seqno(), 1);
    assert_eq!(p.config.state(), ConfigState::Dirty);
    let push = p.config.push();
    assert_eq!(push.seqno, 1);
    assert!(push.obsolete_hashes.is_empty());
    assert_eq!(p.config.state(), ConfigState::Waiting);
    assert_eq!(p.config.dump(), dump("dump after push"));

    p.config.confirm_pushed(1, "fakehash1");
    assert_eq!(p.config.state(), ConfigState::Clean);
    assert_eq!(p.config.dump(), dump("dump after confirm"));

    // Reload: same dump, same fields.
    let mut q = UserProfile::from_dump(&dump("dump after confirm")).unwrap();
    assert_eq!(q.config.dump(), dump("dump after confirm"));
    assert_eq!(q.name().as_deref(), Some("Kallie"));
    assert_eq!(q.nts_priority(), 9);
    assert_eq!(q.config.current_hashes(), vec!["fakehash1".to_string()]);
    // A Waiting dump reloads Waiting at the same seqno.
    let w = UserProfile::from_dump(&dump("dump after push")).unwrap();
    assert_eq!(w.config.seqno(), 1);
    assert_eq!(w.config.state(), ConfigState::Waiting);
}

#[test]
fn dirty_dump_reloads_with_the_next_seqno() {
    let mut p = kallie();
    assert_eq!(p.config.seqno(), 1);
    let dump = p.config.dump();
    let mut q = UserProfile::from_dump(&dump).unwrap();
    assert_eq!(q.config.state(), ConfigState::Dirty);
    assert_eq!(q.config.seqno(), 2);
    assert_eq!(q.name().as_deref(), Some("Kallie"));
    let m = ConfigMessage::parse(&q.config.push().message, None, DEFAULT_LAG).unwrap();
    assert_eq!(m.seqno, 2);
    assert!(UserProfile::from_dump(b"de").is_err());
    assert!(UserProfile::from_dump(b"garbage").is_err());
}

#[test]
fn clean_push_repeats_bytes_and_edits_obsolete_the_current_hash() {
    let mut p = kallie();
    let first = p.config.push();
    p.config.confirm_pushed(first.seqno, "h1");
    let again = p.config.push();
    assert_eq!(again.message, first.message);
    assert_eq!(again.seqno, 1);
    assert_eq!(p.config.state(), ConfigState::Clean);

    // Setting a value to what it already is changes nothing.
    p.set_name("Kallie").unwrap();
    p.set_nts_priority(9).unwrap();
    assert_eq!(p.config.state(), ConfigState::Clean);

    p.set_name("Kallie 2").unwrap();
    assert_eq!(p.config.seqno(), 2);
    p.set_nts_priority(3).unwrap();
    assert_eq!(p.config.seqno(), 2, "edits before a push share a seqno");
    let push2 = p.config.push();
    assert_eq!(push2.obsolete_hashes, vec!["h1".to_string()]);
    // Confirming a stale seqno does nothing.
    p.config.confirm_pushed(1, "stale");
    assert_eq!(p.config.state(), ConfigState::Waiting);
    p.config.confirm_pushed(2, "h2");
    assert_eq!(p.config.state(), ConfigState::Clean);
    let m = ConfigMessage::parse(&push2.message, None, DEFAULT_LAG).unwrap();
    assert_eq!(m.seqno, 2);
}

/// Our own push fetched back before its confirmation is the server's copy of our current
/// message: it must not become obsolete (the next push would delete what it stores).
#[test]
fn own_push_fetched_before_confirmation_is_not_obsolete() {
    let mut p = kallie();
    let first = p.config.push();
    p.config.confirm_pushed(first.seqno, "hash-1");
    p.set_name("Kallie 2").unwrap();
    let pushed = p.config.push();
    assert_eq!(p.config.state(), ConfigState::Waiting);
    assert_eq!(pushed.obsolete_hashes, ["hash-1"]);
    let accepted = p
        .config
        .merge(&[("hash-2".to_owned(), pushed.message.clone())]);
    assert_eq!(accepted, ["hash-2"]);
    assert_eq!(p.config.obsolete_hashes().count(), 0);
    // A retried push (the first attempt's answer was lost) deletes nothing it stores.
    let retried = p.config.push();
    assert_eq!(retried.message, pushed.message);
    assert!(retried.obsolete_hashes.is_empty());
    p.config.confirm_pushed(retried.seqno, "hash-2");
    assert_eq!(p.config.state(), ConfigState::Clean);
    // Once superseded, it is obsolete as usual.
    p.set_name("Kallie 3").unwrap();
    assert_eq!(p.config.push().obsolete_hashes, ["hash-2"]);
}

#[test]
fn name_truncated_at_utf8_boundary() {
    let mut p = UserProfile::new();
    let long = "é".repeat(60); // 120 bytes
    p.set_name(&long).unwrap();
    assert_eq!(p.name().unwrap(), "é".repeat(50));
    p.set_name("").unwrap();
    assert_eq!(p.name(), None);
}

#[test]
fn two_devices_converge() {
    let mut a = kallie();
    let base = a.config.push();
    a.config.confirm_pushed(base.seqno, "base");
    let mut b = UserProfile::new();
    assert_eq!(
        b.config.merge(&[("base".to_string(), base.message)]),
        vec!["base".to_string()]
    );
    assert_eq!(b.config.state(), ConfigState::Clean);
    assert_eq!(b.name().as_deref(), Some("Kallie"));
    assert_eq!(b.config.current_hashes(), vec!["base".to_string()]);

    a.set_name("From A").unwrap();
    b.set_nts_priority(-1).unwrap();
    let pa = a.config.push();
    let pb = b.config.push();
    assert_eq!(pa.seqno, 2);
    assert_eq!(pb.seqno, 2);
    a.config.confirm_pushed(2, "ha");
    b.config.confirm_pushed(2, "hb");

    let got_a = a.config.merge(&[("hb".to_string(), pb.message.clone())]);
    let got_b = b.config.merge(&[("ha".to_string(), pa.message.clone())]);
    assert_eq!(got_a, vec!["hb".to_string()]);
    assert_eq!(got_b, vec!["ha".to_string()]);
    for p in [&a, &b] {
        assert_eq!(p.config.state(), ConfigState::Dirty);
        assert_eq!(p.config.seqno(), 3);
        assert_eq!(p.name().as_deref(), Some("From A"));
        assert_eq!(p.nts_priority(), -1);
    }
    let ma = a.config.push();
    let mb = b.config.push();
    assert_eq!(
        ma.message, mb.message,
        "both devices produce identical merges"
    );
    let obs: std::collections::BTreeSet<_> = ma.obsolete_hashes.into_iter().collect();
    assert!(obs.contains("ha") && obs.contains("hb"));

    // A third device seeing all three messages takes the merge as-is.
    let mut c = UserProfile::new();
    c.config.merge(&[
        ("ha".to_string(), pa.message),
        ("m".to_string(), ma.message.clone()),
        ("hb".to_string(), pb.message),
    ]);
    assert_eq!(c.config.state(), ConfigState::Clean);
    assert_eq!(c.config.push().message, ma.message);
    assert_eq!(c.config.current_hashes(), vec!["m".to_string()]);
}

#[test]
fn merge_skips_garbage_and_reports_only_good_hashes() {
    let mut p = kallie();
    let m = p.config.push();
    let mut q = UserProfile::new();
    let got = q.config.merge(&[
        ("bad".to_string(), b"not bencode".to_vec()),
        ("good".to_string(), m.message),
    ]);
    assert_eq!(got, vec!["good".to_string()]);
    let got = q.config.merge(&[("bad2".to_string(), b"de".to_vec())]);
    assert!(got.is_empty());
}

#[test]
fn readonly_objects_refuse_edits_and_never_obsolete() {
    let sk = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let mut admin = ConfigObject::new(SigKeys::signing(sk.clone()));
    admin
        .edit(|d| session_protocol::config::fields::set_int(d, b"x", 1))
        .unwrap();
    let pushed = admin.push();
    let mut member = ConfigObject::new(SigKeys::verify_only(sk.verifying_key()));
    assert_eq!(
        member.edit(|d| session_protocol::config::fields::set_int(d, b"x", 2)),
        Err(ConfigError::ReadOnly)
    );
    assert_eq!(
        member.merge(&[("h".to_string(), pushed.message.clone())]),
        vec!["h".to_string()]
    );
    assert_eq!(member.serialize(), pushed.message);
    assert!(member.push().obsolete_hashes.is_empty());
    // unsigned input refused by a verifying object
    let mut unsigned = ConfigObject::new(SigKeys::default());
    unsigned
        .edit(|d| session_protocol::config::fields::set_int(d, b"x", 3))
        .unwrap();
    let u = unsigned.push();
    assert!(member.merge(&[("u".to_string(), u.message)]).is_empty());
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 64,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5e55_1012),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn merging_arbitrary_bytes_never_panics(
        inputs in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..80), 0..4)
    ) {
        let mut p = kallie();
        let msgs: Vec<(String, Vec<u8>)> =
            inputs.into_iter().enumerate().map(|(i, m)| (format!("h{i}"), m)).collect();
        let _ = p.config.merge(&msgs);
        let _ = p.config.push();
    }
}
