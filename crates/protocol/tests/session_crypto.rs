//! Session-protocol encryption: the libsession deterministic vector, round trips, tampering,
//! padding.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use serde_json::Value;
use session_protocol::agreement::PreparedPublicKey;
use session_protocol::identity::{Keypair, Seed, SessionId};
use session_protocol::padding::{pad, padded_len, unpad};
use session_protocol::session_crypto::{
    decrypt_incoming, encrypt_for_prepared_recipient, encrypt_for_recipient,
    encrypt_for_recipient_deterministic, is_small_order, SessionCryptoError, INNER_OVERHEAD,
    SEAL_OVERHEAD,
};

fn vector() -> Value {
    serde_json::from_str(include_str!("vectors/session-protocol-encrypt.json")).unwrap()
}

fn keypair32(v: &Value) -> Keypair {
    let seed: [u8; 32] = hex::decode(v.as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    Keypair::from_seed32(&seed)
}

fn pair() -> (Keypair, Keypair) {
    (
        Keypair::from_seed(&Seed::from_bytes([1; 16])),
        Keypair::from_seed(&Seed::from_bytes([2; 16])),
    )
}

#[test]
fn deterministic_vector_is_byte_exact() {
    let v = vector();
    let sender = keypair32(&v["sender_seed32"]);
    let recipient = keypair32(&v["recipient_seed32"]);
    assert_eq!(hex::encode(sender.ed25519_public()), v["sender_ed25519_pk"]);
    assert_eq!(recipient.session_id().to_hex(), v["recipient_session_id"]);
    let to: SessionId = v["recipient_session_id"].as_str().unwrap().parse().unwrap();
    let plaintext = v["plaintext_ascii"].as_str().unwrap().as_bytes();

    let ct = encrypt_for_recipient_deterministic(&sender, &to, plaintext).unwrap();
    assert_eq!(ct.len() as u64, v["ciphertext_len"].as_u64().unwrap());
    assert_eq!(hex::encode(&ct), v["deterministic_ciphertext"]);
    assert_eq!(ct.len(), plaintext.len() + SEAL_OVERHEAD + INNER_OVERHEAD);

    let expected = hex::decode(v["deterministic_ciphertext"].as_str().unwrap()).unwrap();
    let opened = decrypt_incoming(&recipient, &expected).unwrap();
    assert_eq!(opened.message, plaintext);
    assert_eq!(opened.sender, sender.session_id());
    assert_eq!(opened.sender_ed25519, sender.ed25519_public());
}

#[test]
fn random_encryption_round_trips_and_differs() {
    let (alice, bob) = pair();
    for len in [0usize, 1, 159, 1024, 5000] {
        let message = pad(&vec![0x5a; len]);
        let a = encrypt_for_recipient(&alice, &bob.session_id(), &message).unwrap();
        let b = encrypt_for_recipient(&alice, &bob.session_id(), &message).unwrap();
        assert_ne!(a, b);
        assert_eq!(a.len(), message.len() + SEAL_OVERHEAD + INNER_OVERHEAD);
        for ct in [&a, &b] {
            let opened = decrypt_incoming(&bob, ct).unwrap();
            assert_eq!(opened.message, message);
            assert_eq!(unpad(&opened.message), vec![0x5a; len].as_slice());
            assert_eq!(opened.sender, alice.session_id());
        }
    }
    // Deterministic output is stable.
    let one = encrypt_for_recipient_deterministic(&alice, &bob.session_id(), b"x").unwrap();
    let two = encrypt_for_recipient_deterministic(&alice, &bob.session_id(), b"x").unwrap();
    assert_eq!(one, two);
}

#[test]
fn message_to_self_round_trips() {
    let (alice, _) = pair();
    let ct = encrypt_for_recipient(&alice, &alice.session_id(), b"note to self").unwrap();
    assert_eq!(
        decrypt_incoming(&alice, &ct).unwrap().message,
        b"note to self"
    );
}

#[test]
fn tampering_any_byte_is_rejected() {
    let (alice, bob) = pair();
    let ct = encrypt_for_recipient(&alice, &bob.session_id(), &pad(b"hello")).unwrap();
    for i in 0..ct.len() {
        let mut bad = ct.clone();
        bad[i] ^= 0x01;
        let err = decrypt_incoming(&bob, &bad).unwrap_err();
        assert_eq!(err, SessionCryptoError::CannotOpen, "byte {i}");
    }
}

#[test]
fn truncation_is_rejected() {
    let (alice, bob) = pair();
    let ct = encrypt_for_recipient(&alice, &bob.session_id(), &pad(b"hello")).unwrap();
    for len in 0..ct.len() {
        let err = decrypt_incoming(&bob, &ct[..len]).unwrap_err();
        if len < SEAL_OVERHEAD {
            assert_eq!(err, SessionCryptoError::TooShort { len });
        } else {
            assert_eq!(err, SessionCryptoError::CannotOpen);
        }
    }
}

#[test]
fn wrong_recipient_cannot_open() {
    let (alice, bob) = pair();
    let carol = Keypair::from_seed(&Seed::from_bytes([3; 16]));
    let ct = encrypt_for_recipient(&alice, &bob.session_id(), b"for bob").unwrap();
    assert_eq!(
        decrypt_incoming(&carol, &ct).unwrap_err(),
        SessionCryptoError::CannotOpen
    );
}

/// Seals an arbitrary inner payload to `to` the way a (malicious) sender could, using the
/// crypto_box reference sealed box.
fn seal_raw(to: &Keypair, inner: &[u8]) -> Vec<u8> {
    crypto_box::PublicKey::from(to.x25519_public())
        .seal(&mut rand_core::OsRng, inner)
        .unwrap()
}

/// Our sealed boxes open with the reference implementation's `crypto_box_seal_open`, whichever
/// route the agreement took (ladder-free Edwards form, or a prepared table).
#[test]
fn sealed_boxes_open_with_the_reference_implementation() {
    let (alice, bob) = pair();
    let bob_box = crypto_box::SecretKey::from_bytes(bob.x25519_secret().to_bytes());
    let prepared =
        PreparedPublicKey::with_table(x25519_dalek::PublicKey::from(bob.x25519_public()));
    assert!(prepared.has_table());
    for len in [1usize, 300] {
        let m = vec![0x41u8; len];
        let expected_inner = inner_for(&alice, alice.ed25519_public(), &bob, &m);
        for ct in [
            encrypt_for_recipient(&alice, &bob.session_id(), &m).unwrap(),
            encrypt_for_prepared_recipient(&alice, &bob.session_id(), &prepared, &m).unwrap(),
        ] {
            // Ed25519 signatures are deterministic, so the inner payload is known exactly.
            assert_eq!(bob_box.unseal(&ct).unwrap(), expected_inner);
            assert_eq!(decrypt_incoming(&bob, &ct).unwrap().message, m);
        }
    }
}

#[test]
fn a_prepared_key_must_be_the_recipients() {
    let (alice, bob) = pair();
    let carol = Keypair::from_seed(&Seed::from_bytes([3; 16]));
    let carols =
        PreparedPublicKey::with_table(x25519_dalek::PublicKey::from(carol.x25519_public()));
    assert_eq!(
        encrypt_for_prepared_recipient(&alice, &bob.session_id(), &carols, b"hi").unwrap_err(),
        SessionCryptoError::InvalidRecipientKey
    );
}

fn inner_for(signer: &Keypair, claimed_ed: [u8; 32], to: &Keypair, m: &[u8]) -> Vec<u8> {
    let mut signed = m.to_vec();
    signed.extend_from_slice(&claimed_ed);
    signed.extend_from_slice(&to.x25519_public());
    let sig = signer.sign(&signed);
    let mut inner = m.to_vec();
    inner.extend_from_slice(&claimed_ed);
    inner.extend_from_slice(&sig);
    inner
}

#[test]
fn inner_content_checks_have_typed_errors() {
    let (alice, bob) = pair();
    let mallory = Keypair::from_seed(&Seed::from_bytes([4; 16]));
    // Our own sealed box of a valid inner payload is accepted (the helper is faithful).
    let good = seal_raw(
        &bob,
        &inner_for(&alice, alice.ed25519_public(), &bob, b"hi"),
    );
    assert_eq!(decrypt_incoming(&bob, &good).unwrap().message, b"hi");

    // Signature by a different key than the one claimed.
    let forged = seal_raw(
        &bob,
        &inner_for(&mallory, alice.ed25519_public(), &bob, b"hi"),
    );
    assert_eq!(
        decrypt_incoming(&bob, &forged).unwrap_err(),
        SessionCryptoError::BadSignature
    );
    // Signature made for a different recipient (replayed to bob).
    let carol = Keypair::from_seed(&Seed::from_bytes([3; 16]));
    let replay = seal_raw(
        &bob,
        &inner_for(&alice, alice.ed25519_public(), &carol, b"hi"),
    );
    assert_eq!(
        decrypt_incoming(&bob, &replay).unwrap_err(),
        SessionCryptoError::BadSignature
    );
    // Inner content of exactly 96 bytes (no message) and less.
    for len in [0usize, 50, 96] {
        let short = seal_raw(&bob, &vec![7u8; len]);
        assert_eq!(
            decrypt_incoming(&bob, &short).unwrap_err(),
            SessionCryptoError::InnerTooShort { len }
        );
    }
    // A sender key that is not a curve point.
    let mut not_point = [0u8; 32];
    not_point[0] = 2;
    let bad_key = seal_raw(&bob, &inner_for(&alice, not_point, &bob, b"hi"));
    assert_eq!(
        decrypt_incoming(&bob, &bad_key).unwrap_err(),
        SessionCryptoError::BadSenderKey
    );
    // A small-order sender key.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    let weak = seal_raw(&bob, &inner_for(&alice, identity, &bob, b"hi"));
    assert_eq!(
        decrypt_incoming(&bob, &weak).unwrap_err(),
        SessionCryptoError::BadSenderKey
    );
}

#[test]
fn small_order_blocklist_is_right() {
    // The torsion points' u-coordinates and the non-canonical encodings of 0, 1 and -1 (p, p+1,
    // p-1) are blocked; each gives libsodium's all-zero shared secret.
    let scalar = [0x42u8; 32];
    let mut blocked: Vec<[u8; 32]> = curve25519_dalek::constants::EIGHT_TORSION
        .iter()
        .map(|p| p.to_montgomery().to_bytes())
        .collect();
    for low in [0xec, 0xed, 0xee] {
        let mut u = [0xffu8; 32];
        u[0] = low;
        u[31] = 0x7f;
        blocked.push(u);
    }
    for u in blocked {
        assert!(is_small_order(&u), "{}", hex::encode(u));
        let mut high = u;
        high[31] |= 0x80;
        assert!(is_small_order(&high));
        assert_eq!(
            x25519_dalek::x25519(scalar, u),
            [0u8; 32],
            "{}",
            hex::encode(u)
        );
    }
    let (alice, bob) = pair();
    assert!(!is_small_order(&alice.x25519_public()));
    assert!(!is_small_order(&bob.x25519_public()));
    let mut ct = encrypt_for_recipient(&alice, &bob.session_id(), b"x").unwrap();
    ct[..32].copy_from_slice(&[0u8; 32]);
    assert_eq!(
        decrypt_incoming(&bob, &ct).unwrap_err(),
        SessionCryptoError::CannotOpen
    );
    assert_eq!(
        encrypt_for_recipient(&alice, &SessionId::from_x25519([0; 32]), b"x").unwrap_err(),
        SessionCryptoError::InvalidRecipientKey
    );
}

#[test]
fn padding_lengths_and_round_trip() {
    assert_eq!(pad(&[1; 5]).len(), 159);
    assert_eq!(pad(&[1; 158]).len(), 159);
    assert_eq!(pad(&[1; 159]).len(), 319);
    assert_eq!(pad(&[]).len(), 159);
    for len in 0..2000usize {
        let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        let padded = pad(&plain);
        assert_eq!(padded.len(), padded_len(len));
        assert_eq!(padded.len(), 160 * (len + 2).div_ceil(160) - 1);
        assert_eq!(padded[len], 0x80);
        assert!(padded[len + 1..].iter().all(|&b| b == 0));
        assert_eq!(unpad(&padded), plain.as_slice());
    }
}

#[test]
fn unpad_is_desktop_tolerant() {
    // Plaintext that itself ends in zero bytes survives because 0x80 marks the real end.
    assert_eq!(unpad(&pad(&[1, 0, 0])), &[1, 0, 0]);
    // No 0x80 marker: passed through unchanged.
    assert_eq!(unpad(&[1, 2, 3, 0, 0]), &[1, 2, 3, 0, 0]);
    assert_eq!(unpad(&[0, 0]), &[0, 0]);
    assert_eq!(unpad(&[]), &[] as &[u8]);
    assert_eq!(unpad(&[0x80]), &[] as &[u8]);
}

proptest! {
    #[test]
    fn decrypt_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (_, bob) = pair();
        prop_assert!(decrypt_incoming(&bob, &bytes).is_err());
    }

    #[test]
    fn decrypt_arbitrary_sealed_inner_never_panics(inner in proptest::collection::vec(any::<u8>(), 0..300)) {
        let (_, bob) = pair();
        let _ = decrypt_incoming(&bob, &seal_raw(&bob, &inner));
    }

    #[test]
    fn unpad_never_panics_and_is_a_prefix(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let out = unpad(&bytes);
        prop_assert!(bytes.starts_with(out));
    }

    #[test]
    fn pad_round_trip(bytes in proptest::collection::vec(any::<u8>(), 0..700)) {
        let padded = pad(&bytes);
        prop_assert_eq!(unpad(&padded), bytes.as_slice());
    }
}
