//! Session-protocol seal/open of a 1 KiB message against the raw primitives it is made of.
//!
//! Baselines: seal = one Ed25519 signature over the same signed bytes + one `crypto_box` sealed
//! box of the same-size inner plaintext; open = one sealed-box open + one strict Ed25519
//! verification + the Ed25519→X25519 conversion (libsodium-equivalent: decompress, reject
//! small-order and mixed-order points, map to Montgomery form).
#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::{Signature, Signer, VerifyingKey};
use session_protocol::identity::{Keypair, Seed};
use session_protocol::session_crypto::{decrypt_incoming, encrypt_for_recipient};

const MESSAGE_LEN: usize = 1024;

fn seal(c: &mut Criterion) {
    let sender = Keypair::from_seed(&Seed::from_bytes([1; 16]));
    let recipient = Keypair::from_seed(&Seed::from_bytes([2; 16]));
    let to = recipient.session_id();
    let message = vec![0x42u8; MESSAGE_LEN];

    let mut signed = message.clone();
    signed.extend_from_slice(&sender.ed25519_public());
    signed.extend_from_slice(&recipient.x25519_public());
    let inner = vec![0x42u8; MESSAGE_LEN + 96];
    let box_pk = crypto_box::PublicKey::from(recipient.x25519_public());

    let mut group = c.benchmark_group("seal_1KiB");
    group.throughput(Throughput::Bytes(MESSAGE_LEN as u64));
    group.bench_function("encrypt_for_recipient", |b| {
        b.iter(|| encrypt_for_recipient(&sender, black_box(&to), black_box(&message)));
    });
    group.bench_function("raw_sign_plus_seal", |b| {
        b.iter(|| {
            let sig = sender.signing_key().sign(black_box(&signed));
            let sealed = box_pk.seal(&mut rand_core::OsRng, black_box(&inner));
            (sig, sealed)
        });
    });
    group.finish();
}

/// The minimal libsodium-equivalent Ed25519→X25519 public key conversion.
fn raw_ed_to_x(key: &VerifyingKey) -> Option<[u8; 32]> {
    let point = key.to_edwards();
    if point.is_small_order() || !point.is_torsion_free() {
        return None;
    }
    Some(point.to_montgomery().to_bytes())
}

fn open(c: &mut Criterion) {
    let sender = Keypair::from_seed(&Seed::from_bytes([1; 16]));
    let recipient = Keypair::from_seed(&Seed::from_bytes([2; 16]));
    let message = vec![0x42u8; MESSAGE_LEN];
    let ciphertext = encrypt_for_recipient(&sender, &recipient.session_id(), &message)
        .expect("bench setup: encrypt");

    // Raw baseline inputs: a plain sealed box of the same inner plaintext and its signature.
    let mut signed = message.clone();
    signed.extend_from_slice(&sender.ed25519_public());
    signed.extend_from_slice(&recipient.x25519_public());
    let sig = sender.signing_key().sign(&signed);
    let mut inner = message;
    inner.extend_from_slice(&sender.ed25519_public());
    inner.extend_from_slice(&sig.to_bytes());
    let sealed = crypto_box::PublicKey::from(recipient.x25519_public())
        .seal(&mut rand_core::OsRng, &inner)
        .expect("bench setup: seal");
    let box_sk = crypto_box::SecretKey::from_bytes(recipient.x25519_secret().to_bytes());
    let sender_pk = sender.ed25519_public();

    let mut group = c.benchmark_group("open_1KiB");
    group.throughput(Throughput::Bytes(MESSAGE_LEN as u64));
    group.bench_function("decrypt_incoming", |b| {
        b.iter(|| decrypt_incoming(&recipient, black_box(&ciphertext)));
    });
    group.bench_function("raw_unseal_verify_convert", |b| {
        b.iter(|| {
            let opened = box_sk.unseal(black_box(&sealed)).ok()?;
            let key = VerifyingKey::from_bytes(black_box(&sender_pk)).ok()?;
            key.verify_strict(black_box(&signed), &Signature::from_bytes(&sig.to_bytes()))
                .ok()?;
            Some((opened, raw_ed_to_x(&key)))
        });
    });
    group.finish();
}

criterion_group!(benches, seal, open);
criterion_main!(benches);
