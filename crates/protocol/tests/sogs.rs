//! Known answers from `vectors/sogs-auth.json` plus round trips and robustness checks for
//! `session_protocol::sogs`.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ed25519_dalek::{Signature, SigningKey, Verifier, VerifyingKey};
use proptest::prelude::*;
use serde_json::Value;
use session_protocol::sogs::{
    blind15_factor, blinded15_id_from_session_id, blinded15_ids_from_session_id,
    session_id_matches_blinded_id, sign_request, verify_request, AuthKind, Blind15KeyPair,
    Blinded15Id, SogsAuthHeaders, SogsError, SogsPubkey, SogsRequest,
};

struct Vector {
    v: Value,
    key: SigningKey,
    server_pk: [u8; 32],
    nonce: [u8; 16],
}

fn vector() -> Vector {
    let v: Value = serde_json::from_str(include_str!("vectors/sogs-auth.json")).unwrap();
    let seed: [u8; 32] = hex::decode(v["ed25519_seed"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let server_pk = hex::decode(v["server_pubkey"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let nonce = STANDARD
        .decode(v["nonce_b64"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    Vector {
        key: SigningKey::from_bytes(&seed),
        v,
        server_pk,
        nonce,
    }
}

fn session_id_of(key: &SigningKey) -> [u8; 33] {
    let mut sid = [0u8; 33];
    sid[0] = 0x05;
    sid[1..].copy_from_slice(&key.verifying_key().to_montgomery().to_bytes());
    sid
}

impl Vector {
    fn request<'a>(&'a self, body: &'a [u8]) -> SogsRequest<'a> {
        SogsRequest {
            server_pubkey: &self.server_pk,
            nonce: &self.nonce,
            timestamp: self.v["timestamp"].as_u64().unwrap(),
            method: self.v["method"].as_str().unwrap(),
            path: self.v["path"].as_str().unwrap(),
            body,
        }
    }

    fn body(&self) -> &[u8] {
        self.v["body_utf8_for_with_body_cases"]
            .as_str()
            .unwrap()
            .as_bytes()
    }

    fn str(&self, section: &str, field: &str) -> &str {
        self.v[section][field].as_str().unwrap()
    }
}

#[test]
fn vector_keys_and_session_id() {
    let t = vector();
    assert_eq!(
        hex::encode(t.key.verifying_key().to_bytes()),
        t.v["ed25519_pk"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(session_id_of(&t.key)),
        t.v["session_id_computed"].as_str().unwrap()
    );
}

#[test]
fn vector_blinded_headers_byte_exact() {
    let t = vector();
    for (body, field) in [
        (&b""[..], "X-SOGS-Signature_no_body"),
        (t.body(), "X-SOGS-Signature_with_body"),
    ] {
        let headers = sign_request(&t.key, AuthKind::Blinded15, &t.request(body));
        assert_eq!(headers.pubkey, t.str("blinded", "X-SOGS-Pubkey"));
        assert_eq!(headers.signature, t.str("blinded", field), "{field}");
        assert_eq!(headers.nonce, t.v["X-SOGS-Nonce"].as_str().unwrap());
        assert_eq!(headers.timestamp, t.v["X-SOGS-Timestamp"].as_str().unwrap());
    }
}

#[test]
fn vector_unblinded_headers_byte_exact() {
    let t = vector();
    for (body, field) in [
        (&b""[..], "X-SOGS-Signature_no_body"),
        (t.body(), "X-SOGS-Signature_with_body"),
    ] {
        let headers = sign_request(&t.key, AuthKind::Unblinded, &t.request(body));
        assert_eq!(headers.pubkey, t.str("unblinded", "X-SOGS-Pubkey"));
        assert_eq!(headers.signature, t.str("unblinded", field), "{field}");
        assert_eq!(headers.nonce, t.v["X-SOGS-Nonce"].as_str().unwrap());
        assert_eq!(headers.timestamp, t.v["X-SOGS-Timestamp"].as_str().unwrap());
    }
}

#[test]
fn vector_blinded_signature_verifies_as_plain_ed25519() {
    let t = vector();
    let blinded: SogsPubkey = t.str("blinded", "X-SOGS-Pubkey").parse().unwrap();
    let key = VerifyingKey::from_bytes(blinded.key()).unwrap();
    for (body, field) in [
        (&b""[..], "X-SOGS-Signature_no_body"),
        (t.body(), "X-SOGS-Signature_with_body"),
    ] {
        let sig: [u8; 64] = STANDARD
            .decode(t.str("blinded", field))
            .unwrap()
            .try_into()
            .unwrap();
        let msg = t.request(body).signing_message();
        key.verify_strict(&msg, &Signature::from_bytes(&sig))
            .unwrap();
        key.verify(&msg, &Signature::from_bytes(&sig)).unwrap();
        // And not for a different message.
        assert!(key.verify(b"other", &Signature::from_bytes(&sig)).is_err());
    }
}

#[test]
fn vector_headers_verify_server_side() {
    let t = vector();
    for kind in ["blinded", "unblinded"] {
        for (body, field) in [
            (&b""[..], "X-SOGS-Signature_no_body"),
            (t.body(), "X-SOGS-Signature_with_body"),
        ] {
            let headers = SogsAuthHeaders {
                pubkey: t.str(kind, "X-SOGS-Pubkey").to_owned(),
                nonce: t.v["X-SOGS-Nonce"].as_str().unwrap().to_owned(),
                timestamp: t.v["X-SOGS-Timestamp"].as_str().unwrap().to_owned(),
                signature: t.str(kind, field).to_owned(),
            };
            let method = t.v["method"].as_str().unwrap();
            let path = t.v["path"].as_str().unwrap();
            let ok = verify_request(&headers, &t.server_pk, method, path, body).unwrap();
            assert_eq!(ok.pubkey.to_string(), headers.pubkey);
            assert_eq!(ok.nonce, t.nonce);
            assert_eq!(ok.timestamp, 1642472103);
            // Any change to what was signed fails.
            assert_eq!(
                verify_request(&headers, &t.server_pk, "POST", path, body),
                Err(SogsError::BadSignature)
            );
            assert_eq!(
                verify_request(&headers, &t.server_pk, method, "/room/x", body),
                Err(SogsError::BadSignature)
            );
            assert_eq!(
                verify_request(&headers, &t.server_pk, method, path, b"tampered"),
                Err(SogsError::BadSignature)
            );
            let mut later = headers.clone();
            later.timestamp = "1642472104".into();
            assert_eq!(
                verify_request(&later, &t.server_pk, method, path, body),
                Err(SogsError::BadSignature)
            );
            let mut padded = headers.clone();
            padded.timestamp = "01642472103".into();
            assert_eq!(
                verify_request(&padded, &t.server_pk, method, path, body),
                Err(SogsError::BadSignature)
            );
        }
    }
}

#[test]
fn vector_blinded_id_from_session_id_matches() {
    let t = vector();
    let sid: [u8; 33] = hex::decode(t.v["session_id_computed"].as_str().unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let blinded: Blinded15Id = t.str("blinded", "X-SOGS-Pubkey").parse().unwrap();
    let candidates = blinded15_ids_from_session_id(&sid, &t.server_pk).unwrap();
    assert!(candidates.contains(&blinded));
    assert_ne!(candidates[0], candidates[1]);
    assert_eq!(
        candidates[0],
        blinded15_id_from_session_id(&sid, &t.server_pk).unwrap()
    );
    assert!(session_id_matches_blinded_id(&sid, &blinded, &t.server_pk));

    // Our own key pair agrees with the id seen from outside.
    let pair = Blind15KeyPair::derive(&t.key, &t.server_pk);
    assert_eq!(pair.blinded_id(), blinded);
    assert_eq!(
        pair.blinded_id().to_string(),
        t.str("blinded", "X-SOGS-Pubkey")
    );

    // Another Session ID, or another server, does not match.
    let other = session_id_of(&SigningKey::from_bytes(&[0x42; 32]));
    assert!(!session_id_matches_blinded_id(
        &other,
        &blinded,
        &t.server_pk
    ));
    let mut other_server = t.server_pk;
    other_server[0] ^= 1;
    assert!(!session_id_matches_blinded_id(
        &sid,
        &blinded,
        &other_server
    ));
}

#[test]
fn blinding_factor_is_reduced_blake2b() {
    let t = vector();
    // k·(a·B) == (k·a)·B: the id from our Ed25519 public key equals our own blinded key.
    let k = blind15_factor(&t.server_pk);
    let a_big = t.key.verifying_key().to_edwards();
    let pair = Blind15KeyPair::derive(&t.key, &t.server_pk);
    assert_eq!((k * a_big).compress().to_bytes(), *pair.public_key());
}

#[test]
fn blinded_id_parsing_and_errors() {
    let t = vector();
    let text = t.str("blinded", "X-SOGS-Pubkey");
    let id: Blinded15Id = text.parse().unwrap();
    assert_eq!(Blinded15Id::from_bytes(&id.to_bytes()).unwrap(), id);
    assert_eq!(Blinded15Id::from_pubkey(*id.pubkey()), id);
    assert!(format!("{id:?}").contains(text));
    let unblinded = t.str("unblinded", "X-SOGS-Pubkey");
    assert_eq!(
        unblinded.parse::<Blinded15Id>(),
        Err(SogsError::InvalidBlindedId(66))
    );
    assert_eq!(
        "15zz".parse::<Blinded15Id>(),
        Err(SogsError::InvalidBlindedId(4))
    );
    assert_eq!(
        Blinded15Id::from_bytes(&[0x15; 10]),
        Err(SogsError::InvalidBlindedId(10))
    );

    let mut not_05 = [0u8; 33];
    not_05[0] = 0x15;
    assert_eq!(
        blinded15_id_from_session_id(&not_05, &t.server_pk),
        Err(SogsError::NotASessionId(0x15))
    );
    // u = 0 is a small-order point: unusable.
    let mut small = [0u8; 33];
    small[0] = 0x05;
    assert_eq!(
        blinded15_id_from_session_id(&small, &t.server_pk),
        Err(SogsError::UnusableSessionIdKey)
    );
    assert!(!session_id_matches_blinded_id(&small, &id, &t.server_pk));
}

#[test]
fn header_parse_errors() {
    let t = vector();
    let good = sign_request(&t.key, AuthKind::Blinded15, &t.request(b""));
    let check = |mutate: &dyn Fn(&mut SogsAuthHeaders), want: SogsError| {
        let mut h = good.clone();
        mutate(&mut h);
        assert_eq!(
            verify_request(&h, &t.server_pk, "GET", t.v["path"].as_str().unwrap(), b""),
            Err(want)
        );
    };
    check(
        &|h| h.pubkey = "05".repeat(33),
        SogsError::InvalidPubkeyHeader,
    );
    check(&|h| h.pubkey.truncate(10), SogsError::InvalidPubkeyHeader);
    check(&|h| h.nonce = "short".into(), SogsError::InvalidNonceHeader);
    check(
        &|h| h.timestamp = "-5".into(),
        SogsError::InvalidTimestampHeader,
    );
    check(
        &|h| h.timestamp = "99999999999999999999999".into(),
        SogsError::InvalidTimestampHeader,
    );
    check(
        &|h| h.signature = "AAAA".into(),
        SogsError::InvalidSignatureHeader,
    );
    // The same nonce in hex is accepted (session-pysogs accepts both).
    let mut hex_nonce = good.clone();
    hex_nonce.nonce = hex::encode(t.nonce);
    assert!(verify_request(
        &hex_nonce,
        &t.server_pk,
        "GET",
        t.v["path"].as_str().unwrap(),
        b""
    )
    .is_ok());
    assert_eq!(good.pairs()[0], ("X-SOGS-Pubkey", good.pubkey.as_str()));
}

#[test]
fn key_pair_debug_is_redacted() {
    let t = vector();
    let pair = Blind15KeyPair::derive(&t.key, &t.server_pk);
    let shown = format!("{pair:?}");
    assert!(shown.contains("<redacted>"));
    assert!(shown.contains(&hex::encode(pair.public_key())));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn signed_requests_verify(seed in any::<[u8; 32]>(), server in any::<[u8; 32]>(),
                              nonce in any::<[u8; 16]>(), ts in 0u64..4_000_000_000,
                              path in "/[ -~]{0,60}", body in proptest::collection::vec(any::<u8>(), 0..100),
                              blinded in any::<bool>()) {
        let key = SigningKey::from_bytes(&seed);
        let kind = if blinded { AuthKind::Blinded15 } else { AuthKind::Unblinded };
        let req = SogsRequest { server_pubkey: &server, nonce: &nonce, timestamp: ts,
                                method: "POST", path: &path, body: &body };
        let headers = sign_request(&key, kind, &req);
        let ok = verify_request(&headers, &server, "POST", &path, &body).unwrap();
        prop_assert_eq!(ok.timestamp, ts);
        if blinded {
            // The blinded id seen from our Session ID matches the key we signed with.
            let id: Blinded15Id = headers.pubkey.parse().unwrap();
            prop_assert!(session_id_matches_blinded_id(&session_id_of(&key), &id, &server));
            let sig: [u8; 64] = STANDARD.decode(&headers.signature).unwrap().try_into().unwrap();
            let vk = VerifyingKey::from_bytes(id.pubkey()).unwrap();
            prop_assert!(vk.verify(&req.signing_message(), &Signature::from_bytes(&sig)).is_ok());
        }
    }

    #[test]
    fn parsers_never_panic(s in ".{0,100}", bytes in proptest::collection::vec(any::<u8>(), 0..40),
                           sid in any::<[u8; 32]>(), server in any::<[u8; 32]>()) {
        let _ = s.parse::<Blinded15Id>();
        let _ = s.parse::<SogsPubkey>();
        let _ = Blinded15Id::from_bytes(&bytes);
        let headers = SogsAuthHeaders { pubkey: s.clone(), nonce: s.clone(), timestamp: s.clone(),
                                        signature: s.clone() };
        let _ = verify_request(&headers, &server, "GET", &s, &bytes);
        let mut full = [0x05u8; 33];
        full[1..].copy_from_slice(&sid);
        let _ = blinded15_ids_from_session_id(&full, &server);
        let hex_id = format!("15{}", hex::encode(sid));
        let id: Blinded15Id = hex_id.parse().unwrap();
        let _ = session_id_matches_blinded_id(&full, &id, &server);
    }

    #[test]
    fn verify_arbitrary_header_values_never_panics(pk in "(00|15|05)[0-9a-f]{64}",
                                                   nonce in "[A-Za-z0-9+/=]{22,24}",
                                                   ts in "[0-9]{1,12}",
                                                   sig in "[A-Za-z0-9+/]{86}==") {
        let headers = SogsAuthHeaders { pubkey: pk, nonce, timestamp: ts, signature: sig };
        prop_assert!(verify_request(&headers, &[1u8; 32], "GET", "/", b"").is_err());
    }
}
