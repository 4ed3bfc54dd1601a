//! Property tests of the config wire pipeline with a fixed, deterministic proptest
//! configuration: push → receive round trips for messages up to ~200 KB (so compression,
//! wrapping, the unwrapped fallback and multipart in any part order are all exercised), and
//! arbitrary or damaged bytes into the receive side never panic.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed};
use session_protocol::config_encrypt;
use session_protocol::config_wire::multipart::{MultipartBuffer, MultipartLimits};
use session_protocol::config_wire::pipeline::{
    push_config, receive_config, receive_single, PushForm, ReceiveContext, Received,
};
use session_protocol::config_wire::wrap::unwrap;
use session_protocol::config_wire::{ConfigKind, MAX_MESSAGE_SIZE};
use session_protocol::identity::Keypair;
use session_protocol::multi_encrypt::decrypt_for_multiple_simple;
use session_protocol::proto::SharedConfigKind;

fn fixed(cases: u32, seed: u64) -> Config {
    Config {
        cases,
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

fn kind() -> impl Strategy<Value = ConfigKind> {
    prop::sample::select(ConfigKind::ALL.to_vec())
}

/// A message of `len` bytes starting with `d`: noise (incompressible), text-like
/// (compressible), or a mix.
fn build_message(len: usize, seed: u64, mode: u8) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    out.push(b'd');
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        match mode % 3 {
            0 => out.extend_from_slice(&x.to_le_bytes()),
            1 => out.extend_from_slice(format!("1:n{}:Friend{}", x % 10, x % 97).as_bytes()),
            _ => {
                if x.is_multiple_of(4) {
                    out.extend_from_slice(&x.to_le_bytes());
                } else {
                    out.extend_from_slice(b"32:aaaaaaaa");
                }
            }
        }
    }
    out.truncate(len.max(1));
    out
}

/// A permutation of `0..n` derived from `seed`.
fn order(n: usize, seed: u64) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    let mut x = seed | 1;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        idx.swap(i, usize::try_from(x % (i as u64 + 1)).unwrap());
    }
    idx
}

proptest! {
    #![proptest_config(fixed(64, 0x5e55_1011))]

    #[test]
    fn push_then_receive_round_trips(
        kind in kind(),
        len in prop_oneof![1usize..2_000, 2_000usize..80_000, 80_000usize..200_000],
        seed in any::<u64>(),
        mode in any::<u8>(),
        seqno in 0i64..1_000_000,
        key_byte in any::<u8>(),
    ) {
        let key = [key_byte; 32];
        let message = build_message(len, seed, mode);
        let pushed = push_config(kind, seqno, &message, &key).unwrap();
        prop_assert!(pushed.messages.iter().all(|m| m.len() <= MAX_MESSAGE_SIZE));
        match pushed.form {
            PushForm::Wrapped => {
                prop_assert!(kind.is_wrapped());
                let identity = Keypair::from_seed32(&key);
                let shared = kind.shared_config_kind().unwrap();
                let un = unwrap(&identity, &pushed.messages[0], shared).unwrap();
                prop_assert_eq!(un.seqno, seqno);
            }
            PushForm::Raw => prop_assert_eq!(pushed.messages.len(), 1),
            PushForm::Multipart { .. } => {
                prop_assert!(pushed.messages.len() >= 2);
                prop_assert!(pushed.messages.iter().rev().skip(1).all(|m| m.len() == MAX_MESSAGE_SIZE));
            }
        }
        // An older key first: receivers try each key, newest first.
        let keys = [[key_byte.wrapping_add(1); 32], key];
        let ctx = ReceiveContext::new(kind, &keys);
        let mut buffer = MultipartBuffer::default();
        let n = pushed.messages.len();
        let mut result = None;
        for (step, i) in order(n, seed).into_iter().enumerate() {
            let got = receive_config(&ctx, &mut buffer, &format!("h{i}"), &pushed.messages[i], 10).unwrap();
            if step + 1 < n {
                prop_assert_eq!(got, Received::PartStored { have: step + 1, count: n });
            } else {
                result = Some(got);
            }
        }
        let Some(Received::Config(got)) = result else {
            return Err(TestCaseError::fail("no config at the end"));
        };
        prop_assert_eq!(&got.message, &message);
        prop_assert_eq!(got.key_index, 1);
        let expected_ids: Vec<String> = (0..n).map(|i| format!("h{i}")).collect();
        prop_assert_eq!(got.message_ids, expected_ids);
        if n == 1 {
            prop_assert_eq!(receive_single(&ctx, &pushed.messages[0]).unwrap(), message);
        }
    }
}

proptest! {
    #![proptest_config(fixed(512, 0xbad_b17e5))]

    #[test]
    fn arbitrary_stored_bytes_never_panic(
        kind in kind(),
        data in prop::collection::vec(any::<u8>(), 0..3_000),
        now in any::<u64>(),
    ) {
        let keys = [[7u8; 32]];
        let ctx = ReceiveContext::new(kind, &keys);
        let mut buffer = MultipartBuffer::default();
        let _ = receive_config(&ctx, &mut buffer, "x", &data, now);
        let _ = receive_single(&ctx, &data);
        let _ = decrypt_for_multiple_simple(
            &data,
            Keypair::from_seed32(&[1u8; 32]).x25519_secret(),
            &[9u8; 32],
            b"d",
        );
    }

    /// Arbitrary plaintext behind a valid encryption reaches the part parser, the inflater and
    /// the type check; prefixed variants aim at the 'm' and 'z' paths.
    #[test]
    fn arbitrary_plaintexts_never_panic(
        kind in kind(),
        prefix in prop::sample::select(vec![&b""[..], b"m", b"ml32:", b"z", b"z\x28\xb5\x2f\xfd", b"\0\0m"]),
        body in prop::collection::vec(any::<u8>(), 0..2_000),
        now in 0u64..10_000,
    ) {
        let key = [3u8; 32];
        let keys = [key];
        let ctx = ReceiveContext::new(kind, &keys);
        let mut plain = prefix.to_vec();
        plain.extend_from_slice(&body);
        let stored = config_encrypt::encrypt(&plain, &key, kind.domain()).unwrap();
        let limits = MultipartLimits { max_pending_bytes: 10_000, ..MultipartLimits::default() };
        let mut buffer = MultipartBuffer::new(limits);
        let _ = receive_config(&ctx, &mut buffer, "x", &stored, now);
        let _ = receive_config(&ctx, &mut buffer, "y", &stored, now + 1);
        prop_assert!(buffer.pending_bytes() <= 10_000);
    }

    /// Damaged wrapped pushes: one flipped byte anywhere never panics, and if anything comes
    /// out it is a config message.
    #[test]
    fn damaged_wrapped_push_never_panics(
        pos in any::<prop::sample::Index>(),
        bit in 0u8..8,
    ) {
        let key = [0x11u8; 32];
        let msg = b"d1:#i3e1:&d1:n5:Alicee1:<le1:=d1:n0:ee";
        let mut stored = push_config(ConfigKind::UserProfile, 3, msg, &key).unwrap().messages.remove(0);
        let i = pos.index(stored.len());
        stored[i] ^= 1 << bit;
        let keys = [key];
        let ctx = ReceiveContext::new(ConfigKind::UserProfile, &keys);
        if let Ok(out) = receive_single(&ctx, &stored) {
            prop_assert_eq!(out.first(), Some(&b'd'));
        }
        let identity = Keypair::from_seed32(&key);
        let _ = unwrap(&identity, &stored, SharedConfigKind::UserProfile);
    }
}
