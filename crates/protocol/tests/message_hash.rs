//! Message hash vectors (vectors/storage-message-hash.json) and hash properties.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::rpc::{
    is_valid_message_hash, message_hash, message_hash_for, AccountPubkey, Namespace,
};

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/storage-message-hash.json")).unwrap()
}

#[test]
fn every_vector_matches() {
    let v = vectors();
    let cases = v["examples_computed_NOT_from_upstream"].as_array().unwrap();
    assert!(!cases.is_empty());
    for case in cases {
        let account = AccountPubkey::from_hex(case["pubkey"].as_str().unwrap()).unwrap();
        let ns = Namespace::from_i64(case["namespace"].as_i64().unwrap()).unwrap();
        let data = case["data_ascii"].as_str().unwrap().as_bytes();
        let expected = case["hash"].as_str().unwrap();
        let got = message_hash(account.prefix(), account.key(), ns, data);
        assert_eq!(got, expected, "vector {case}");
        assert_eq!(message_hash_for(&account, ns, data), expected);
        assert_eq!(got.len(), 43);
        assert!(is_valid_message_hash(&got));
    }
}

#[test]
fn prefix_namespace_and_data_all_matter() {
    let key = [7u8; 32];
    let base = message_hash(5, &key, Namespace::DEFAULT, b"x");
    assert_ne!(base, message_hash(3, &key, Namespace::DEFAULT, b"x"));
    assert_ne!(base, message_hash(5, &key, Namespace(1), b"x"));
    assert_ne!(base, message_hash(5, &key, Namespace::DEFAULT, b"y"));
    // Namespace 0 contributes nothing, so "1" as data prefix equals namespace 1 with no prefix.
    assert_eq!(
        message_hash(5, &key, Namespace::DEFAULT, b"1x"),
        message_hash(5, &key, Namespace(1), b"x")
    );
}

#[test]
fn hash_shape_checks() {
    assert!(!is_valid_message_hash(""));
    assert!(!is_valid_message_hash(&"a".repeat(44)));
    assert!(!is_valid_message_hash(&"!".repeat(43)));
    assert!(is_valid_message_hash(&"A".repeat(43)));
}

proptest! {
    #[test]
    fn always_43_chars(prefix: u8, key: [u8; 32], ns: i16, data: Vec<u8>) {
        let h = message_hash(prefix, &key, Namespace(ns), &data);
        prop_assert_eq!(h.len(), 43);
        prop_assert!(is_valid_message_hash(&h));
    }

    #[test]
    fn hash_check_never_panics(s in ".*") {
        let _ = is_valid_message_hash(&s);
    }
}
