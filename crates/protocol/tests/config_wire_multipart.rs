//! `session_protocol::config_wire` pipeline beyond the vectors: multipart splitting and
//! reassembly, the buffer's checks, expiry and limits, the unwrapped fallback, push limits and
//! typed receive errors.

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use session_protocol::config_encrypt;
use session_protocol::config_wire::compress::{zstd_compress, CompressError};
use session_protocol::config_wire::multipart::{
    final_hash, parse_part, split, MultipartBuffer, MultipartError, MultipartLimits, Part,
    PartOutcome, MAX_CHUNK_SIZE, MAX_MULTIPART_SIZE,
};
use session_protocol::config_wire::pipeline::{
    push_config, receive_config, receive_single, PushError, PushForm, ReceiveContext, ReceiveError,
    Received,
};
use session_protocol::config_wire::wrap::Wrapping;
use session_protocol::config_wire::{ConfigKind, MAX_MESSAGE_SIZE};

/// Deterministic incompressible bytes starting with `d` (xorshift; no RNG dependency).
fn noise_message(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len);
    out.push(b'd');
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len.max(1));
    out
}

// ---------------------------------------------------------------- multipart

fn collect(
    ctx: &ReceiveContext<'_>,
    buffer: &mut MultipartBuffer,
    stored: &[Vec<u8>],
    order: &[usize],
    now: u64,
) -> Vec<Received> {
    order
        .iter()
        .map(|&i| receive_config(ctx, buffer, &format!("hash{i}"), &stored[i], now).unwrap())
        .collect()
}

#[test]
fn large_config_goes_multipart_and_reassembles_in_any_order() {
    let seed = [5u8; 32];
    let message = noise_message(200_000, 11);
    let pushed = push_config(ConfigKind::Contacts, 9, &message, &seed).unwrap();
    let PushForm::Multipart { final_hash: fh } = pushed.form else {
        panic!("expected multipart, got {:?}", pushed.form);
    };
    assert!(!pushed.compressed);
    assert_eq!(pushed.messages.len(), 3);
    assert_eq!(pushed.messages[0].len(), MAX_MESSAGE_SIZE);
    assert_eq!(pushed.messages[1].len(), MAX_MESSAGE_SIZE);
    assert!(pushed.messages[2].len() < MAX_MESSAGE_SIZE);
    // Each part is raw (not wrapped) and decrypts to an 'm' part of the padded message.
    let padded = config_encrypt::pad_message(&message);
    assert_eq!(final_hash(&padded), fh);
    let part0 = config_encrypt::decrypt(&pushed.messages[0], &seed, "Contacts").unwrap();
    let p = parse_part(&part0).unwrap();
    assert_eq!((p.index, p.count, p.chunk.len()), (0, 3, MAX_CHUNK_SIZE));

    let keys = [[1u8; 32], seed];
    let ctx = ReceiveContext::new(ConfigKind::Contacts, &keys);
    for order in [[0, 1, 2], [2, 0, 1], [1, 2, 0]] {
        let mut buffer = MultipartBuffer::default();
        let out = collect(&ctx, &mut buffer, &pushed.messages, &order, 1000);
        assert_eq!(out[0], Received::PartStored { have: 1, count: 3 });
        assert_eq!(out[1], Received::PartStored { have: 2, count: 3 });
        let Received::Config(got) = &out[2] else {
            panic!("set not completed");
        };
        assert_eq!(got.message, message);
        assert_eq!(got.key_index, 1);
        assert_eq!(got.message_ids, vec!["hash0", "hash1", "hash2"]);
        assert_eq!(got.wrapping, Wrapping::Raw);
        assert_eq!(buffer.pending_bytes(), 0);
        // Re-fetched parts of a completed set are accepted but ignored.
        let again = collect(&ctx, &mut buffer, &pushed.messages, &[0, 1, 2], 2000);
        assert!(again.iter().all(|r| *r == Received::DuplicatePart));
    }
    // receive_single refuses parts.
    assert_eq!(
        receive_single(&ctx, &pushed.messages[0]),
        Err(ReceiveError::NeedsMultipartBuffer)
    );
}

