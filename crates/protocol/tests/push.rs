//! Known answer `push_notification_decrypt` from `vectors/session-protocol-encrypt.json`, plus
//! round trips and robustness checks for `session_protocol::push`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::push::{
    decrypt_push_notification, encrypt_push_notification, encrypt_push_notification_padded,
    PushEncryptionKey, PushError, PUSH_NONCE_LEN, PUSH_PADDING_BLOCK, PUSH_TAG_LEN,
};

fn vector() -> Value {
    let all: Value =
        serde_json::from_str(include_str!("vectors/session-protocol-encrypt.json")).unwrap();
    all["other_known_answers"]["push_notification_decrypt"].clone()
}

fn vector_key(v: &Value) -> PushEncryptionKey {
    let bytes: [u8; 32] = hex::decode(v["enc_key"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    PushEncryptionKey::from_bytes(bytes)
}

#[test]
fn vector_decrypts() {
    let v = vector();
    let payload = hex::decode(v["payload"].as_str().unwrap()).unwrap();
    let plain = decrypt_push_notification(&payload, &vector_key(&v)).unwrap();
    assert_eq!(plain, v["plaintext_ascii"].as_str().unwrap().as_bytes());
}

#[test]
fn vector_encrypts_byte_exact() {
    let v = vector();
    let payload = hex::decode(v["payload"].as_str().unwrap()).unwrap();
    let nonce: [u8; PUSH_NONCE_LEN] = payload[..PUSH_NONCE_LEN].try_into().unwrap();
    let plain = v["plaintext_ascii"].as_str().unwrap().as_bytes();
    let enc = encrypt_push_notification(plain, &vector_key(&v), &nonce).unwrap();
    assert_eq!(enc, payload);
}

#[test]
fn vector_tampered_or_wrong_key_fails() {
    let v = vector();
    let payload = hex::decode(v["payload"].as_str().unwrap()).unwrap();
    let key = vector_key(&v);
    for i in [0, 23, 24, payload.len() - 1] {
        let mut broken = payload.clone();
        broken[i] ^= 0x01;
        assert_eq!(
            decrypt_push_notification(&broken, &key),
            Err(PushError::DecryptFailed)
        );
    }
    let other = PushEncryptionKey::from_bytes([9u8; 32]);
    assert_eq!(
        decrypt_push_notification(&payload, &other),
        Err(PushError::DecryptFailed)
    );
    assert_eq!(
        decrypt_push_notification(&payload[..39], &key),
        Err(PushError::TooShort(39))
    );
}

#[test]
fn padded_payload_is_block_aligned_and_unpads() {
    let key = PushEncryptionKey::generate(&mut rand::thread_rng());
    let nonce = [3u8; PUSH_NONCE_LEN];
    let body =
        b"l58:{\"@\":\"05ab\",\"#\":\"hash\",\"n\":0,\"t\":1700000000000,\"z\":1700000000000}e";
    let enc = encrypt_push_notification_padded(body, &key, &nonce).unwrap();
    assert_eq!(
        enc.len(),
        PUSH_NONCE_LEN + PUSH_PADDING_BLOCK + PUSH_TAG_LEN
    );
    assert_eq!(decrypt_push_notification(&enc, &key).unwrap(), body);
}

#[test]
fn key_debug_is_redacted() {
    let key = PushEncryptionKey::from_bytes([0xab; 32]);
    let shown = format!("{key:?}");
    assert!(shown.contains("redacted"));
    assert!(!shown.contains("ab"));
}

proptest! {
    #[test]
    fn round_trip(body in proptest::collection::vec(any::<u8>(), 0..1000),
                  key in any::<[u8; 32]>(), nonce in any::<[u8; 24]>()) {
        let key = PushEncryptionKey::from_bytes(key);
        // Trailing zeros are indistinguishable from padding, as upstream.
        let end = body.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        let expected = &body[..end];
        let enc = encrypt_push_notification_padded(&body, &key, &nonce).unwrap();
        prop_assert_eq!((enc.len() - PUSH_NONCE_LEN - PUSH_TAG_LEN) % PUSH_PADDING_BLOCK, 0);
        prop_assert_eq!(decrypt_push_notification(&enc, &key).unwrap(), expected);
        let raw = encrypt_push_notification(&body, &key, &nonce).unwrap();
        prop_assert_eq!(decrypt_push_notification(&raw, &key).unwrap(), expected);
    }

    #[test]
    fn decrypt_arbitrary_bytes_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200),
                                            key in any::<[u8; 32]>()) {
        let _ = decrypt_push_notification(&data, &PushEncryptionKey::from_bytes(key));
    }
}
