//! Known answers from `vectors/config-encrypt.json` plus round trips and robustness checks for
//! `session_protocol::config_encrypt`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::config_encrypt::{
    decrypt, decrypt_and_unpad, encrypt, pad_and_encrypt, pad_message, padded_size, strip_padding,
    ConfigEncryptError, DOMAIN_CONTACTS, DOMAIN_CONVO_INFO_VOLATILE, DOMAIN_GROUP_INFO,
    DOMAIN_GROUP_MEMBERS, DOMAIN_USER_GROUPS, DOMAIN_USER_PROFILE, ENCRYPT_OVERHEAD, NONCE_LEN,
};

const KIB: usize = 1024;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/config-encrypt.json")).unwrap()
}

fn key32(hex_str: &str) -> [u8; 32] {
    hex::decode(hex_str).unwrap().try_into().unwrap()
}

#[test]
fn vector_cases_encrypt_and_decrypt() {
    let v = vectors();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for case in cases {
        let plaintext = case["plaintext_ascii"].as_str().unwrap().as_bytes();
        let key_base = key32(case["key_base"].as_str().unwrap());
        let domain = case["domain"].as_str().unwrap();
        let enc = encrypt(plaintext, &key_base, domain).unwrap();
        assert_eq!(enc.len(), plaintext.len() + ENCRYPT_OVERHEAD);
        let nonce = &enc[enc.len() - NONCE_LEN..];
        assert_eq!(
            hex::encode(nonce),
            case["nonce"].as_str().unwrap(),
            "{case}"
        );
        if let Some(expected) = case["encrypted"].as_str() {
            assert_eq!(hex::encode(&enc), expected);
        }
        assert_eq!(decrypt(&enc, &key_base, domain).unwrap(), plaintext);
    }
}

#[test]
fn vector_wrong_key_domain_or_tampering_fails() {
    let v = vectors();
    let case = &v["cases"][0];
    let enc = hex::decode(case["encrypted"].as_str().unwrap()).unwrap();
    let key1 = key32(case["key_base"].as_str().unwrap());
    let key2 = key32(v["cases"][2]["key_base"].as_str().unwrap());
    assert_eq!(
        decrypt(&enc, &key1, "test-suite2"),
        Err(ConfigEncryptError::DecryptFailed)
    );
    assert_eq!(
        decrypt(&enc, &key2, "test-suite1"),
        Err(ConfigEncryptError::DecryptFailed)
    );
    let mut broken = enc.clone();
    broken[3] = 0x42;
    assert_eq!(
        decrypt(&broken, &key1, "test-suite1"),
        Err(ConfigEncryptError::DecryptFailed)
    );
    let mut broken_nonce = enc;
    let last = broken_nonce.len() - 1;
    broken_nonce[last] ^= 1;
    assert_eq!(
        decrypt(&broken_nonce, &key1, "test-suite1"),
        Err(ConfigEncryptError::DecryptFailed)
    );
}

/// Parses the `padded_size_asserts` string of the vector file, e.g. `(5KiB+1,0)=6KiB`.
fn parse_size(expr: &str) -> usize {
    let expr = expr.trim();
    if let Some((a, b)) = expr.split_once('+') {
        return parse_size(a) + parse_size(b);
    }
    if let Some((a, b)) = expr.split_once('-') {
        return parse_size(a) - parse_size(b);
    }
    match expr.strip_suffix("KiB") {
        Some(n) => n.parse::<usize>().unwrap() * KIB,
        None => expr.parse().unwrap(),
    }
}

#[test]
fn vector_padded_size_asserts() {
    let v = vectors();
    let text = v["padded_size_asserts"].as_str().unwrap();
    let text = text
        .split("  [")
        .next()
        .unwrap()
        .trim_start_matches("padded_size");
    let mut count = 0;
    for item in text.split("; ") {
        let (args, result) = item.split_once('=').unwrap();
        let args = args.trim().trim_start_matches('(').trim_end_matches(')');
        let (size, overhead) = args.split_once(',').unwrap();
        let (size, overhead, result) = (parse_size(size), parse_size(overhead), parse_size(result));
        assert_eq!(
            padded_size(size, overhead),
            result,
            "padded_size({size}, {overhead})"
        );
        count += 1;
    }
    assert_eq!(count, 16);
}

#[test]
fn upstream_padded_size_extras() {
    // Further asserts from LSU tests/test_encrypt.cpp not copied into the vector file.
    assert_eq!(padded_size(3839, 96), 4000);
    assert_eq!(padded_size(9 * KIB, 0), 9 * KIB);
    assert_eq!(padded_size(10 * KIB + 1, 0), 11 * KIB);
    assert_eq!(padded_size(20 * KIB, 0), 20 * KIB);
    assert_eq!(padded_size(38 * KIB, 0), 38 * KIB);
    assert_eq!(padded_size(45 * KIB + 1, 0), 50 * KIB);
    assert_eq!(padded_size(70 * KIB, 0), 70 * KIB);
    assert_eq!(padded_size(75 * KIB, 0), 75 * KIB);
    assert_eq!(padded_size(usize::MAX, 40), usize::MAX);
}