#[test]
fn compressible_large_config_is_compressed_then_multipart() {
    let seed = [6u8; 32];
    // ~3 MB of mildly compressible data: compression helps, yet the result exceeds one message.
    let mut message = b"d".to_vec();
    for i in 0..150_000u32 {
        message.extend_from_slice(format!("{:08x}", i.wrapping_mul(2_654_435_761)).as_bytes());
        message.extend_from_slice(b"1:x");
    }
    let pushed = push_config(ConfigKind::GroupMembers, 2, &message, &seed).unwrap();
    assert!(pushed.compressed);
    assert!(matches!(pushed.form, PushForm::Multipart { .. }));
    let keys = [seed];
    let ctx = ReceiveContext::new(ConfigKind::GroupMembers, &keys);
    let mut buffer = MultipartBuffer::default();
    let order: Vec<usize> = (0..pushed.messages.len()).rev().collect();
    let out = collect(&ctx, &mut buffer, &pushed.messages, &order, 0);
    let Some(Received::Config(got)) = out.last() else {
        panic!("not complete");
    };
    assert_eq!(got.message, message);
}

#[test]
fn group_configs_are_never_wrapped_and_small_ones_are_single() {
    let seed = [8u8; 32];
    let msg = b"d1:#i1e1:&de1:<le1:=dee";
    for kind in [ConfigKind::GroupInfo, ConfigKind::GroupMembers] {
        let pushed = push_config(kind, 1, msg, &seed).unwrap();
        assert_eq!(pushed.form, PushForm::Raw);
        assert_eq!(pushed.messages[0].len(), 256);
        let keys = [seed];
        assert_eq!(
            receive_single(&ReceiveContext::new(kind, &keys), &pushed.messages[0]).unwrap(),
            msg
        );
    }
}

#[test]
fn user_config_too_large_to_wrap_is_sent_raw() {
    // A padded size whose ciphertext fits in 76 800 but whose wrapping does not.
    let seed = [3u8; 32];
    let target = 76_800 - 40 - 200; // padded message length (multiple of 5 120 minus 40 away)
    let message = noise_message(target - 10, 5);
    let padded = config_encrypt::pad_message(&message);
    assert!(padded.len() + 40 <= MAX_MESSAGE_SIZE);
    let pushed = push_config(ConfigKind::UserGroups, 1, &message, &seed).unwrap();
    assert_eq!(pushed.form, PushForm::Raw);
    assert!(pushed.messages[0].len() <= MAX_MESSAGE_SIZE);
    let keys = [seed];
    let ctx = ReceiveContext::new(ConfigKind::UserGroups, &keys);
    assert_eq!(receive_single(&ctx, &pushed.messages[0]).unwrap(), message);
}

#[test]
fn push_limits_and_input_checks() {
    let seed = [4u8; 32];
    assert_eq!(
        push_config(ConfigKind::UserProfile, 0, b"", &seed),
        Err(PushError::NotAConfigMessage)
    );
    assert_eq!(
        push_config(ConfigKind::UserProfile, 0, b"l1:ae", &seed),
        Err(PushError::NotAConfigMessage)
    );
    let huge = noise_message(MAX_MULTIPART_SIZE + 1, 9);
    assert!(matches!(
        push_config(ConfigKind::Contacts, 0, &huge, &seed),
        Err(PushError::Multipart(MultipartError::TooLarge { .. }))
    ));
    assert_eq!(
        split(&[1u8; 100]),
        Err(MultipartError::TooSmall { size: 100 })
    );
    assert!(matches!(
        split(&vec![1u8; MAX_MULTIPART_SIZE + 1]),
        Err(MultipartError::TooLarge { .. })
    ));
}

