//! Onion layer cost against its raw primitives.
//!
//! * build: one layer (`build_onion_request` with an empty path to a snode destination: frame,
//!   ephemeral key, exchange, derivation, AEAD, outer frame) vs one X25519 key generation + one
//!   exchange + one derivation + one AEAD encryption of the same bytes.
//! * peel: `peel` of that layer vs one exchange + one derivation + one AEAD decryption.
//!
//! * path: a whole request through three nodes to a snode (four layers) with the ladder for
//!   every exchange vs with every node's key prepared ([`PreparedPublicKey`] tables, as the
//!   client keeps for the nodes it uses most); and one exchange each of three ways: the ladder,
//!   [`agree_once`] (the Edwards form, what a node's peel and a sealed box use) and a table.
//!
//! Payload: a ~1 KiB storage RPC body.

#![allow(clippy::unwrap_used, clippy::semicolon_if_nothing_returned)] // bench harness code

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::Aes256Gcm;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use chacha20poly1305::XChaCha20Poly1305;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use hmac::{Hmac, Mac};
use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use session_protocol::agreement::{agree_once, PreparedPublicKey};
use session_protocol::onion::{
    build_onion_request, build_onion_request_prepared, encode_combined, peel, CombinedPayload,
    EncType, OnionDestination, PathHop, SnodeFlags, SnodeTarget, X25519Keypair,
};
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

fn payload() -> Vec<u8> {
    let data = "A".repeat(900);
    format!(
        r#"{{"method":"store","params":{{"pubkey":"05{}","ttl":86400000,"timestamp":1700000000000,"data":"{data}"}}}}"#,
        "ab".repeat(32)
    )
    .into_bytes()
}

fn derive(
    enc_type: EncType,
    secret: &StaticSecret,
    their: &PublicKey,
    a: &PublicKey,
    b: &PublicKey,
) -> [u8; 32] {
    let shared = secret.diffie_hellman(their);
    match enc_type {
        EncType::AesGcm => {
            let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(b"LOKI").unwrap();
            mac.update(shared.as_bytes());
            mac.finalize().into_bytes().into()
        }
        EncType::XChaCha20 => {
            let mut h = Blake2b::<U32>::new();
            h.update(shared.as_bytes());
            h.update(a.as_bytes());
            h.update(b.as_bytes());
            h.finalize().into()
        }
    }
}

fn aead_encrypt(enc_type: EncType, key: &[u8; 32], plaintext: &[u8], rng: &mut StdRng) -> Vec<u8> {
    let n = enc_type.nonce_len();
    let mut out = Vec::with_capacity(n + plaintext.len() + 16);
    out.resize(n, 0);
    rng.fill_bytes(&mut out);
    out.extend_from_slice(plaintext);
    let (nonce, body) = out.split_at_mut(n);
    let tag = match enc_type {
        EncType::AesGcm => Aes256Gcm::new(key.into())
            .encrypt_in_place_detached((&*nonce).into(), b"", body)
            .unwrap(),
        EncType::XChaCha20 => XChaCha20Poly1305::new(key.into())
            .encrypt_in_place_detached((&*nonce).into(), b"", body)
            .unwrap(),
    };
    out.extend_from_slice(&tag);
    out
}

fn aead_decrypt(enc_type: EncType, key: &[u8; 32], ct: &[u8]) -> Vec<u8> {
    let (nonce, rest) = ct.split_at(enc_type.nonce_len());
    let (body, tag) = rest.split_at(rest.len() - 16);
    let mut pt = body.to_vec();
    match enc_type {
        EncType::AesGcm => Aes256Gcm::new(key.into())
            .decrypt_in_place_detached(nonce.into(), b"", &mut pt, tag.into())
            .unwrap(),
        EncType::XChaCha20 => XChaCha20Poly1305::new(key.into())
            .decrypt_in_place_detached(nonce.into(), b"", &mut pt, tag.into())
            .unwrap(),
    }
    pt
}

