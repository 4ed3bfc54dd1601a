//! `session_protocol::config_wire`: every case of the wave-2 vectors `config-compression.json`,
//! `user-config-push.json` and `config-legacy-protobuf.json`, the bounded inflater and the
//! protobuf unwrap checks (multipart and the rest of the pipeline: `config_wire_multipart.rs`).

// Helpers outside #[test] fns are not covered by clippy.toml allow-unwrap-in-tests.
#![allow(clippy::unwrap_used)]

use std::borrow::Cow;

use prost::Message;
use serde_json::Value;
use session_protocol::config_encrypt;
use session_protocol::config_wire::compress::{
    compress, compress_with_level, decompress, zstd_compress, CompressError,
    DEFAULT_MAX_DECOMPRESSED,
};
use session_protocol::config_wire::multipart::{final_hash, MultipartBuffer};
use session_protocol::config_wire::pipeline::{
    push_config, receive_config, receive_single, PushForm, ReceiveContext, ReceiveError, Received,
};
use session_protocol::config_wire::wrap::{unwrap, unwrap_lenient, wrap, UnwrapError, Wrapping};
use session_protocol::config_wire::ConfigKind;
use session_protocol::identity::Keypair;
use session_protocol::proto::{Envelope, SharedConfigKind, WebSocketMessage};

fn vectors(name: &str) -> Value {
    let path = format!("{}/tests/vectors/wave2/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn hex_field(v: &Value, key: &str) -> Vec<u8> {
    hex::decode(v[key].as_str().unwrap()).unwrap()
}

fn key32(hex_str: &str) -> [u8; 32] {
    hex::decode(hex_str).unwrap().try_into().unwrap()
}

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

// ---------------------------------------------------------------- config-compression.json

/// Upstream's level-1 compression of the 170-byte message (`config-compression.json` case 3), as
/// checked by libsession-util `tests/test_compression.cpp`; our zstd and the zstd 1.5.4 CLI give
/// the same 161 bytes.
///
/// Known defect of the shared vector file: its `expected_hex` for that case lost one byte in
/// transcription (160 bytes, `…\xc9edee1:=…` where upstream's literal section, like the input,
/// has `…\xc9edeee1:=…`), so that frame, which declares 170 bytes of content, cannot be inflated
/// by any zstd. [`expected_compressed`] uses this literal only while the file's value does not
/// inflate to the input, so the tests keep passing once the file is corrected.
const CASE3_LEVEL1_CORRECTED_HEX: &str = concat!(
    "7a28b52ffd20aabd0400640864313a23693165313a2664313a6e31323a4b616c",
    "6c6965313a7032393a687474703a2f2f6b2e6578616d706c652e6f72672f4b62",
    "6d70313a71323473656372657465313a3c6c6c69306533323aea173b57beca8a",
    "f18c3519a7bbf69c3e7a05d1c049fa9558341d8ebb48b0c96564656565313a3d",
    "64313a6e303a313a70303a313a71303a656505003587f2d5e1c02836af9aa134",
    "01",
);

/// The case's expected compressed bytes: the file's `expected_hex` when it inflates to `input`,
/// otherwise the corrected literal above if that one does (the defective case 3), otherwise the
/// file's value as it is (and the checks on it fail). `None` for "unchanged" cases.
fn expected_compressed(case: &Value, input: &[u8]) -> Option<Vec<u8>> {
    let file = hex::decode(case["expected_hex"].as_str()?).unwrap();
    let inflates =
        |b: &[u8]| decompress(b, DEFAULT_MAX_DECOMPRESSED).ok().as_deref() == Some(input);
    if inflates(&file) {
        return Some(file);
    }
    let corrected = hex::decode(CASE3_LEVEL1_CORRECTED_HEX).unwrap();
    Some(if inflates(&corrected) {
        corrected
    } else {
        file
    })
}

#[test]
fn compression_vector_cases() {
    let v = vectors("config-compression.json");
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 6);
    for (i, case) in cases.iter().enumerate() {
        let input = hex_field(case, "input_hex");
        let level = i32::try_from(case["level"].as_i64().unwrap()).unwrap();
        if let Some(n) = case["input_len"].as_u64() {
            assert_eq!(input.len() as u64, n, "case {i}");
        }
        let ours = compress_with_level(&input, level).unwrap();
        match expected_compressed(case, &input) {
            None => {
                // "unchanged (compression not smaller)"
                assert!(matches!(ours, Cow::Borrowed(_)), "case {i}");
                assert_eq!(&*ours, &input[..], "case {i}");
            }
            Some(expected) => {
                // Upstream's bytes (any zstd version) must inflate to the input.
                assert_eq!(
                    decompress(&expected, DEFAULT_MAX_DECOMPRESSED).unwrap(),
                    input,
                    "case {i}"
                );
                // Ours are 'z'-prefixed, shorter, and inflate to the input too.
                assert_eq!(ours.first(), Some(&b'z'), "case {i}");
                assert!(ours.len() < input.len(), "case {i}");
                assert_eq!(
                    decompress(&ours, DEFAULT_MAX_DECOMPRESSED).unwrap(),
                    input,
                    "case {i}"
                );
                // Compressed bytes are only comparable where the vector says they reproduce
                // across zstd versions; log rather than fail where ours differ.
                if *ours != expected[..] {
                    eprintln!(
                        "case {i} (level {level}): bytes differ from upstream's ({} vs {}), \
                         zstd-version dependent",
                        ours.len(),
                        expected.len()
                    );
                }
            }
        }
    }
}

