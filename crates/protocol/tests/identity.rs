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

/// A signature whose R is the identity point (small order) and whose S = k·a satisfies the
/// cofactorless equation `[S]B = R + [k]A` without any knowledge a forger lacks for R; strict
/// verification (libsodium's, ours) must refuse it.
fn identity_r_signature(kp: &Keypair, msg: &[u8]) -> [u8; 64] {
    use curve25519_dalek::scalar::Scalar;
    use sha2::{Digest, Sha512};
    let signing = ed25519_dalek::SigningKey::from_bytes(kp.seed32());
    let a = signing.to_scalar();
    let mut r = [0u8; 32];
    r[0] = 1; // (0, 1), the identity
    let mut h = Sha512::new();
    h.update(r);
    h.update(kp.ed25519_public());
    h.update(msg);
    let k = Scalar::from_bytes_mod_order_wide(&h.finalize().into());
    let mut sig = [0u8; 64];
    sig[..32].copy_from_slice(&r);
    sig[32..].copy_from_slice((k * a).as_bytes());
    sig
}

#[test]
fn small_order_r_is_refused_even_when_the_equation_holds() {
    use ed25519_dalek::Verifier;
    let kp = Keypair::from_seed(&Seed::from_bytes([9; 16]));
    let sig = identity_r_signature(&kp, b"forged");
    let key = ed25519_dalek::VerifyingKey::from_bytes(&kp.ed25519_public()).unwrap();
    // The lenient check accepts it: the test really exercises the small-order refusal.
    key.verify(b"forged", &ed25519_dalek::Signature::from_bytes(&sig))
        .unwrap();
    assert_eq!(
        verify_ed25519(&kp.ed25519_public(), b"forged", &sig),
        Err(IdentityError::BadSignature)
    );
    let signer = session_protocol::rpc::verify::SignerKey::new(&kp.ed25519_public()).unwrap();
    assert!(!signer.verifies(b"forged", &sig));
}

#[test]
fn small_order_keys_verify_nothing() {
    let identity = {
        let mut k = [0u8; 32];
        k[0] = 1;
        k
    };
    assert!(session_protocol::rpc::verify::SignerKey::new(&identity).is_none());
    let mut sig = [0u8; 64];
    sig[0] = 1;
    assert!(verify_ed25519(&identity, b"anything", &sig).is_err());
}

proptest! {
    /// Our verification accepts exactly what `verify_strict` accepts, for valid signatures and
    /// for signatures with a byte changed, R swapped for a small-order point or S pushed out of
    /// canonical range.
    #[test]
    fn verification_agrees_with_verify_strict(
        seed in any::<[u8; 16]>(),
        msg in proptest::collection::vec(any::<u8>(), 0..64),
        flip in 0usize..64,
        xor in any::<u8>(),
        variant in 0u8..4,
    ) {
        let kp = Keypair::from_seed(&Seed::from_bytes(seed));
        let mut sig = kp.sign(&msg);
        match variant {
            0 => {}
            1 => sig[flip] ^= xor,
            2 => {
                let small = curve25519_dalek::constants::EIGHT_TORSION[flip % 8].compress();
                sig[..32].copy_from_slice(small.as_bytes());
            }
            _ => {
                // S + l (still < 2^256 for S < 2^253): the same scalar, non-canonical bytes.
                // l = 2^252 + 27742317777372353535851937790883648493, little-endian.
                let l: [u8; 32] = hex::decode(
                    "edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010",
                )
                .unwrap()
                .try_into()
                .unwrap();
                let mut carry = 0u16;
                for i in 0..32 {
                    let v = u16::from(sig[32 + i]) + u16::from(l[i]) + carry;
                    sig[32 + i] = v as u8;
                    carry = v >> 8;
                }
            }
        }
        let key = ed25519_dalek::VerifyingKey::from_bytes(&kp.ed25519_public()).unwrap();
        let strict = key
            .verify_strict(&msg, &ed25519_dalek::Signature::from_bytes(&sig))
            .is_ok();
        prop_assert_eq!(verify_ed25519(&kp.ed25519_public(), &msg, &sig).is_ok(), strict);
        let signer = session_protocol::rpc::verify::SignerKey::new(&kp.ed25519_public()).unwrap();
        prop_assert_eq!(signer.verifies(&msg, &sig), strict);
        if variant == 0 {
            prop_assert!(strict);
        }
    }
}
