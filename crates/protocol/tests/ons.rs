//! Known answer `ons_decrypt` from `vectors/session-protocol-encrypt.json`, plus round trips and
//! robustness checks for `session_protocol::ons`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::{json, Value};
use session_protocol::identity::SessionId;
use session_protocol::ons::{
    decrypt_ons_value, encrypt_ons_value, parse_name_hash, OnsError, OnsName, OnsResolveParams,
    OnsResolveResult, ONS_ENCRYPTED_VALUE_LEN,
};

fn vector() -> Value {
    let all: Value =
        serde_json::from_str(include_str!("vectors/session-protocol-encrypt.json")).unwrap();
    all["other_known_answers"]["ons_decrypt"].clone()
}

fn hex_field(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap()).unwrap()
}

#[test]
fn vector_decrypts_to_session_id() {
    let v = vector();
    let name = OnsName::parse(v["name"].as_str().unwrap()).unwrap();
    let sid =
        decrypt_ons_value(&name, &hex_field(&v, "ciphertext"), &hex_field(&v, "nonce")).unwrap();
    assert_eq!(sid.to_string(), v["result_session_id"].as_str().unwrap());
}

#[test]
fn vector_encrypts_byte_exact() {
    let v = vector();
    let name = OnsName::parse(v["name"].as_str().unwrap()).unwrap();
    let sid: SessionId = v["result_session_id"].as_str().unwrap().parse().unwrap();
    let nonce: [u8; 24] = hex_field(&v, "nonce").try_into().unwrap();
    let record = encrypt_ons_value(&name, &sid, &nonce).unwrap();
    assert_eq!(record.encrypted_value, hex_field(&v, "ciphertext"));
    assert_eq!(record.nonce, nonce);
}

#[test]
fn vector_as_oxend_response() {
    let v = vector();
    // The JSON shape oxend answers with (and the storage server forwards under "result").
    let response = json!({
        "encrypted_value": v["ciphertext"],
        "nonce": v["nonce"],
    });
    let result: OnsResolveResult = serde_json::from_value(response.clone()).unwrap();
    let name: OnsName = "TeSt".parse().unwrap();
    let sid = result.decrypt(&name).unwrap();
    assert_eq!(sid.to_string(), v["result_session_id"].as_str().unwrap());
    // A service node answers in the same shape.
    let nonce: [u8; 24] = hex_field(&v, "nonce").try_into().unwrap();
    let record = encrypt_ons_value(&name, &sid, &nonce).unwrap();
    let served = serde_json::to_value(OnsResolveResult::from_record(&record)).unwrap();
    assert_eq!(served, response);
}

#[test]
fn name_hash_known_answers() {
    // BLAKE2b-256("test"), computed independently with Python's hashlib.
    let name = OnsName::parse("Test").unwrap();
    assert_eq!(name.as_str(), "test");
    assert_eq!(
        hex::encode(name.name_hash()),
        "928b20366943e2afd11ebc0eae2e53a93bf177a4fcf35bcc64d503704e65e202"
    );
    assert_eq!(
        name.name_hash_base64(),
        "kosgNmlD4q/RHrwOri5TqTvxd6T881vMZNUDcE5l4gI="
    );
    let params = serde_json::to_value(OnsResolveParams::for_name(&name)).unwrap();
    assert_eq!(
        params,
        json!({"type": 0, "name_hash": "kosgNmlD4q/RHrwOri5TqTvxd6T881vMZNUDcE5l4gI="})
    );
    let hash = name.name_hash();
    assert_eq!(parse_name_hash(&name.name_hash_base64()).unwrap(), hash);
    assert_eq!(
        parse_name_hash(name.name_hash_base64().trim_end_matches('=')).unwrap(),
        hash
    );
    assert_eq!(parse_name_hash(&hex::encode(hash)).unwrap(), hash);
    assert_eq!(parse_name_hash("abc"), Err(OnsError::InvalidNameHash));
}

#[test]
fn name_rules() {
    for ok in ["a", "_", "a-b", "Session_User-1", &"x".repeat(64)] {
        assert!(OnsName::parse(ok).is_ok(), "{ok}");
    }
    assert_eq!(OnsName::parse(""), Err(OnsError::NameLength(0)));
    assert_eq!(
        OnsName::parse(&"x".repeat(65)),
        Err(OnsError::NameLength(65))
    );
    assert_eq!(OnsName::parse("-ab"), Err(OnsError::NameHyphenAtEdge));
    assert_eq!(OnsName::parse("ab-"), Err(OnsError::NameHyphenAtEdge));
    assert_eq!(OnsName::parse("a b"), Err(OnsError::NameCharacter(' ')));
    assert_eq!(OnsName::parse("ünï"), Err(OnsError::NameCharacter('ü')));
    assert_eq!(OnsName::parse("a.loki"), Err(OnsError::NameCharacter('.')));
}

