//! Parse a combined payload and peel it with a fixed node key: must never panic.
#![no_main]

use session_protocol::onion::{peel, CombinedPayload, LayerHeader, X25519Keypair};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(combined) = CombinedPayload::parse(data) {
        let _ = LayerHeader::parse(combined.json);
    }
    let node = X25519Keypair::from_secret_bytes([9; 32]);
    let _ = peel(&node, data);
});
