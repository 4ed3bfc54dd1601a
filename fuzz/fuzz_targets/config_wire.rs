//! Feeds arbitrary bytes to the config receive pipeline (unwrap, decrypt, multipart buffer,
//! bounded zstd) for every config kind, both as stored bytes and as a decrypted plaintext
//! (encrypted here with the receiver's key so the fuzzer reaches the part parser and inflater),
//! plus the multi-encrypt "simple" decoder.
#![no_main]

use std::sync::{Mutex, OnceLock};

use libfuzzer_sys::fuzz_target;
use session_protocol::config_encrypt;
use session_protocol::config_wire::multipart::{MultipartBuffer, MultipartLimits};
use session_protocol::config_wire::pipeline::{receive_config, receive_single, ReceiveContext};
use session_protocol::config_wire::ConfigKind;
use session_protocol::identity::Keypair;
use session_protocol::multi_encrypt::decrypt_for_multiple_simple;

const KEY: [u8; 32] = [7; 32];

fn buffer() -> &'static Mutex<MultipartBuffer> {
    static BUFFER: OnceLock<Mutex<MultipartBuffer>> = OnceLock::new();
    BUFFER.get_or_init(|| {
        Mutex::new(MultipartBuffer::new(MultipartLimits {
            max_pending_bytes: 1 << 20,
            ..MultipartLimits::default()
        }))
    })
}

fn recipient() -> &'static Keypair {
    static KEYPAIR: OnceLock<Keypair> = OnceLock::new();
    KEYPAIR.get_or_init(|| Keypair::from_seed32(&KEY))
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let kind = ConfigKind::ALL[usize::from(selector) % ConfigKind::ALL.len()];
    let keys = [KEY];
    let ctx = ReceiveContext {
        max_decompressed: 1 << 22,
        ..ReceiveContext::new(kind, &keys)
    };
    let now = u64::from(selector) * 60_000;
    let _ = receive_single(&ctx, rest);
    if let Ok(mut buf) = buffer().lock() {
        let _ = receive_config(&ctx, &mut buf, "fuzz", rest, now);
        if let Ok(stored) = config_encrypt::encrypt(rest, &KEY, kind.domain()) {
            let _ = receive_config(&ctx, &mut buf, "fuzz-plain", &stored, now);
        }
    }
    let _ = decrypt_for_multiple_simple(rest, recipient().x25519_secret(), &[9; 32], b"fuzz");
});