#[test]
fn wrong_name_tampering_and_shapes_are_typed_errors() {
    let v = vector();
    let ct = hex_field(&v, "ciphertext");
    let nonce = hex_field(&v, "nonce");
    let other = OnsName::parse("tset").unwrap();
    assert_eq!(
        decrypt_ons_value(&other, &ct, &nonce),
        Err(OnsError::DecryptFailed)
    );
    let name = OnsName::parse("test").unwrap();
    for i in [0, 20, ct.len() - 1] {
        let mut broken = ct.clone();
        broken[i] ^= 0x10;
        assert_eq!(
            decrypt_ons_value(&name, &broken, &nonce),
            Err(OnsError::DecryptFailed)
        );
    }
    assert_eq!(
        decrypt_ons_value(&name, &ct, &nonce[..23]),
        Err(OnsError::NonceLength(23))
    );
    assert_eq!(
        decrypt_ons_value(&name, &ct[..48], &nonce),
        Err(OnsError::ValueLength(48))
    );
    let legacy = OnsResolveResult {
        encrypted_value: hex::encode(&ct),
        nonce: None,
    };
    assert_eq!(
        legacy.decrypt(&name),
        Err(OnsError::LegacyArgon2Unsupported)
    );
    let bad_hex = OnsResolveResult {
        encrypted_value: "zz".into(),
        nonce: Some(hex::encode(&nonce)),
    };
    assert_eq!(
        bad_hex.decrypt(&name),
        Err(OnsError::InvalidHex("encrypted_value"))
    );
}

#[test]
fn decrypted_value_must_be_a_session_id() {
    // A well-formed record whose 33-byte value starts with 15 instead of 05.
    use blake2::digest::consts::U32;
    use blake2::digest::Mac;
    use chacha20poly1305::aead::{Aead, KeyInit};
    use chacha20poly1305::{XChaCha20Poly1305, XNonce};
    let name = OnsName::parse("test").unwrap();
    let mut mac = <blake2::Blake2bMac<U32> as Mac>::new_from_slice(&name.name_hash()).unwrap();
    mac.update(b"test");
    let key = mac.finalize().into_bytes();
    let cipher = XChaCha20Poly1305::new(&key);
    let nonce = [7u8; 24];
    let mut value = [0x11u8; 33];
    value[0] = 0x15;
    let ct = cipher
        .encrypt(XNonce::from_slice(&nonce), value.as_slice())
        .unwrap();
    assert!(matches!(
        decrypt_ons_value(&name, &ct, &nonce),
        Err(OnsError::NotASessionId(_))
    ));
}

proptest! {
    #[test]
    fn round_trip(name in "[A-Za-z0-9_]([A-Za-z0-9_-]{0,62}[A-Za-z0-9_])?",
                  key in any::<[u8; 32]>(), nonce in any::<[u8; 24]>()) {
        let name = OnsName::parse(&name).unwrap();
        let sid = SessionId::from_x25519(key);
        let record = encrypt_ons_value(&name, &sid, &nonce).unwrap();
        prop_assert_eq!(record.encrypted_value.len(), ONS_ENCRYPTED_VALUE_LEN);
        prop_assert_eq!(decrypt_ons_value(&name, &record.encrypted_value, &record.nonce).unwrap(), sid);
        let upper = OnsName::parse(&name.as_str().to_ascii_uppercase()).unwrap();
        prop_assert_eq!(OnsResolveResult::from_record(&record).decrypt(&upper).unwrap(), sid);
    }

    #[test]
    fn decoders_never_panic(name in ".{0,80}", value in proptest::collection::vec(any::<u8>(), 0..80),
                            nonce in proptest::collection::vec(any::<u8>(), 0..40),
                            text in ".{0,100}", json in ".{0,120}") {
        let _ = parse_name_hash(&text);
        if let Ok(name) = OnsName::parse(&name) {
            let _ = decrypt_ons_value(&name, &value, &nonce);
            let result = OnsResolveResult { encrypted_value: text.clone(), nonce: Some(text) };
            let _ = result.decrypt(&name);
        }
        let _ = serde_json::from_str::<OnsResolveResult>(&json);
        let _ = serde_json::from_str::<OnsResolveParams>(&json);
    }
}
