//! `session_protocol::multi_encrypt`: every case of `vectors/wave2/multi-encrypt.json`, plus the
//! "simple" encoding's padding and malformed-input handling.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use session_protocol::identity::Keypair;
use session_protocol::multi_encrypt::{
    decrypt_for_multiple, decrypt_for_multiple_simple, encrypt_for_multiple,
    encrypt_for_multiple_simple, MultiEncryptError, MULTI_ENCRYPT_OVERHEAD,
};

fn vectors() -> Value {
    let path = format!(
        "{}/tests/vectors/wave2/multi-encrypt.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

struct Setup {
    keys: Vec<Keypair>,
    sender: usize,
    recipients: Vec<usize>,
    domain: String,
    nonce: [u8; 24],
}

fn setup(v: &Value) -> Setup {
    let keys: Vec<Keypair> = v["x25519_seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let seed: [u8; 32] = hex::decode(s.as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            Keypair::from_seed32(&seed)
        })
        .collect();
    for (kp, pk) in keys.iter().zip(v["x25519_pubkeys"].as_array().unwrap()) {
        assert_eq!(hex::encode(kp.x25519_public()), pk.as_str().unwrap());
    }
    Setup {
        keys,
        sender: usize::try_from(v["sender_index"].as_u64().unwrap()).unwrap(),
        recipients: v["recipients_index"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| usize::try_from(i.as_u64().unwrap()).unwrap())
            .collect(),
        domain: v["domain"].as_str().unwrap().to_owned(),
        nonce: hex::decode(v["nonce"].as_str().unwrap())
            .unwrap()
            .try_into()
            .unwrap(),
    }
}

fn messages(case: &Value) -> Vec<Vec<u8>> {
    case["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().as_bytes().to_vec())
        .collect()
}

#[test]
fn vector_cases() {
    let v = vectors();
    let s = setup(&v);
    let sender = &s.keys[s.sender];
    let sender_pk = sender.x25519_public();
    let recipient_pks: Vec<[u8; 32]> = s
        .recipients
        .iter()
        .map(|&i| s.keys[i].x25519_public())
        .collect();
    let domain = s.domain.as_bytes();
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3);
    for (ci, case) in cases.iter().enumerate() {
        let msgs = messages(case);
        let refs: Vec<&[u8]> = msgs.iter().map(Vec::as_slice).collect();
        if let Some(encoded_hex) = case["encoded_hex"].as_str() {
            // The "simple" bencoded form with an explicit nonce, byte for byte.
            let encoded = encrypt_for_multiple_simple(
                &refs,
                &recipient_pks,
                sender.x25519_secret(),
                domain,
                Some(&s.nonce),
                0,
            )
            .unwrap();
            assert_eq!(hex::encode(&encoded), encoded_hex, "case {ci}");
            for (ri, &r) in s.recipients.iter().enumerate() {
                let got = decrypt_for_multiple_simple(
                    &encoded,
                    s.keys[r].x25519_secret(),
                    &sender_pk,
                    domain,
                )
                .unwrap();
                assert_eq!(got, msgs[ri], "case {ci} recipient {r}");
            }
            continue;
        }
        let expected: Vec<String> = case["ciphertexts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect();
        let cts = encrypt_for_multiple(
            &refs,
            &recipient_pks,
            &s.nonce,
            sender.x25519_secret(),
            domain,
        )
        .unwrap();
        let cts_hex: Vec<String> = cts.iter().map(hex::encode).collect();
        assert_eq!(cts_hex, expected, "case {ci}");
        for c in &cts {
            assert_eq!(c.len(), msgs[0].len() + MULTI_ENCRYPT_OVERHEAD);
        }
        // Each recipient finds its own copy among all of them.
        for (ri, &r) in s.recipients.iter().enumerate() {
            let got = decrypt_for_multiple(
                cts.iter().map(Vec::as_slice),
                &s.nonce,
                s.keys[r].x25519_secret(),
                &sender_pk,
                domain,
            )
            .unwrap();
            let want = if msgs.len() == 1 { &msgs[0] } else { &msgs[ri] };
            assert_eq!(&got, want, "case {ci} recipient {r}");
        }
        if case.get("decrypt_with_domain_'not test suite'").is_some() {
            let r = s.recipients[0];
            assert_eq!(
                decrypt_for_multiple(
                    cts.iter().map(Vec::as_slice),
                    &s.nonce,
                    s.keys[r].x25519_secret(),
                    &sender_pk,
                    b"not test suite",
                ),
                Err(MultiEncryptError::NotForUs)
            );
        }
        if case.get("recipient_4_(not a recipient)").is_some() {
            assert_eq!(
                decrypt_for_multiple(
                    cts.iter().map(Vec::as_slice),
                    &s.nonce,
                    s.keys[4].x25519_secret(),
                    &sender_pk,
                    domain,
                ),
                Err(MultiEncryptError::NotForUs)
            );
        }
    }
}

#[test]
fn simple_encoding_pads_with_junk_and_random_nonce_round_trips() {
    let v = vectors();
    let s = setup(&v);
    let sender = &s.keys[s.sender];
    let recipient_pks: Vec<[u8; 32]> = s
        .recipients
        .iter()
        .map(|&i| s.keys[i].x25519_public())
        .collect();
    let encoded = encrypt_for_multiple_simple(
        &[b"hello".as_slice()],
        &recipient_pks,
        sender.x25519_secret(),
        b"SessionGroupKickedMessage",
        None,
        5,
    )
    .unwrap();
    // 3 real entries of 21 bytes, 2 junk entries as long as the plaintext (5 bytes).
    let tail = &encoded[encoded.len() - 2 * 7 - 2..];
    assert!(tail.starts_with(b"5:"));
    assert_eq!(encoded.len(), 1 + 3 + 27 + 3 + 1 + 3 * 24 + 2 * 7 + 2);
    for &r in &s.recipients {
        assert_eq!(
            decrypt_for_multiple_simple(
                &encoded,
                s.keys[r].x25519_secret(),
                &sender.x25519_public(),
                b"SessionGroupKickedMessage"
            )
            .unwrap(),
            b"hello"
        );
    }
}

#[test]
fn errors() {
    let a = Keypair::from_seed32(&[1u8; 32]);
    let b = Keypair::from_seed32(&[2u8; 32]);
    let nonce = [0u8; 24];
    assert_eq!(
        encrypt_for_multiple(
            &[b"a".as_slice(), b"b"],
            &[b.x25519_public()],
            &nonce,
            a.x25519_secret(),
            b"d"
        ),
        Err(MultiEncryptError::MessageCount {
            messages: 2,
            recipients: 1
        })
    );
    assert_eq!(
        encrypt_for_multiple(
            &[b"a".as_slice()],
            &[[0u8; 32]],
            &nonce,
            a.x25519_secret(),
            b"d"
        ),
        Err(MultiEncryptError::BadPublicKey)
    );
    for bad in [
        b"".as_slice(),
        b"d",
        b"de",
        b"d1:#3:abc1:ele",
        b"d1:e le1:#24:000000000000000000000000e",
        b"l1:ae",
        b"d1:#24:0000000000000000000000001:elee trailing",
    ] {
        assert!(
            matches!(
                decrypt_for_multiple_simple(bad, b.x25519_secret(), &a.x25519_public(), b"d"),
                Err(MultiEncryptError::Malformed(_))
            ),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
    // Well-formed but nothing for us.
    assert_eq!(
        decrypt_for_multiple_simple(
            b"d1:#24:0000000000000000000000001:el3:abc20:01234567890123456789ee",
            b.x25519_secret(),
            &a.x25519_public(),
            b"d"
        ),
        Err(MultiEncryptError::NotForUs)
    );
    // A long domain is truncated to 64 bytes as the hash key on both sides.
    let long = [b'x'; 100];
    let enc = encrypt_for_multiple_simple(
        &[b"m".as_slice()],
        &[b.x25519_public()],
        a.x25519_secret(),
        &long,
        None,
        0,
    )
    .unwrap();
    assert_eq!(
        decrypt_for_multiple_simple(&enc, b.x25519_secret(), &a.x25519_public(), &long[..64])
            .unwrap(),
        b"m"
    );
    // An empty domain (unkeyed hash) works too.
    let enc = encrypt_for_multiple_simple(
        &[b"m".as_slice()],
        &[b.x25519_public()],
        a.x25519_secret(),
        b"",
        None,
        0,
    )
    .unwrap();
    assert_eq!(
        decrypt_for_multiple_simple(&enc, b.x25519_secret(), &a.x25519_public(), b"").unwrap(),
        b"m"
    );
}