#[test]
fn named_domains_round_trip_with_padding() {
    let key = [7u8; 32];
    let msg = b"d1:#i5e1:&de1:<le1:=dee";
    for domain in [
        DOMAIN_USER_PROFILE,
        DOMAIN_CONTACTS,
        DOMAIN_CONVO_INFO_VOLATILE,
        DOMAIN_USER_GROUPS,
        DOMAIN_GROUP_INFO,
        DOMAIN_GROUP_MEMBERS,
    ] {
        let enc = pad_and_encrypt(msg, &key, domain).unwrap();
        assert_eq!(enc.len(), 256, "padded to a 256-byte boundary");
        assert_eq!(decrypt_and_unpad(&enc, &key, domain).unwrap(), msg);
    }
}

#[test]
fn bad_domains_and_short_input_are_typed_errors() {
    let key = [1u8; 32];
    assert_eq!(
        encrypt(b"x", &key, ""),
        Err(ConfigEncryptError::InvalidDomain(0))
    );
    let long = "a".repeat(25);
    assert_eq!(
        encrypt(b"x", &key, &long),
        Err(ConfigEncryptError::InvalidDomain(25))
    );
    assert!(encrypt(b"x", &key, &"a".repeat(24)).is_ok());
    assert_eq!(
        decrypt(&[0u8; 39], &key, "d"),
        Err(ConfigEncryptError::TooShort(39))
    );
    // An empty plaintext encrypts and decrypts; unpadding it is reported as empty.
    let enc = encrypt(b"", &key, "d").unwrap();
    assert_eq!(decrypt(&enc, &key, "d").unwrap(), b"");
    assert_eq!(
        decrypt_and_unpad(&enc, &key, "d"),
        Err(ConfigEncryptError::Empty)
    );
}

#[test]
fn padding_is_leading_zeros() {
    let padded = pad_message(b"dxe");
    assert_eq!(padded.len(), 256 - ENCRYPT_OVERHEAD);
    assert!(padded[..padded.len() - 3].iter().all(|&b| b == 0));
    assert_eq!(strip_padding(&padded), b"dxe");
    assert_eq!(strip_padding(&[0, 0, 0]), b"");
}

proptest! {
    #[test]
    fn round_trip(msg in proptest::collection::vec(any::<u8>(), 0..2000),
                  key in any::<[u8; 32]>(),
                  domain in "[A-Za-z:]{1,24}") {
        let enc = encrypt(&msg, &key, &domain).unwrap();
        prop_assert_eq!(enc.len(), msg.len() + ENCRYPT_OVERHEAD);
        prop_assert_eq!(&encrypt(&msg, &key, &domain).unwrap(), &enc, "deterministic");
        prop_assert_eq!(decrypt(&enc, &key, &domain).unwrap(), msg);
    }

    #[test]
    fn padded_round_trip(msg in proptest::collection::vec(1u8.., 1..3000), key in any::<[u8; 32]>()) {
        let enc = pad_and_encrypt(&msg, &key, DOMAIN_CONTACTS).unwrap();
        prop_assert_eq!(padded_size(msg.len(), ENCRYPT_OVERHEAD) + ENCRYPT_OVERHEAD, enc.len());
        prop_assert_eq!(decrypt_and_unpad(&enc, &key, DOMAIN_CONTACTS).unwrap(), msg);
    }

    #[test]
    fn tampering_any_byte_fails(msg in proptest::collection::vec(any::<u8>(), 0..300),
                                key in any::<[u8; 32]>(), pos in any::<usize>(), bit in 0u8..8) {
        let mut enc = encrypt(&msg, &key, DOMAIN_USER_PROFILE).unwrap();
        let i = pos % enc.len();
        enc[i] ^= 1 << bit;
        prop_assert_eq!(decrypt(&enc, &key, DOMAIN_USER_PROFILE), Err(ConfigEncryptError::DecryptFailed));
    }

    #[test]
    fn decrypt_arbitrary_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200),
                                            key in any::<[u8; 32]>(), domain in ".{0,30}") {
        let _ = decrypt(&data, &key, &domain);
        let _ = decrypt_and_unpad(&data, &key, &domain);
    }

    #[test]
    fn padded_size_properties(size in 0usize..200_000, overhead in 0usize..300) {
        let p = padded_size(size, overhead);
        prop_assert!(p >= size);
        let total = p + overhead;
        let chunk = if size + overhead < 5120 { 256 } else if size + overhead < 20480 { 1024 }
            else if size + overhead < 40960 { 2048 } else { 5120 };
        prop_assert_eq!(total % chunk, 0);
        prop_assert!(total - (size + overhead) < chunk);
    }
}