#[test]
fn compression_case3_matches_corrected_161_bytes() {
    let v = vectors("config-compression.json");
    let case = &v["cases"][3];
    let input = hex_field(case, "input_hex");
    assert_eq!(input.len(), 170);
    let expected = expected_compressed(case, &input).unwrap();
    assert_eq!(expected.len(), 161);
    assert_eq!(hex::encode(&expected), CASE3_LEVEL1_CORRECTED_HEX);
    assert_eq!(
        hex::encode(compress(&input).unwrap()),
        CASE3_LEVEL1_CORRECTED_HEX
    );
}

#[test]
fn compression_level1_vectors_reproduce_byte_for_byte() {
    // The level-1 cases were reproduced by libzstd 1.5.4; the bundled zstd reproduces them too
    // (checked here so a zstd upgrade that changes level-1 output is noticed).
    let v = vectors("config-compression.json");
    for case in v["cases"].as_array().unwrap() {
        if case["level"].as_i64() != Some(1) {
            continue;
        }
        let input = hex_field(case, "input_hex");
        let Some(expected) = expected_compressed(case, &input) else {
            continue;
        };
        let ours = compress(&input).unwrap();
        assert_eq!(hex::encode(ours), hex::encode(expected));
    }
}

#[test]
fn decompression_bomb_is_refused() {
    // 64 MiB of zeros compresses to a few KB.
    let bomb = zstd_compress(&vec![0u8; 64 << 20], 3).unwrap();
    assert!(bomb.len() < 64 * 1024);
    let mut z = vec![b'z'];
    z.extend_from_slice(&bomb);
    assert_eq!(
        decompress(&z, 1 << 20),
        Err(CompressError::TooLarge { limit: 1 << 20 })
    );
    // A streamed frame does not declare its size: the bounded reader stops it.
    let mut enc = zstd::stream::Encoder::new(vec![b'z'], 3).unwrap();
    std::io::Write::write_all(&mut enc, &vec![0u8; 16 << 20]).unwrap();
    let streamed = enc.finish().unwrap();
    assert!(streamed.len() < 64 * 1024);
    assert_eq!(
        decompress(&streamed, 1 << 20),
        Err(CompressError::TooLarge { limit: 1 << 20 })
    );
    assert_eq!(decompress(&streamed, 16 << 20).unwrap().len(), 16 << 20);
    // Exactly at the limit is fine; one byte over is not.
    let exact = zstd_compress(&vec![7u8; 4096], 1).unwrap();
    let mut z = vec![b'z'];
    z.extend_from_slice(&exact);
    assert_eq!(decompress(&z, 4096).unwrap().len(), 4096);
    assert_eq!(
        decompress(&z, 4095),
        Err(CompressError::TooLarge { limit: 4095 })
    );
}

