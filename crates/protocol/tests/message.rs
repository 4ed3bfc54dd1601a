//! The one-to-one send/receive pipeline: round trips, the exact outer layout, and every way an
//! incoming message can be rejected.

// Test helpers outside #[test] functions unwrap too; a panic is a test failure.
#![allow(clippy::unwrap_used)]

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use curve25519_dalek::edwards::CompressedEdwardsY;
use proptest::prelude::*;
use session_protocol::identity::Keypair;
use session_protocol::message::{
    unwrap_from_store, unwrap_incoming, wrap_for_recipient, wrap_for_store, MessageError,
};
use session_protocol::padding::pad;
use session_protocol::proto::*;
use session_protocol::session_crypto::{encrypt_for_recipient, SessionCryptoError};

const TS: u64 = 1_700_000_000_123;

fn alice() -> Keypair {
    Keypair::from_seed32(&[1; 32])
}

fn bob() -> Keypair {
    Keypair::from_seed32(&[2; 32])
}

fn frame(bytes: &[u8]) -> WebSocketMessage {
    WebSocketMessage::decode(bytes).unwrap()
}

fn envelope_of(bytes: &[u8]) -> Envelope {
    let body = frame(bytes).request.unwrap().body.unwrap();
    Envelope::decode(body.as_slice()).unwrap()
}

fn rewrap(envelope: &Envelope) -> Vec<u8> {
    let mut ws = frame(&wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap());
    ws.request.as_mut().unwrap().body = Some(envelope.encode_to_vec());
    ws.encode_to_vec()
}

fn hello() -> Content {
    Content::text("hello Bob", Some(LokiProfile::named("Alice")))
}

/// Seals arbitrary plaintext from alice to bob inside a normal envelope and frame.
fn sealed_plaintext(plaintext: &[u8]) -> Vec<u8> {
    let sealed = encrypt_for_recipient(&alice(), &bob().session_id(), &pad(plaintext)).unwrap();
    let mut env =
        envelope_of(&wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap());
    env.content = Some(sealed);
    rewrap(&env)
}

#[test]
fn round_trip_between_two_accounts() {
    let (_, a) = Keypair::generate();
    let (_, b) = Keypair::generate();
    let content = hello();
    let bytes = wrap_for_recipient(&a, &b.session_id(), &content, TS).unwrap();
    let incoming = unwrap_incoming(&b, &bytes).unwrap();
    assert_eq!(incoming.sender, a.session_id());
    assert_eq!(incoming.sender_ed25519, a.ed25519_public());
    assert_eq!(incoming.envelope_timestamp_ms, TS);
    let mut expected = content;
    expected.sig_timestamp = Some(TS);
    assert_eq!(incoming.content, expected);
}

