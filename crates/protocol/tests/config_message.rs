//! Known answers from `vectors/wave2/config-message.json` and `user-config-push.json`
//! (serialized_ascii/hash cases), plus property tests, for `session_protocol::config`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use ed25519_dalek::SigningKey;
use proptest::prelude::*;
use serde_json::Value;
use session_protocol::config::bt::{self, BtValue};
use session_protocol::config::data::{ConfigDict, ConfigValue, Scalar};
use session_protocol::config::merge::{merge_messages, Merged};
use session_protocol::config::message::{
    message_hash, signed_part, ConfigMessage, MutableConfigMessage, SigKeys, DEFAULT_LAG,
};

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/wave2/config-message.json")).unwrap()
}

fn case<'a>(v: &'a Value, prefix: &str) -> &'a Value {
    v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"].as_str().unwrap().starts_with(prefix))
        .unwrap()
}

fn scalar(v: &Value) -> Scalar {
    match v {
        Value::Number(n) => Scalar::Int(n.as_i64().unwrap()),
        Value::String(s) => Scalar::Bytes(s.as_bytes().to_vec()),
        _ => panic!("not a scalar: {v}"),
    }
}

fn value(v: &Value) -> ConfigValue {
    match v {
        Value::Object(o) if o.len() == 1 && o.contains_key("set") => ConfigValue::Set(
            o["set"]
                .as_array()
                .unwrap()
                .iter()
                .map(scalar)
                .collect::<BTreeSet<_>>(),
        ),
        Value::Object(_) => ConfigValue::Dict(dict(v)),
        _ => ConfigValue::Scalar(scalar(v)),
    }
}

fn dict(v: &Value) -> ConfigDict {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, x)| (k.as_bytes().to_vec(), value(x)))
        .collect()
}

fn enc(v: &ConfigValue) -> Vec<u8> {
    match v {
        ConfigValue::Dict(d) => session_protocol::config::data::data_to_bt(d).encode(),
        other => session_protocol::config::data::value_to_bt(other).encode(),
    }
}

fn sub<'a>(d: &'a mut ConfigDict, k: &str) -> &'a mut ConfigDict {
    match d.get_mut(k.as_bytes()).unwrap() {
        ConfigValue::Dict(x) => x,
        _ => panic!("not a dict"),
    }
}

fn int(i: i64) -> ConfigValue {
    ConfigValue::Scalar(Scalar::Int(i))
}