#[test]
fn decompression_errors() {
    assert_eq!(decompress(b"dabc", 100), Err(CompressError::NotCompressed));
    assert_eq!(decompress(b"", 100), Err(CompressError::NotCompressed));
    assert!(matches!(
        decompress(b"zgarbage", 100),
        Err(CompressError::Corrupt(_))
    ));
    let frame = zstd_compress(&noise_message(1000, 3), 1).unwrap();
    let mut truncated = vec![b'z'];
    truncated.extend_from_slice(&frame[..frame.len() - 5]);
    assert!(matches!(
        decompress(&truncated, 10_000),
        Err(CompressError::Corrupt(_))
    ));
    let empty = zstd_compress(b"", 1).unwrap();
    let mut z = vec![b'z'];
    z.extend_from_slice(&empty);
    assert_eq!(decompress(&z, 100), Err(CompressError::Empty));
}

// ---------------------------------------------------------------- user-config-push.json

fn push_keys(v: &Value) -> ([u8; 32], Keypair) {
    let seed = key32(v["keys"]["ed25519_seed"].as_str().unwrap());
    let kp = Keypair::from_seed32(&seed);
    assert_eq!(
        hex::encode(kp.ed25519_public()),
        v["keys"]["ed25519_pk"].as_str().unwrap()
    );
    assert_eq!(
        hex::encode(kp.x25519_public()),
        v["keys"]["x25519_pk"].as_str().unwrap()
    );
    (seed, kp)
}

/// The bencoded string value of top-level key `key` in a flat dump dict.
fn dump_string<'a>(dump: &'a [u8], key: &[u8]) -> &'a [u8] {
    let mut needle = b"1:".to_vec();
    needle.extend_from_slice(key);
    let at = dump
        .windows(needle.len())
        .position(|w| w == needle)
        .unwrap()
        + needle.len();
    let colon = at + dump[at..].iter().position(|&b| b == b':').unwrap();
    let len: usize = std::str::from_utf8(&dump[at..colon])
        .unwrap()
        .parse()
        .unwrap();
    &dump[colon + 1..colon + 1 + len]
}

#[test]
fn user_config_push_vector_cases() {
    let v = vectors("user-config-push.json");
    assert_eq!(
        v["keys"]["domain"].as_str(),
        Some(ConfigKind::UserProfile.domain())
    );
    assert_eq!(
        v["keys"]["namespace"].as_i64(),
        Some(i64::from(ConfigKind::UserProfile.namespace()))
    );
    let (seed, kp) = push_keys(&v);
    let cases = v["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 4);
    let empty = cases[0]["serialized_ascii"].as_str().unwrap().as_bytes();
    let keys = [seed];
    let ctx = ReceiveContext::new(ConfigKind::UserProfile, &keys);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        if let Some(hash) = case["hash_blake2b256"].as_str() {
            // Case 0: the message hash (same unkeyed BLAKE2b-256 as the multipart final hash).
            assert_eq!(hex::encode(final_hash(empty)), hash, "{name}");
        } else if let Some(wrapped_hex) = case["wrapped_hex"].as_str() {
            // Case 1: the 432-byte seqno-0 push, byte for byte.
            let pushed = push_config(ConfigKind::UserProfile, 0, empty, &seed).unwrap();
            assert_eq!(pushed.form, PushForm::Wrapped, "{name}");
            assert!(!pushed.compressed);
            assert_eq!(pushed.messages.len(), 1);
            assert_eq!(
                pushed.messages[0].len() as u64,
                case["wrapped_len"].as_u64().unwrap()
            );
            assert_eq!(hex::encode(&pushed.messages[0]), wrapped_hex, "{name}");
            // The inner ciphertext, and wrap() alone over it.
            let inner = hex_field(case, "inner_config_ciphertext_hex");
            assert_eq!(
                config_encrypt::pad_and_encrypt(empty, &seed, "UserProfile").unwrap(),
                inner
            );
            let rewrapped = wrap(&kp, SharedConfigKind::UserProfile, 0, &inner).unwrap();
            assert_eq!(hex::encode(&rewrapped), wrapped_hex);
            // And back.
            let stored = hex::decode(wrapped_hex).unwrap();
            let un = unwrap(&kp, &stored, SharedConfigKind::UserProfile).unwrap();
            assert_eq!(
                (un.seqno, un.data.as_slice(), un.envelope_timestamp),
                (0, &inner[..], 1)
            );
            let mut buffer = MultipartBuffer::default();
            let Received::Config(got) =
                receive_config(&ctx, &mut buffer, "h1", &stored, 0).unwrap()
            else {
                panic!("{name}: not a complete config");
            };
            assert_eq!(got.message, empty);
            assert_eq!(got.wrapping, Wrapping::Wrapped);
            assert_eq!(got.message_ids, vec!["h1".to_owned()]);
            assert_eq!(receive_single(&ctx, &stored).unwrap(), empty);
        } else {
            // Cases 2 and 3: local dumps (not on the wire). The config they hold is seqno 1;
            // it must survive the wire pipeline, and the wrapping carries that seqno.
            let dump = hex_field(case, "dump_hex");
            let config = dump_string(&dump, b"$");
            assert!(config.starts_with(b"d1:#i1e1:&d"), "{name}");
            let pushed = push_config(ConfigKind::UserProfile, 1, config, &seed).unwrap();
            assert_eq!(pushed.form, PushForm::Wrapped, "{name}");
            let un = unwrap(&kp, &pushed.messages[0], SharedConfigKind::UserProfile).unwrap();
            assert_eq!(un.seqno, 1, "{name}");
            assert_eq!(receive_single(&ctx, &pushed.messages[0]).unwrap(), config);
            // The same bytes again: pushes are deterministic (server de-duplication).
            let again = push_config(ConfigKind::UserProfile, 1, config, &seed).unwrap();
            assert_eq!(again, pushed);
        }
    }
}

