//! Swarm-space and nearest-swarm vectors (vectors/swarm-space.json) and the assignment rule.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::rpc::AccountPubkey;
use session_protocol::swarm::{
    assign_swarm, nearest_swarm, new_swarm_id, swarm_for, swarm_space, swarm_space_for,
    SwarmChoice, SwarmError, INVALID_SWARM_ID, MAX_SWARM_SIZE,
};

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/swarm-space.json")).unwrap()
}

/// "0x1f2" → 0x1f2, "ffffffffffffffff" → that, "2^64-20" → u64::MAX - 19, 100 → 100.
fn number(v: &Value) -> u64 {
    if let Some(n) = v.as_u64() {
        return n;
    }
    let s = v.as_str().unwrap();
    if let Some(rest) = s.strip_prefix("2^64-") {
        return 0u64.wrapping_sub(rest.parse::<u64>().unwrap());
    }
    u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

/// A 05 account whose last 8 bytes are `value` and the rest zero.
fn account_with_tail(value: u64) -> AccountPubkey {
    let mut bytes = [0u8; 33];
    bytes[0] = 5;
    bytes[25..].copy_from_slice(&value.to_be_bytes());
    AccountPubkey::from_bytes33(&bytes)
}

#[test]
fn pubkey_to_swarm_space_vectors() {
    let v = vectors();
    let cases = v["pubkey_to_swarm_space"].as_array().unwrap();
    assert_eq!(cases.len(), 11);
    for case in cases {
        let hex_pk = case[0].as_str().unwrap();
        let expected: u64 = case[1].as_str().unwrap().parse().unwrap();
        let bytes = hex::decode(hex_pk).unwrap();
        assert_eq!(swarm_space(&bytes).unwrap(), expected, "{hex_pk}");
        assert_eq!(swarm_space(&bytes[1..]).unwrap(), expected);
        let account = AccountPubkey::from_hex(hex_pk).unwrap();
        assert_eq!(swarm_space_for(&account), expected);
    }
}

fn check_cases(swarms: &[u64], cases: &Value, tail_is_hex_word: bool) -> usize {
    let cases = cases.as_array().unwrap();
    for case in cases {
        let value = if tail_is_hex_word {
            u64::from_str_radix(case[0].as_str().unwrap(), 16).unwrap()
        } else {
            number(&case[0])
        };
        let expected = number(&case[1]);
        let account = account_with_tail(value);
        assert_eq!(swarm_space_for(&account), value);
        assert_eq!(
            swarm_for(swarms, &account),
            Some(expected),
            "value {value:#x} swarms {swarms:?}"
        );
        assert_eq!(nearest_swarm(swarms, value), Some(expected));
    }
    cases.len()
}

#[test]
fn nearest_swarm_vectors() {
    let v = vectors();
    let ns = &v["nearest_swarm"];
    let mut swarms: Vec<u64> = ns["swarms"]
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect();
    let mut total = 0;
    total += check_cases(&swarms, &ns["cases_last_byte_of_pubkey_else_zero"], false);
    total += check_cases(&swarms, &ns["cases_last_8_bytes_hex"], true);
    swarms.push(0u64.wrapping_sub(20));
    total += check_cases(&swarms, &ns["after_adding_swarm_u64_minus_20"], false);
    swarms.push(0);
    total += check_cases(&swarms, &ns["after_also_inserting_swarm_0"], true);
    assert_eq!(total, 20 + 7 + 3 + 2);
}

#[test]
fn edge_cases() {
    assert_eq!(nearest_swarm(&[], 5), None);
    assert_eq!(nearest_swarm(&[INVALID_SWARM_ID], 5), None);
    assert_eq!(nearest_swarm(&[42], u64::MAX), Some(42));
    // Order and duplicates of the input do not matter.
    assert_eq!(nearest_swarm(&[694, 100, 100, 300], 0x97), Some(100));
    assert_eq!(swarm_space(&[0u8; 31]), Err(SwarmError::KeyLength(31)));
}

#[test]
fn assignment_fills_smallest_then_opens_new_swarm() {
    assert_eq!(assign_swarm(&[]), SwarmChoice::New(0));
    assert_eq!(
        assign_swarm(&[(0, 3), (1 << 63, 2)]),
        SwarmChoice::Join(1 << 63)
    );
    assert_eq!(assign_swarm(&[(10, 7), (5, 7)]), SwarmChoice::Join(5));
    let full = [(0, MAX_SWARM_SIZE), (1 << 63, MAX_SWARM_SIZE)];
    assert_eq!(assign_swarm(&full), SwarmChoice::New(1 << 62));
    assert_eq!(new_swarm_id(&[0]), 1 << 63);
    assert_eq!(new_swarm_id(&[5, 5]), 5 + (1 << 63));

    // Simulate 40 nodes joining: swarms stay between 1 and MAX, and the sizes differ by at most
    // one except for the newest swarm.
    let mut swarms: Vec<(u64, usize)> = Vec::new();
    for _ in 0..40 {
        match assign_swarm(&swarms) {
            SwarmChoice::Join(id) => swarms.iter_mut().find(|s| s.0 == id).unwrap().1 += 1,
            SwarmChoice::New(id) => {
                assert!(swarms.iter().all(|s| s.1 == MAX_SWARM_SIZE && s.0 != id));
                swarms.push((id, 1));
            }
        }
    }
    assert_eq!(swarms.iter().map(|s| s.1).sum::<usize>(), 40);
    assert_eq!(swarms.len(), 4);
}

proptest! {
    #[test]
    fn nearest_is_a_member_and_closest(ids in prop::collection::vec(any::<u64>(), 1..20), v: u64) {
        let valid: Vec<u64> = ids.iter().copied().filter(|i| *i != INVALID_SWARM_ID).collect();
        prop_assume!(!valid.is_empty());
        let got = nearest_swarm(&ids, v).unwrap();
        prop_assert!(valid.contains(&got));
        let dist = |id: u64| id.wrapping_sub(v).min(v.wrapping_sub(id));
        let best = valid.iter().map(|i| dist(*i)).min().unwrap();
        prop_assert_eq!(dist(got), best);
    }

    #[test]
    fn new_id_is_fresh(ids in prop::collection::vec(any::<u64>(), 0..20)) {
        let id = new_swarm_id(&ids);
        prop_assert!(id != INVALID_SWARM_ID);
        prop_assert!(!ids.contains(&id));
    }

    #[test]
    fn swarm_space_any_bytes(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let r = swarm_space(&bytes);
        prop_assert_eq!(r.is_ok(), bytes.len() == 32 || bytes.len() == 33);
    }
}