#[test]
fn store_round_trip_is_base64() {
    let data = wrap_for_store(
        &alice(),
        &bob().session_id(),
        &Content::typing(true, TS),
        TS,
    )
    .unwrap();
    let raw = BASE64.decode(&data).unwrap();
    assert_eq!(frame(&raw).r#type(), WebSocketMessageType::Request);
    let incoming = unwrap_from_store(&bob(), &data).unwrap();
    assert_eq!(incoming.sender, alice().session_id());
    assert_eq!(
        incoming.content.typing_message.unwrap().action(),
        TypingAction::Started
    );
}

#[test]
fn outer_layout_matches_the_protocol() {
    let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap();
    let ws = frame(&bytes);
    assert_eq!(ws.r#type, Some(1));
    let req = ws.request.unwrap();
    assert_eq!(req.verb.as_deref(), Some("PUT"));
    assert_eq!(req.path.as_deref(), Some("/api/v1/message"));
    assert_eq!(req.id, Some(0));
    assert!(req.headers.is_empty());
    assert!(ws.response.is_none());

    let env = Envelope::decode(req.body.unwrap().as_slice()).unwrap();
    assert_eq!(env.r#type(), EnvelopeType::SessionMessage);
    assert_eq!(env.r#type, 6);
    assert_eq!(env.timestamp, TS);
    assert_eq!(env.source, None, "1:1 envelopes carry no source");
    assert_eq!(env.source_device, Some(1));
    assert_eq!(env.server_timestamp, None);

    // sealed = 48 bytes box overhead + padded Content + 32 sender key + 64 signature
    let mut signed = hello();
    signed.sig_timestamp = Some(TS);
    let padded_len = pad(&signed.encode_to_vec()).len();
    assert_eq!(padded_len % 160, 159);
    assert_eq!(env.content.unwrap().len(), 48 + padded_len + 96);

    // The decoy Pro signature is 64 bytes and its R half is a valid curve point.
    let sig = env.pro_sig.unwrap();
    assert_eq!(sig.len(), 64);
    let r = CompressedEdwardsY::from_slice(&sig[..32]).unwrap();
    assert!(r.decompress().is_some());
    let again =
        envelope_of(&wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap());
    assert_ne!(again.pro_sig.unwrap(), sig, "decoy is random per message");
}

#[test]
fn bare_envelope_is_accepted() {
    let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap();
    let env = envelope_of(&bytes);
    let incoming = unwrap_incoming(&bob(), &env.encode_to_vec()).unwrap();
    assert_eq!(
        incoming.content.data_message.unwrap().body.as_deref(),
        Some("hello Bob")
    );
}

#[test]
fn note_to_self_works() {
    let me = alice();
    let bytes = wrap_for_recipient(&me, &me.session_id(), &hello(), TS).unwrap();
    assert_eq!(
        unwrap_incoming(&me, &bytes).unwrap().sender,
        me.session_id()
    );
}

#[test]
fn other_recipient_cannot_open() {
    let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap();
    let eve = Keypair::from_seed32(&[3; 32]);
    assert_eq!(
        unwrap_incoming(&eve, &bytes),
        Err(MessageError::DecryptionFailed(
            SessionCryptoError::CannotOpen
        ))
    );
}

#[test]
fn tampered_content_is_rejected() {
    let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap();
    let mut env = envelope_of(&bytes);
    let content = env.content.as_mut().unwrap();
    let last = content.len() - 1;
    content[last] ^= 1;
    assert_eq!(
        unwrap_incoming(&bob(), &rewrap(&env)),
        Err(MessageError::DecryptionFailed(
            SessionCryptoError::CannotOpen
        ))
    );
}

#[test]
fn tampered_envelope_timestamp_is_rejected() {
    let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap();
    let mut env = envelope_of(&bytes);
    env.timestamp = TS + 1;
    assert_eq!(
        unwrap_incoming(&bob(), &rewrap(&env)),
        Err(MessageError::TimestampMismatch {
            envelope_ms: TS + 1,
            signed_ms: TS
        })
    );
}

#[test]
fn old_client_without_signed_timestamp_is_accepted() {
    let bytes = sealed_plaintext(&Content::text("old", None).encode_to_vec());
    let incoming = unwrap_incoming(&bob(), &bytes).unwrap();
    assert_eq!(incoming.content.sig_timestamp, None);
    assert_eq!(incoming.envelope_timestamp_ms, TS);
}

#[test]
fn garbage_base64_is_rejected() {
    assert!(matches!(
        unwrap_from_store(&bob(), "not base64!!"),
        Err(MessageError::BadBase64(_))
    ));
}

#[test]
fn non_request_frames_are_rejected() {
    let response = WebSocketMessage {
        r#type: Some(WebSocketMessageType::Response.into()),
        request: None,
        response: Some(WebSocketResponseMessage::default()),
    };
    assert_eq!(
        unwrap_incoming(&bob(), &response.encode_to_vec()),
        Err(MessageError::NotARequest { message_type: 2 })
    );
    // Not protobuf at all: a truncated length-delimited field.
    assert!(matches!(
        unwrap_incoming(&bob(), &[0x12, 0x05, 0x01]),
        Err(MessageError::BadWebSocketMessage(_))
    ));
}

#[test]
fn missing_body_is_rejected() {
    let mut ws = frame(&wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap());
    ws.request.as_mut().unwrap().body = None;
    assert_eq!(
        unwrap_incoming(&bob(), &ws.encode_to_vec()),
        Err(MessageError::MissingBody)
    );
    ws.request = None;
    assert_eq!(
        unwrap_incoming(&bob(), &ws.encode_to_vec()),
        Err(MessageError::MissingBody)
    );
}

#[test]
fn bad_envelope_is_rejected() {
    let mut ws = frame(&wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap());
    ws.request.as_mut().unwrap().body = Some(vec![0x42, 0x7f, 0x00]);
    assert!(matches!(
        unwrap_incoming(&bob(), &ws.encode_to_vec()),
        Err(MessageError::BadEnvelope(_))
    ));
}

#[test]
fn envelope_problems_are_named() {
    let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &hello(), TS).unwrap();
    let mut env = envelope_of(&bytes);
    env.r#type = EnvelopeType::ClosedGroupMessage.into();
    assert_eq!(
        unwrap_incoming(&bob(), &rewrap(&env)),
        Err(MessageError::UnsupportedEnvelopeType { envelope_type: 7 })
    );
    let mut env = envelope_of(&bytes);
    env.content = None;
    assert_eq!(
        unwrap_incoming(&bob(), &rewrap(&env)),
        Err(MessageError::MissingEnvelopeContent)
    );
}

#[test]
fn content_problems_are_named() {
    let empty = Content {
        sig_timestamp: Some(TS),
        ..Content::default()
    };
    assert_eq!(
        unwrap_incoming(&bob(), &sealed_plaintext(&empty.encode_to_vec())),
        Err(MessageError::EmptyContent)
    );
    assert!(matches!(
        unwrap_incoming(&bob(), &sealed_plaintext(&[0x0a, 0x7f, 0x01])),
        Err(MessageError::BadContent(_))
    ));
}

#[test]
fn errors_read_well() {
    let e = MessageError::NotARequest { message_type: 2 };
    assert_eq!(
        e.to_string(),
        "the WebSocket message has type 2, expected a request (1)"
    );
    let e = MessageError::DecryptionFailed(SessionCryptoError::CannotOpen);
    assert!(e
        .to_string()
        .starts_with("the message could not be decrypted: "));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn unwrap_never_panics(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let _ = unwrap_incoming(&bob(), &data);
        let _ = unwrap_from_store(&bob(), &BASE64.encode(&data));
    }

    #[test]
    fn unwrap_from_store_never_panics_on_text(text in ".{0,300}") {
        let _ = unwrap_from_store(&bob(), &text);
    }

    #[test]
    fn any_text_round_trips(body in ".{0,400}", ts in 1u64..u64::MAX) {
        let content = Content::text(&body, None);
        let bytes = wrap_for_recipient(&alice(), &bob().session_id(), &content, ts).unwrap();
        let incoming = unwrap_incoming(&bob(), &bytes).unwrap();
        prop_assert_eq!(incoming.envelope_timestamp_ms, ts);
        prop_assert_eq!(incoming.content.data_message.unwrap().body.unwrap_or_default(), body);
    }
}
