//! Identity: key derivation vectors (libsession), Session ID parsing, signatures.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use std::str::FromStr;

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::identity::{
    ed25519_pk_to_x25519, verify_ed25519, IdentityError, Keypair, Seed, SessionId,
};

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/ed25519-x25519.json")).unwrap()
}

fn hex32(v: &Value) -> [u8; 32] {
    hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

#[test]
fn keypairs_from_seed32_match_libsession() {
    let v = vectors();
    let cases = v["keypairs"].as_array().unwrap();
    assert_eq!(cases.len(), 2);
    for case in cases {
        let kp = Keypair::from_seed32(&hex32(&case["seed"]));
        assert_eq!(hex::encode(kp.ed25519_public()), case["ed25519_pk"]);
        assert_eq!(hex::encode(*kp.ed25519_secret64()), case["ed25519_sk64"]);
        assert_eq!(
            hex::encode(kp.x25519_secret().to_bytes()),
            case["x25519_sk_from_ed_sk"]
        );
        assert_eq!(hex::encode(kp.seed32()), case["seed"]);
        // The X25519 public key from the secret equals the birational image of the Ed25519 key.
        assert_eq!(
            ed25519_pk_to_x25519(&kp.ed25519_public()).unwrap(),
            kp.x25519_public()
        );
        if let Some(sig) = case.get("sign_hello") {
            let ours = kp.sign(b"hello");
            assert_eq!(hex::encode(ours), sig.as_str().unwrap());
            verify_ed25519(&kp.ed25519_public(), b"hello", &ours).unwrap();
        }
    }
}

#[test]
fn ed_to_x25519_vectors() {
    let v = vectors();
    for case in v["ed_pk_to_x25519_pk"].as_array().unwrap() {
        let x = ed25519_pk_to_x25519(&hex32(&case["ed25519_pk"])).unwrap();
        assert_eq!(hex::encode(x), case["x25519_pk"]);
    }
}

#[test]
fn session_ids_from_padded_seeds() {
    let v = vectors();
    for case in v["session_ids_from_padded_seeds"].as_array().unwrap() {
        let seed32 = hex32(&case["seed32"]);
        assert_eq!(seed32[16..], [0u8; 16]);
        let seed16: [u8; 16] = seed32[..16].try_into().unwrap();
        let from16 = Keypair::from_seed(&Seed::from_bytes(seed16));
        let from32 = Keypair::from_seed32(&seed32);
        for kp in [&from16, &from32] {
            assert_eq!(hex::encode(kp.ed25519_public()), case["ed25519_pk"]);
            assert_eq!(kp.session_id().to_hex(), case["session_id"]);
            assert_eq!(kp.session_id().to_string(), case["session_id"]);
        }
        let parsed: SessionId = case["session_id"].as_str().unwrap().parse().unwrap();
        assert_eq!(parsed, from16.session_id());
        assert_eq!(parsed.to_bytes()[0], 0x05);
        assert_eq!(parsed.to_bytes()[1..], from16.x25519_public());
        assert_eq!(parsed.x25519_public(), from16.x25519_public());
    }
}

#[test]
fn session_id_parse_tolerates_whitespace_and_uppercase() {
    let id = "05d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
    let expected = SessionId::from_str(id).unwrap();
    assert_eq!(
        SessionId::from_str(&format!("  {}\n", id.to_uppercase())).unwrap(),
        expected
    );
    assert_eq!(
        SessionId::from_bytes(&expected.to_bytes()).unwrap(),
        expected
    );
    let json = serde_json::to_string(&expected).unwrap();
    assert_eq!(json, format!("\"{id}\""));
    assert_eq!(serde_json::from_str::<SessionId>(&json).unwrap(), expected);
}

#[test]
fn session_id_parse_errors_say_what_is_wrong() {
    let body = "d2ad010eeb72d72e561d9de7bd7b6989af77dcabffa03a5111a6c859ae5c3a72";
    let err = SessionId::from_str(&format!("05{}", &body[..63])).unwrap_err();
    assert_eq!(err, IdentityError::SessionIdLength { found: 65 });
    assert!(err.to_string().contains("66"), "{err}");
    assert!(err.to_string().contains("65"), "{err}");

    let err = SessionId::from_str("").unwrap_err();
    assert_eq!(err, IdentityError::SessionIdLength { found: 0 });

    let bad = format!("05{}g{}", &body[..9], &body[10..]);
    let err = SessionId::from_str(&bad).unwrap_err();
    assert_eq!(
        err,
        IdentityError::SessionIdNotHex {
            position: 12,
            character: 'g'
        }
    );
    assert!(err.to_string().contains("'g'"), "{err}");
    assert!(err.to_string().contains("12"), "{err}");

    // A non-ASCII character counts as one character, not as its UTF-8 bytes.
    let bad = format!("05{}é{}", &body[..9], &body[10..]);
    assert_eq!(
        SessionId::from_str(&bad).unwrap_err(),
        IdentityError::SessionIdNotHex {
            position: 12,
            character: 'é'
        }
    );

    for (prefix, words) in [
        ("15", "blinded community id"),
        ("25", "blinded community id"),
        ("03", "group id"),
        ("00", "unblinded"),
        ("ff", "not any kind"),
    ] {
        let err = SessionId::from_str(&format!("{prefix}{body}")).unwrap_err();
        let message = err.to_string();
        assert!(
            matches!(err, IdentityError::SessionIdPrefix { prefix: ref p, .. } if p == prefix),
            "{message}"
        );
        assert!(
            message.contains(&format!("starts with {prefix}")),
            "{message}"
        );
        assert!(message.contains(words), "{message}");
    }
    assert_eq!(
        SessionId::from_bytes(&[5u8; 32]).unwrap_err(),
        IdentityError::SessionIdByteLength { found: 32 }
    );
    let mut group = [3u8; 33];
    assert!(matches!(
        SessionId::from_bytes(&group).unwrap_err(),
        IdentityError::SessionIdPrefix { .. }
    ));
    group[0] = 5;
    assert!(SessionId::from_bytes(&group).is_ok());
}

#[test]
fn seeds_round_trip_and_differ() {
    let a = Seed::generate();
    let b = Seed::generate();
    assert_ne!(a.as_bytes(), b.as_bytes());
    let again = Seed::from_bytes(*a.as_bytes());
    assert_eq!(
        Keypair::from_seed(&a).session_id(),
        Keypair::from_seed(&again).session_id()
    );
    let (seed, kp) = Keypair::generate();
    assert_eq!(
        Keypair::from_seed(&seed).ed25519_public(),
        kp.ed25519_public()
    );
}

#[test]
fn debug_output_hides_secrets() {
    let seed = Seed::from_bytes([0xab; 16]);
    let kp = Keypair::from_seed(&seed);
    let seed_dbg = format!("{seed:?}");
    assert!(seed_dbg.contains("redacted"));
    assert!(!seed_dbg.contains("ab"));
    let kp_dbg = format!("{kp:?}");
    assert!(kp_dbg.contains("redacted"));
    assert!(!kp_dbg.contains(&hex::encode(kp.seed32())));
    assert!(!kp_dbg.contains(&hex::encode(kp.x25519_secret().to_bytes())));
}

#[test]
fn signatures_verify_and_reject() {
    let kp = Keypair::from_seed(&Seed::from_bytes([7; 16]));
    let other = Keypair::from_seed(&Seed::from_bytes([8; 16]));
    let sig = kp.sign(b"message");
    verify_ed25519(&kp.ed25519_public(), b"message", &sig).unwrap();
    assert_eq!(
        verify_ed25519(&kp.ed25519_public(), b"messagf", &sig),
        Err(IdentityError::BadSignature)
    );
    assert_eq!(
        verify_ed25519(&other.ed25519_public(), b"message", &sig),
        Err(IdentityError::BadSignature)
    );
    let mut bad = sig;
    bad[10] ^= 1;
    assert!(verify_ed25519(&kp.ed25519_public(), b"message", &bad).is_err());
}

#[test]
fn ed_to_x25519_rejects_bad_points() {
    // y = 2 is not on the curve.
    let mut not_a_point = [0u8; 32];
    not_a_point[0] = 2;
    assert_eq!(
        ed25519_pk_to_x25519(&not_a_point),
        Err(IdentityError::InvalidEd25519Key)
    );
    // The identity point (y = 1) has small order.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    assert_eq!(
        ed25519_pk_to_x25519(&identity),
        Err(IdentityError::InvalidEd25519Key)
    );
    // A valid key plus a torsion point: on the curve, but not in the prime-order subgroup.
    use curve25519_dalek::edwards::CompressedEdwardsY;
    let kp = Keypair::from_seed(&Seed::from_bytes([9; 16]));
    let a = CompressedEdwardsY(kp.ed25519_public())
        .decompress()
        .unwrap();
    let torsion = curve25519_dalek::constants::EIGHT_TORSION[1];
    let mixed = (a + torsion).compress().to_bytes();
    assert_eq!(
        ed25519_pk_to_x25519(&mixed),
        Err(IdentityError::InvalidEd25519Key)
    );
}

proptest! {
    #[test]
    fn session_id_from_str_never_panics(s in "\\PC*") {
        let _ = SessionId::from_str(&s);
    }

    #[test]
    fn session_id_from_near_hex_never_panics(s in "[0-9a-fA-Fg \u{e9}]{60,70}") {
        if let Ok(id) = SessionId::from_str(&s) {
            prop_assert_eq!(id.to_hex(), s.trim().to_lowercase());
        }
    }

    #[test]
    fn session_id_hex_round_trip(pk in any::<[u8; 32]>()) {
        let id = SessionId::from_x25519(pk);
        prop_assert_eq!(SessionId::from_str(&id.to_hex()).unwrap(), id);
    }

    #[test]
    fn ed_to_x25519_never_panics(bytes in any::<[u8; 32]>()) {
        let _ = ed25519_pk_to_x25519(&bytes);
    }
}
