//! Feeds arbitrary bytes to every decoder on the incoming-message path: the WebSocket frame,
//! the envelope, the content protobuf, and the whole unwrap pipeline with a fixed key pair.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use session_protocol::identity::Keypair;
use session_protocol::message::{unwrap_from_store, unwrap_incoming};
use session_protocol::proto::{Content, DataMessage, Envelope, Message, WebSocketMessage};

fn recipient() -> &'static Keypair {
    static KEYPAIR: OnceLock<Keypair> = OnceLock::new();
    KEYPAIR.get_or_init(|| Keypair::from_seed32(&[7; 32]))
}

fuzz_target!(|data: &[u8]| {
    let _ = WebSocketMessage::decode(data);
    let _ = Envelope::decode(data);
    let _ = Content::decode(data);
    let _ = DataMessage::decode(data);
    let _ = unwrap_incoming(recipient(), data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = unwrap_from_store(recipient(), text);
    }
});