#[test]
fn vector_scalar_set_dict_encoding() {
    let v = vectors();
    let c = case(&v, "scalar encoding");
    for (input, want) in c["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .zip(c["expected_bt"].as_array().unwrap())
    {
        assert_eq!(enc(&value(input)), want.as_str().unwrap().as_bytes());
    }
    let c = case(&v, "set encoding");
    let set = ConfigValue::Set(
        c["input_elements"]
            .as_array()
            .unwrap()
            .iter()
            .map(scalar)
            .collect(),
    );
    assert_eq!(enc(&set), c["expected_bt"].as_str().unwrap().as_bytes());
    let c = case(&v, "dict encoding");
    let d = ConfigValue::Dict(dict(&c["input"]));
    let bytes = enc(&d);
    assert_eq!(bytes, c["expected_bt"].as_str().unwrap().as_bytes());
    // and it parses back to the same data
    let parsed = session_protocol::config::data::parse_data(&bt::decode(&bytes).unwrap()).unwrap();
    assert_eq!(ConfigValue::Dict(parsed), d);
}

/// Rebuilds the seqno 10..15 chain of the upstream test.
fn chain(v: &Value) -> Vec<Vec<u8>> {
    let c10 = case(v, "serialization seqno 10");
    let mut m = MutableConfigMessage::new(10, DEFAULT_LAG);
    m.data = dict(&c10["data"]);
    let mut out = vec![m.serialize(None)];
    let mut m = m.increment(None);
    m.data.remove(b"foo".as_slice());
    out.push(m.serialize(None));
    let mut m = m.increment(None);
    m.data.insert(b"foo".to_vec(), int(123));
    let bar = sub(&mut m.data, "bar");
    bar.insert(b"xyz".to_vec(), int(42));
    bar.insert(b"a".to_vec(), int(42));
    let ConfigValue::Set(s) = bar.get_mut(b"".as_slice()).unwrap() else {
        panic!()
    };
    s.insert(Scalar::Bytes(b"c".to_vec()));
    s.insert(Scalar::Int(99));
    s.remove(&Scalar::Bytes(b"b".to_vec()));
    out.push(m.serialize(None));
    for _ in 13..=15 {
        m = m.increment(None);
        out.push(m.serialize(None));
    }
    out
}

#[test]
fn vector_serialization_chain_10_to_15() {
    let v = vectors();
    let msgs = chain(&v);
    let c10 = case(&v, "serialization seqno 10");
    assert_eq!(
        hex::encode(&msgs[0]),
        c10["serialized_hex"].as_str().unwrap()
    );
    assert_eq!(
        msgs[0],
        c10["serialized_ascii_view"].as_str().unwrap().as_bytes()
    );
    assert_eq!(
        hex::encode(message_hash(&msgs[0])),
        c10["hash_blake2b256"].as_str().unwrap()
    );
    for (i, prefix) in [(1, "seqno 11"), (2, "seqno 12")] {
        let c = case(&v, prefix);
        assert_eq!(hex::encode(&msgs[i]), c["serialized_hex"].as_str().unwrap());
        assert_eq!(
            hex::encode(message_hash(&msgs[i])),
            c["hash_blake2b256"].as_str().unwrap()
        );
    }
    let c = case(&v, "seqno 13/14/15");
    for (i, k) in [(3, "hash13"), (4, "hash14"), (5, "hash15")] {
        assert_eq!(hex::encode(message_hash(&msgs[i])), c[k].as_str().unwrap());
    }
    assert_eq!(
        hex::encode(&msgs[5]),
        c["serialized15_hex"].as_str().unwrap()
    );
    // Every message parses back, and parsing keeps the exact bytes.
    for m in &msgs {
        let p = ConfigMessage::parse(m, None, DEFAULT_LAG).unwrap();
        assert_eq!(&p.bytes, m);
        assert_eq!(p.hash, message_hash(m));
    }
    // Parsed 15 carries lags 11..14.
    let p15 = ConfigMessage::parse(&msgs[5], None, DEFAULT_LAG).unwrap();
    let seqnos: Vec<i64> = p15.lagged.keys().map(|k| k.0).collect();
    assert_eq!(seqnos, vec![11, 12, 13, 14]);
}

#[test]
fn vector_signed_message() {
    let v = vectors();
    let c = case(&v, "signed config message");
    let sk64 = hex::decode(c["ed25519_sk64"].as_str().unwrap()).unwrap();
    let sk = SigningKey::from_bytes(&sk64[..32].try_into().unwrap());
    assert_eq!(sk.verifying_key().as_bytes(), &sk64[32..]);
    let c10 = case(&v, "serialization seqno 10");
    let mut m = MutableConfigMessage::new(10, DEFAULT_LAG);
    m.data = dict(&c10["data"]);
    let bytes = m.serialize(Some(&sk));
    assert_eq!(hex::encode(&bytes), c["serialized_hex"].as_str().unwrap());
    assert_eq!(
        hex::encode(signed_part(&bytes).unwrap()),
        c["signed_value_hex"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(&bytes[bytes.len() - 65..bytes.len() - 1]),
        c["signature"].as_str().unwrap()
    );
    let vk = sk.verifying_key();
    let p = ConfigMessage::parse(&bytes, Some(&vk), DEFAULT_LAG).unwrap();
    assert_eq!(
        hex::encode(p.signature.unwrap()),
        c["signature"].as_str().unwrap()
    );
    // Unsigned message refused when a verifier is set; tampered signature refused.
    let unsigned = m.serialize(None);
    assert!(ConfigMessage::parse(&unsigned, Some(&vk), DEFAULT_LAG).is_err());
    let mut bad = bytes;
    let n = bad.len();
    bad[n - 2] ^= 1;
    assert!(ConfigMessage::parse(&bad, Some(&vk), DEFAULT_LAG).is_err());
    assert!(ConfigMessage::parse(&bad, None, DEFAULT_LAG).is_ok());
}

#[test]
fn vector_merge_doc_example_118_to_124() {
    let v = vectors();
    let c118 = case(&v, "merge-doc example: seqno 118");
    let b118 = hex::decode(c118["serialized_hex"].as_str().unwrap()).unwrap();
    let parsed = ConfigMessage::parse(&b118, None, DEFAULT_LAG).unwrap();
    let mut m = MutableConfigMessage::new(118, DEFAULT_LAG);
    m.data = parsed.data;
    assert_eq!(m.serialize(None), b118);
    assert_eq!(
        hex::encode(message_hash(&b118)),
        c118["hash_blake2b256"].as_str().unwrap()
    );
    let c = case(&v, "merge-doc example: empty increments");
    for k in ["h119", "h120", "h121", "h122"] {
        m = m.increment(None);
        assert_eq!(hex::encode(m.hash(None)), c[k].as_str().unwrap(), "{k}");
    }
    m = m.increment(None);
    m.data.remove(b"int0".as_slice());
    m.data.insert(b"int1".to_vec(), int(1));
    m.data.insert(b"int2".to_vec(), int(2));
    let same = m.data.get(b"string1".as_slice()).unwrap().clone();
    m.data.insert(b"string1".to_vec(), same);
    let b123 = m.serialize(None);
    assert_eq!(hex::encode(&b123), c["m123_hex"].as_str().unwrap());
    assert_eq!(
        hex::encode(message_hash(&b123)),
        c["h123"].as_str().unwrap()
    );

    // A mutable load of 123 (single input, so no merge) increments to 124.
    let out = merge_messages(&[&b123], &SigKeys::default(), DEFAULT_LAG).unwrap();
    let Merged::Single { index: 0, message } = out.result else {
        panic!("expected the single input back")
    };
    let mut m124 = message.increment(DEFAULT_LAG);
    assert_eq!(
        hex::encode(m124.serialize(None)),
        c["m124_unchanged_hex"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(m124.hash(None)),
        c["mutable_load_of_m123_gives_seqno124_hash"]
            .as_str()
            .unwrap()
    );
}

#[test]
fn vector_empty_seqno0_message_hash() {
    let v: Value =
        serde_json::from_str(include_str!("vectors/wave2/user-config-push.json")).unwrap();
    let mut n = 0;
    for c in v["cases"].as_array().unwrap() {
        let (Some(ascii), Some(h)) = (
            c["serialized_ascii"].as_str(),
            c["hash_blake2b256"].as_str(),
        ) else {
            continue;
        };
        n += 1;
        let empty = ConfigMessage::empty();
        assert_eq!(empty.bytes, ascii.as_bytes());
        assert_eq!(hex::encode(empty.hash), h);
        assert_eq!(hex::encode(message_hash(ascii.as_bytes())), h);
        assert_eq!(
            MutableConfigMessage::new(0, DEFAULT_LAG).serialize(None),
            ascii.as_bytes()
        );
    }
    assert_eq!(n, 1);
}

#[test]
fn every_config_message_case_is_covered() {
    let v = vectors();
    let names: Vec<&str> = v["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let covered = [
        "scalar encoding",
        "set encoding",
        "dict encoding",
        "serialization seqno 10",
        "seqno 11",
        "seqno 12",
        "seqno 13/14/15",
        "signed config message",
        "merge-doc example: seqno 118",
        "merge-doc example: empty increments",
    ];
    for n in &names {
        assert!(
            covered.iter().any(|p| n.starts_with(p)),
            "uncovered case {n}"
        );
    }
    assert_eq!(names.len(), covered.len());
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 128,
        failure_persistence: None,
        rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5e55_1011),
        ..ProptestConfig::default()
    }
}

fn bt_value() -> impl Strategy<Value = BtValue> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(BtValue::Int),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(BtValue::Bytes),
    ];
    leaf.prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(BtValue::List),
            proptest::collection::btree_map(
                proptest::collection::vec(any::<u8>(), 0..4),
                inner,
                0..4
            )
            .prop_map(BtValue::Dict),
        ]
    })
}