fn part(hash: [u8; 32], index: u8, count: u8, chunk: &[u8]) -> Vec<u8> {
    Part {
        final_hash: hash,
        index,
        count,
        chunk,
    }
    .encode()
}

#[test]
fn multipart_part_validation() {
    let h = [7u8; 32];
    let ok = part(h, 1, 3, b"abc");
    assert_eq!(
        parse_part(&ok).unwrap(),
        Part {
            final_hash: h,
            index: 1,
            count: 3,
            chunk: b"abc"
        }
    );
    assert_eq!(
        parse_part(&part(h, 3, 3, b"a")),
        Err(MultipartError::BadNumbering { index: 3, count: 3 })
    );
    assert_eq!(
        parse_part(&part(h, 0, 1, b"a")),
        Err(MultipartError::BadNumbering { index: 0, count: 1 })
    );
    assert!(matches!(
        parse_part(&part(h, 0, 2, b"")),
        Err(MultipartError::Malformed(_))
    ));
    assert_eq!(parse_part(b"dxyz"), Err(MultipartError::NotAPart));
    let mut extra = ok.clone();
    extra.insert(extra.len() - 1, b'0');
    extra.insert(extra.len() - 1, b':');
    assert!(matches!(
        parse_part(&extra),
        Err(MultipartError::Malformed(_))
    ));
    let mut trailing = ok;
    trailing.push(b'x');
    assert!(matches!(
        parse_part(&trailing),
        Err(MultipartError::Malformed(_))
    ));
    let short_hash = [b"ml31:".as_slice(), &[0; 31], b"1:\x001:\x021:ae"].concat();
    assert!(matches!(
        parse_part(&short_hash),
        Err(MultipartError::Malformed(_))
    ));
    let wide_index = [b"ml32:".as_slice(), &[0; 32], b"2:\x00\x001:\x021:ae"].concat();
    assert!(matches!(
        parse_part(&wide_index),
        Err(MultipartError::Malformed(_))
    ));
    let big = part(h, 0, 2, &vec![1u8; MAX_MESSAGE_SIZE]);
    assert!(matches!(
        parse_part(&big),
        Err(MultipartError::PartTooLarge(_))
    ));
}

#[test]
fn multipart_buffer_checks_count_hash_expiry_and_limits() {
    let data = b"\0\0d1:#i1e1:&de1:<le1:=dee".to_vec();
    let h = final_hash(&data);
    let (a, b) = data.split_at(10);
    let limits = MultipartLimits {
        max_wait_ms: 100,
        remember_ms: 500,
        max_pending_bytes: 1000,
    };
    let mut buf = MultipartBuffer::new(limits);

    // Count mismatch within a set.
    assert!(matches!(
        buf.add_part("p0", &part(h, 0, 2, a), 0).unwrap(),
        PartOutcome::Stored {
            have: 1,
            count: 2,
            ..
        }
    ));
    assert_eq!(
        buf.add_part("p1", &part(h, 1, 3, b), 0),
        Err(MultipartError::CountMismatch {
            expected: 2,
            found: 3
        })
    );
    assert_eq!(
        buf.add_part("p0", &part(h, 0, 2, a), 1).unwrap(),
        PartOutcome::Duplicate
    );
    assert_eq!(buf.pending_message_ids(50), vec!["p0".to_owned()]);

    // Expiry: the wait runs from the latest part.
    buf.expire(102);
    assert!(buf.is_empty());
    assert_eq!(buf.pending_bytes(), 0);
    assert!(matches!(
        buf.add_part("p1", &part(h, 1, 2, b), 200).unwrap(),
        PartOutcome::Stored { .. }
    ));
    let PartOutcome::Complete(set) = buf.add_part("p0", &part(h, 0, 2, a), 250).unwrap() else {
        panic!("not complete");
    };
    assert_eq!(set.data, data);
    assert_eq!(set.message_ids, vec!["p0", "p1"]);
    // Remembered as done until 750, then forgotten.
    assert_eq!(
        buf.add_part("p1", &part(h, 1, 2, b), 700).unwrap(),
        PartOutcome::Duplicate
    );
    buf.expire(751);
    assert!(buf.is_empty());

    // Hash mismatch discards the set.
    let wrong = [9u8; 32];
    buf.add_part("q0", &part(wrong, 0, 2, a), 0).unwrap();
    assert_eq!(
        buf.add_part("q1", &part(wrong, 1, 2, b), 0),
        Err(MultipartError::HashMismatch)
    );
    assert!(buf.is_empty());
    assert_eq!(buf.pending_bytes(), 0);

    // Pending byte limit.
    let h2 = [1u8; 32];
    buf.add_part("r0", &part(h2, 0, 3, &[1u8; 600]), 0).unwrap();
    assert_eq!(
        buf.add_part("r1", &part(h2, 1, 3, &[1u8; 600]), 0),
        Err(MultipartError::BufferFull { limit: 1000 })
    );
    assert_eq!(buf.pending_bytes(), 600);
}