fn bench(c: &mut Criterion) {
    let payload = payload();
    let mut rng = StdRng::seed_from_u64(1);
    let node = X25519Keypair::generate(&mut rng);
    let destination = OnionDestination::Snode(SnodeTarget {
        node: PathHop {
            ed25519: [7; 32],
            x25519: *node.public(),
        },
        flags: SnodeFlags::default(),
    });
    // The bytes the layer encrypts: the RPC body framed for the destination.
    let inner = encode_combined(&payload, &SnodeFlags::default().to_json()).unwrap();

    for enc_type in [EncType::AesGcm, EncType::XChaCha20] {
        let mut group = c.benchmark_group(format!("onion_{enc_type}"));
        group.bench_function("build_layer", |b| {
            b.iter(|| {
                build_onion_request(&[], &destination, black_box(&payload), enc_type, &mut rng)
                    .unwrap()
            })
        });
        group.bench_function("build_raw", |b| {
            b.iter(|| {
                let eph = StaticSecret::random_from_rng(&mut rng);
                let eph_pub = PublicKey::from(&eph);
                let key = derive(enc_type, &eph, node.public(), &eph_pub, node.public());
                aead_encrypt(enc_type, &key, black_box(&inner), &mut rng)
            })
        });

        let request = build_onion_request(&[], &destination, &payload, enc_type, &mut rng).unwrap();
        let ct = CombinedPayload::parse(&request.body).unwrap().blob.to_vec();
        let header = session_protocol::onion::LayerHeader::parse(
            CombinedPayload::parse(&request.body).unwrap().json,
        )
        .unwrap();
        group.bench_function("peel_layer", |b| {
            b.iter(|| peel(&node, black_box(&request.body)).unwrap())
        });
        group.bench_function("peel_raw", |b| {
            b.iter(|| {
                let key = derive(
                    enc_type,
                    node.secret(),
                    &header.ephemeral_key,
                    &header.ephemeral_key,
                    node.public(),
                );
                aead_decrypt(enc_type, &key, black_box(&ct))
            })
        });
        group.finish();
    }
}

/// A three-node path to a snode: plain exchanges against prepared keys.
fn bench_path(c: &mut Criterion) {
    let payload = payload();
    let mut rng = StdRng::seed_from_u64(2);
    let hop = |rng: &mut StdRng, n: u8| PathHop {
        ed25519: [n; 32],
        x25519: *X25519Keypair::generate(rng).public(),
    };
    let path = [hop(&mut rng, 1), hop(&mut rng, 2), hop(&mut rng, 3)];
    let target = hop(&mut rng, 4);
    let destination = OnionDestination::Snode(SnodeTarget {
        node: target,
        flags: SnodeFlags::default(),
    });
    let prepared: Vec<std::sync::Arc<PreparedPublicKey>> = path
        .iter()
        .chain([&target])
        .map(|h| std::sync::Arc::new(PreparedPublicKey::with_table(h.x25519)))
        .collect();
    let lookup = |key: &PublicKey| prepared.iter().find(|p| p.public() == key).cloned();

    let mut group = c.benchmark_group("onion_path");
    group.bench_function("build_3_hops_ladder", |b| {
        b.iter(|| {
            build_onion_request(
                &path,
                &destination,
                black_box(&payload),
                EncType::AesGcm,
                &mut rng,
            )
            .unwrap()
        })
    });
    group.bench_function("build_3_hops_prepared", |b| {
        b.iter(|| {
            build_onion_request_prepared(
                &path,
                &destination,
                black_box(&payload),
                EncType::AesGcm,
                &mut rng,
                lookup,
            )
            .unwrap()
        })
    });
    let secret = StaticSecret::random_from_rng(&mut rng);
    group.bench_function("exchange_ladder", |b| {
        b.iter(|| secret.diffie_hellman(black_box(&target.x25519)))
    });
    group.bench_function("exchange_once", |b| {
        b.iter(|| agree_once(black_box(&secret), black_box(&target.x25519)))
    });
    let table = PreparedPublicKey::with_table(target.x25519);
    group.bench_function("exchange_prepared", |b| {
        b.iter(|| table.agree(black_box(&secret)))
    });
    group.bench_function("prepare_table", |b| {
        b.iter(|| PreparedPublicKey::with_table(black_box(target.x25519)))
    });
    group.finish();
}

criterion_group!(benches, bench, bench_path);
criterion_main!(benches);