/// Edits applied on one branch: (key index, value or removal).
fn edits() -> impl Strategy<Value = Vec<(u8, Option<i64>, bool)>> {
    proptest::collection::vec(
        (0u8..6, proptest::option::of(-3i64..3), any::<bool>()),
        0..4,
    )
}

fn apply_edits(m: &mut MutableConfigMessage, edits: &[(u8, Option<i64>, bool)]) {
    for (k, v, in_set) in edits {
        let key = vec![b'k', b'0' + k];
        match (v, in_set) {
            (Some(v), false) => {
                m.data.insert(key, int(*v));
            }
            (Some(v), true) => {
                let e = m
                    .data
                    .entry(b"set".to_vec())
                    .or_insert_with(|| ConfigValue::Set(BTreeSet::new()));
                if let ConfigValue::Set(s) = e {
                    s.insert(Scalar::Int(*v));
                }
            }
            (None, false) => {
                m.data.remove(&key);
            }
            (None, true) => {
                if let Some(ConfigValue::Set(s)) = m.data.get_mut(b"set".as_slice()) {
                    s.pop_first();
                }
            }
        }
    }
}

fn merged_bytes(inputs: &[Vec<u8>]) -> Vec<u8> {
    let refs: Vec<&[u8]> = inputs.iter().map(Vec::as_slice).collect();
    match merge_messages(&refs, &SigKeys::default(), DEFAULT_LAG)
        .unwrap()
        .result
    {
        Merged::Single { message, .. } => message.bytes,
        Merged::Merged(mut m) => m.serialize(None),
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn bt_round_trip(v in bt_value()) {
        let bytes = v.encode();
        prop_assert_eq!(bt::decode(&bytes).unwrap(), v);
    }

    #[test]
    fn bt_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(v) = bt::decode(&bytes) {
            // whatever is accepted is canonical
            prop_assert_eq!(v.encode(), bytes);
        }
    }

    #[test]
    fn message_arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..96)) {
        let _ = ConfigMessage::parse(&bytes, None, DEFAULT_LAG);
        let mut with_prefix = b"d1:#i5e1:&d".to_vec();
        with_prefix.extend_from_slice(&bytes);
        let _ = merge_messages(&[&with_prefix, &bytes], &SigKeys::default(), DEFAULT_LAG);
    }

    #[test]
    fn mutated_valid_messages_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
        which in 0usize..6,
    ) {
        let v = vectors();
        let msgs = chain(&v);
        let mut m = msgs[which].clone();
        for (pos, byte) in edits {
            let n = m.len();
            m[pos % n] = byte;
        }
        let _ = ConfigMessage::parse(&m, None, DEFAULT_LAG);
        let refs: Vec<&[u8]> = vec![&m, &msgs[2], &msgs[which]];
        if let Ok(out) = merge_messages(&refs, &SigKeys::default(), DEFAULT_LAG) {
            if let Merged::Merged(mut merged) = out.result {
                let bytes = merged.serialize(None);
                prop_assert!(ConfigMessage::parse(&bytes, None, DEFAULT_LAG).is_ok());
            }
        }
    }

    #[test]
    fn merge_is_order_independent(
        base in edits(),
        branches in proptest::collection::vec((edits(), 0usize..3), 2..4),
        perm_seed in any::<u64>(),
    ) {
        let mut m = MutableConfigMessage::new(3, DEFAULT_LAG);
        apply_edits(&mut m, &base);
        m.data.insert(b"base".to_vec(), int(1));
        let mut inputs = Vec::new();
        for (e, extra) in &branches {
            let mut b = m.increment(None);
            apply_edits(&mut b, e);
            for _ in 0..*extra {
                b = b.increment(None);
            }
            inputs.push(b.serialize(None));
        }
        inputs.push(m.serialize(None));
        let want = merged_bytes(&inputs);
        // a permutation of the inputs (Fisher-Yates driven by a xorshift of the seed)
        let mut other = inputs.clone();
        let mut x = perm_seed | 1;
        for i in (1..other.len()).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            other.swap(i, (x % (i as u64 + 1)) as usize);
        }
        prop_assert_eq!(&merged_bytes(&other), &want);
        // merging the result with any input gives the result back
        let again = merged_bytes(&[want.clone(), inputs[0].clone()]);
        prop_assert_eq!(again, want);
    }
}