#[test]
fn receive_errors_are_typed() {
    let seed = [2u8; 32];
    let keys = [seed];
    let ctx = ReceiveContext::new(ConfigKind::GroupInfo, &keys);
    assert_eq!(
        receive_single(&ReceiveContext::new(ConfigKind::GroupInfo, &[]), b"abc"),
        Err(ReceiveError::NoKeys)
    );
    assert_eq!(
        receive_single(&ctx, b"short"),
        Err(ReceiveError::DecryptFailed { keys_tried: 1 })
    );
    let only_padding = config_encrypt::encrypt(&[0u8; 100], &seed, "groups::Info").unwrap();
    assert_eq!(
        receive_single(&ctx, &only_padding),
        Err(ReceiveError::Empty)
    );
    let list = config_encrypt::pad_and_encrypt(b"l1:ae", &seed, "groups::Info").unwrap();
    assert_eq!(
        receive_single(&ctx, &list),
        Err(ReceiveError::UnsupportedType(b'l'))
    );
    let bad_z = config_encrypt::pad_and_encrypt(b"zzzzzz", &seed, "groups::Info").unwrap();
    assert!(matches!(
        receive_single(&ctx, &bad_z),
        Err(ReceiveError::Decompress(_))
    ));
    // Compressed but not a dict inside.
    let mut z_list = vec![b'z'];
    z_list.extend_from_slice(&zstd_compress(b"l1:ae", 1).unwrap());
    let enc = config_encrypt::pad_and_encrypt(&z_list, &seed, "groups::Info").unwrap();
    assert_eq!(
        receive_single(&ctx, &enc),
        Err(ReceiveError::UnsupportedType(b'l'))
    );
    // A bomb inside a valid ciphertext.
    let mut bomb = vec![b'z'];
    bomb.extend_from_slice(&zstd_compress(&vec![b'd'; 8 << 20], 1).unwrap());
    let enc = config_encrypt::pad_and_encrypt(&bomb, &seed, "groups::Info").unwrap();
    let small = ReceiveContext {
        max_decompressed: 1 << 20,
        ..ctx
    };
    assert_eq!(
        receive_single(&small, &enc),
        Err(ReceiveError::Decompress(CompressError::TooLarge {
            limit: 1 << 20
        }))
    );
    assert_eq!(receive_single(&ctx, &enc).unwrap().len(), 8 << 20);
}

#[test]
fn config_kinds_table() {
    let table: Vec<(i16, &str, bool)> = ConfigKind::ALL
        .iter()
        .map(|k| (k.namespace(), k.domain(), k.is_wrapped()))
        .collect();
    assert_eq!(
        table,
        vec![
            (2, "UserProfile", true),
            (3, "Contacts", true),
            (4, "ConvoInfoVolatile", true),
            (5, "UserGroups", true),
            (13, "groups::Info", false),
            (14, "groups::Members", false),
        ]
    );
}