#[test]
fn wrapped_push_layout_matches_recipe() {
    // Field order and proto2 presence, checked on the decoded layers.
    let v = vectors("user-config-push.json");
    let stored = hex_field(&v["cases"][1], "wrapped_hex");
    let ws = WebSocketMessage::decode(stored.as_slice()).unwrap();
    assert_eq!(ws.r#type, Some(1));
    let req = ws.request.unwrap();
    assert_eq!(
        (req.verb.as_deref(), req.path.as_deref(), req.id),
        (Some(""), Some(""), Some(0))
    );
    let env = Envelope::decode(req.body.unwrap().as_slice()).unwrap();
    assert_eq!(
        (env.r#type, env.timestamp, env.source.as_deref()),
        (6, 1, None)
    );
    // Byte layout: 08 01 | 12 len | 0a 00 | 12 00 | 1a len … | 20 00
    assert_eq!(&stored[..2], &[0x08, 0x01]);
    assert_eq!(&stored[5..9], &[0x0a, 0x00, 0x12, 0x00]);
    assert_eq!(&stored[stored.len() - 2..], &[0x20, 0x00]);
}

// ---------------------------------------------------------------- config-legacy-protobuf.json

#[test]
fn legacy_protobuf_vector_unwraps_and_decodes() {
    let v = vectors("config-legacy-protobuf.json");
    let seed = key32(v["ed25519_seed"].as_str().unwrap());
    let kp = Keypair::from_seed32(&seed);
    let stored = hex_field(&v, "wrapped_hex");

    let ws = WebSocketMessage::decode(stored.as_slice()).unwrap();
    let req = ws.request.unwrap();
    assert_eq!(req.verb.as_deref(), Some("PUT"));
    assert_eq!(req.path.as_deref(), Some("/api/v1/message"));
    assert_eq!(req.id, Some(166_405_109_991_502_650));
    let env = Envelope::decode(req.body.unwrap().as_slice()).unwrap();
    assert_eq!(env.source.as_deref(), Some(""));
    assert_eq!(env.source_device, Some(1));
    assert_eq!(env.content.as_ref().map(Vec::len), Some(783));

    let un = unwrap(&kp, &stored, SharedConfigKind::UserProfile).unwrap();
    assert_eq!(un.kind, SharedConfigKind::UserProfile);
    assert_eq!(un.seqno, 4);
    assert_eq!(un.data.len(), 512);
    assert_eq!(un.envelope_timestamp, 1_696_374_203_105);

    let keys = [seed];
    let ctx = ReceiveContext::new(ConfigKind::UserProfile, &keys);
    let message = receive_single(&ctx, &stored).unwrap();
    assert!(message.starts_with(b"d1:#i4e1:&d1:+i-1e1:n5:Test1e1:<l"));
    assert!(message.ends_with(b"1:=dee") || message.ends_with(b"e"));

    // Wrong kind for this namespace, or another account's key: refused.
    assert!(matches!(
        unwrap(&kp, &stored, SharedConfigKind::Contacts),
        Err(UnwrapError::WrongKind {
            expected: 2,
            found: 1
        })
    ));
    let other = Keypair::from_seed32(&[9u8; 32]);
    assert!(matches!(
        unwrap(&other, &stored, SharedConfigKind::UserProfile),
        Err(UnwrapError::Decrypt(_))
    ));
    let ctx_contacts = ReceiveContext::new(ConfigKind::Contacts, &keys);
    // Falls back to raw, which then does not decrypt.
    assert_eq!(
        receive_single(&ctx_contacts, &stored),
        Err(ReceiveError::DecryptFailed { keys_tried: 1 })
    );
}

// ---------------------------------------------------------------- wrapping

#[test]
fn double_wrapped_and_raw_user_configs_are_read() {
    let seed = [0x42u8; 32];
    let kp = Keypair::from_seed32(&seed);
    let msg = b"d1:#i7e1:&d1:n3:Bobe1:<le1:=d1:n0:ee";
    let ct = config_encrypt::pad_and_encrypt(msg, &seed, "Contacts").unwrap();
    let once = wrap(&kp, SharedConfigKind::Contacts, 7, &ct).unwrap();
    let twice = wrap(&kp, SharedConfigKind::Contacts, 7, &once).unwrap();
    let keys = [seed];
    let ctx = ReceiveContext::new(ConfigKind::Contacts, &keys);
    let mut buf = MultipartBuffer::default();
    for (stored, wrapping) in [
        (&ct, Wrapping::Raw),
        (&once, Wrapping::Wrapped),
        (&twice, Wrapping::DoubleWrapped),
    ] {
        let Received::Config(got) = receive_config(&ctx, &mut buf, "x", stored, 0).unwrap() else {
            panic!("not a config");
        };
        assert_eq!(got.message, msg);
        assert_eq!(got.wrapping, wrapping);
        assert_eq!(
            unwrap_lenient(&kp, stored, SharedConfigKind::Contacts).1,
            wrapping
        );
    }
}

#[test]
fn unwrap_checks_padding_sender_and_type() {
    use session_protocol::proto::{Content, EnvelopeType, SharedConfigMessage};
    use session_protocol::session_crypto::encrypt_for_recipient_deterministic;
    let kp = Keypair::from_seed32(&[1u8; 32]);
    let build = |plain: &[u8], sender: &Keypair, ws_type: i32| {
        let sealed = encrypt_for_recipient_deterministic(sender, &kp.session_id(), plain).unwrap();
        let env = Envelope {
            r#type: EnvelopeType::SessionMessage.into(),
            timestamp: 1,
            content: Some(sealed),
            ..Envelope::default()
        };
        WebSocketMessage {
            r#type: Some(ws_type),
            request: Some(session_protocol::proto::WebSocketRequestMessage {
                body: Some(env.encode_to_vec()),
                ..Default::default()
            }),
            response: None,
        }
        .encode_to_vec()
    };
    let content = Content {
        shared_config_message: Some(SharedConfigMessage {
            kind: 1,
            seqno: 3,
            data: b"abc".to_vec(),
        }),
        ..Content::default()
    }
    .encode_to_vec();
    let mut padded = content.clone();
    padded.push(0x80);
    padded.extend_from_slice(&[0; 20]);
    assert_eq!(
        unwrap(&kp, &build(&padded, &kp, 1), SharedConfigKind::UserProfile)
            .unwrap()
            .data,
        b"abc"
    );
    assert_eq!(
        unwrap(&kp, &build(&content, &kp, 1), SharedConfigKind::UserProfile),
        Err(UnwrapError::BadPadding)
    );
    let stranger = Keypair::from_seed32(&[2u8; 32]);
    assert_eq!(
        unwrap(
            &kp,
            &build(&padded, &stranger, 1),
            SharedConfigKind::UserProfile
        ),
        Err(UnwrapError::NotFromUs)
    );
    assert_eq!(
        unwrap(&kp, &build(&padded, &kp, 2), SharedConfigKind::UserProfile),
        Err(UnwrapError::NotRequest(Some(2)))
    );
    let no_config = [Content::default().encode_to_vec(), vec![0x80]].concat();
    assert_eq!(
        unwrap(
            &kp,
            &build(&no_config, &kp, 1),
            SharedConfigKind::UserProfile
        ),
        Err(UnwrapError::NoSharedConfig)
    );
    assert!(matches!(
        unwrap(&kp, b"\xff\xff", SharedConfigKind::UserProfile),
        Err(UnwrapError::NotWebSocketMessage(_))
    ));
}
