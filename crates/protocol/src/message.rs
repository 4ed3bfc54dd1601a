//! The one-to-one message pipeline (PROTOCOL.md §3): `Content` → padding → signature and sealed
//! box → `Envelope` → `WebSocketMessage` → bytes (→ base64 for the storage server), and back.
//!
//! The envelope matches what current (libsession-based) clients send, checked in
//! libsession-util `src/session_protocol.cpp` (`encode_for_destination`, `decode_envelope`):
//! `sourceDevice = 1` and a 64-byte Pro signature field that holds a random decoy when the
//! sender has no Session Pro. Receivers there ignore the WebSocket verb, path and id, and so do we.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use curve25519_dalek::{EdwardsPoint, Scalar};
use prost::Message as _;
use rand_core::{OsRng, RngCore};
use zeroize::Zeroizing;

use crate::agreement::PreparedPublicKey;
use crate::identity::{Keypair, SessionId};
use crate::padding::{pad, unpad};
use crate::proto::{
    Content, Envelope, EnvelopeType, WebSocketMessage, WebSocketMessageType,
    WebSocketRequestMessage,
};
use crate::session_crypto::{
    decrypt_incoming, encrypt_for_prepared_recipient, encrypt_for_recipient, SessionCryptoError,
};

/// WebSocket verb of a stored message (old desktop sender; receivers ignore it).
pub const WEBSOCKET_VERB: &str = "PUT";
/// WebSocket path of a stored message (old desktop sender; receivers ignore it).
pub const WEBSOCKET_PATH: &str = "/api/v1/message";
/// `Envelope.sourceDevice` as libsession sets it.
const SOURCE_DEVICE: u32 = 1;

/// Why a message could not be wrapped or unwrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    /// The storage-server `data` field is not valid standard base64.
    #[error("the stored message is not valid base64: {0}")]
    BadBase64(#[from] base64::DecodeError),
    /// The bytes are neither a WebSocket message nor an envelope.
    #[error("the message is neither a WebSocket message nor an envelope: {0}")]
    BadWebSocketMessage(prost::DecodeError),
    /// The WebSocket message is not a request (type 0 = unknown, 2 = response).
    #[error("the WebSocket message has type {message_type}, expected a request (1)")]
    NotARequest {
        /// The type number found.
        message_type: i32,
    },
    /// The WebSocket request carries no body (the envelope).
    #[error("the WebSocket request has no body, so there is no envelope")]
    MissingBody,
    /// The request body is not an envelope protobuf.
    #[error("the envelope could not be parsed: {0}")]
    BadEnvelope(prost::DecodeError),
    /// The envelope carries no encrypted content.
    #[error("the envelope has no content")]
    MissingEnvelopeContent,
    /// Not a one-to-one message (7 = legacy closed group, which is not supported).
    #[error("envelope type {envelope_type} is not supported; only one-to-one messages (6) are")]
    UnsupportedEnvelopeType {
        /// The type number found.
        envelope_type: i32,
    },
    /// Sealing the message failed.
    #[error("the message could not be encrypted: {0}")]
    EncryptionFailed(SessionCryptoError),
    /// Opening or verifying the message failed.
    #[error("the message could not be decrypted: {0}")]
    DecryptionFailed(SessionCryptoError),
    /// The decrypted payload is not a `Content` protobuf.
    #[error("the decrypted message is not a valid Content protobuf: {0}")]
    BadContent(prost::DecodeError),
    /// The `Content` has no message in it.
    #[error("the decrypted message contains nothing (no message field is set)")]
    EmptyContent,
    /// The signed timestamp inside the content differs from the envelope's (which anyone could
    /// have changed); the desktop drops such messages too.
    #[error("the envelope timestamp {envelope_ms} differs from the signed timestamp {signed_ms}")]
    TimestampMismatch {
        /// The envelope's (unauthenticated) timestamp.
        envelope_ms: u64,
        /// `Content.sigTimestamp`.
        signed_ms: u64,
    },
}

/// A decrypted, verified incoming message.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming {
    /// The sender's Session ID.
    pub sender: SessionId,
    /// The sender's Ed25519 public key (it signed the message).
    pub sender_ed25519: [u8; 32],
    /// The sent time (ms) from the envelope; equals `content.sig_timestamp` when that is set.
    pub envelope_timestamp_ms: u64,
    /// The message.
    pub content: Content,
}

/// Encrypts `content` for `recipient` and wraps it as stored on the storage server:
/// Content → pad → sign + seal → `Envelope { SESSION_MESSAGE, timestamp, content }` →
/// `WebSocketMessage { REQUEST, PUT /api/v1/message, body, id 0 }` → bytes.
///
/// `content.sig_timestamp` is set to `sent_timestamp_ms` so that the signed and envelope
/// timestamps agree, as receivers require.
pub fn wrap_for_recipient(
    sender: &Keypair,
    recipient: &SessionId,
    content: &Content,
    sent_timestamp_ms: u64,
) -> Result<Vec<u8>, MessageError> {
    wrap_sealed(content, sent_timestamp_ms, |padded| {
        encrypt_for_recipient(sender, recipient, padded)
    })
}

/// [`wrap_for_recipient`] with the recipient's X25519 key prepared by the caller (a table for
/// a contact written to often, see [`crate::agreement`]); `None` is [`wrap_for_recipient`].
pub fn wrap_for_prepared_recipient(
    sender: &Keypair,
    recipient: &SessionId,
    prepared: Option<&PreparedPublicKey>,
    content: &Content,
    sent_timestamp_ms: u64,
) -> Result<Vec<u8>, MessageError> {
    wrap_sealed(content, sent_timestamp_ms, |padded| match prepared {
        Some(prepared) => encrypt_for_prepared_recipient(sender, recipient, prepared, padded),
        None => encrypt_for_recipient(sender, recipient, padded),
    })
}

/// The pipeline around the sealed box: `seal` encrypts the padded content.
fn wrap_sealed(
    content: &Content,
    sent_timestamp_ms: u64,
    seal: impl FnOnce(&[u8]) -> Result<Vec<u8>, SessionCryptoError>,
) -> Result<Vec<u8>, MessageError> {
    let mut content = content.clone();
    content.sig_timestamp = Some(sent_timestamp_ms);
    let padded = Zeroizing::new(pad(&content.encode_to_vec()));
    let sealed = seal(&padded).map_err(MessageError::EncryptionFailed)?;
    let envelope = Envelope {
        r#type: EnvelopeType::SessionMessage.into(),
        source: None,
        timestamp: sent_timestamp_ms,
        source_device: Some(SOURCE_DEVICE),
        content: Some(sealed),
        server_timestamp: None,
        pro_sig: Some(decoy_pro_signature()),
    };
    let frame = WebSocketMessage {
        r#type: Some(WebSocketMessageType::Request.into()),
        request: Some(WebSocketRequestMessage {
            verb: Some(WEBSOCKET_VERB.to_owned()),
            path: Some(WEBSOCKET_PATH.to_owned()),
            body: Some(envelope.encode_to_vec()),
            id: Some(0),
            headers: Vec::new(),
        }),
        response: None,
    };
    Ok(frame.encode_to_vec())
}

/// [`wrap_for_recipient`] as standard base64: the `data` of a storage-server `store` call.
pub fn wrap_for_store(
    sender: &Keypair,
    recipient: &SessionId,
    content: &Content,
    sent_timestamp_ms: u64,
) -> Result<String, MessageError> {
    wrap_for_recipient(sender, recipient, content, sent_timestamp_ms).map(|b| BASE64.encode(b))
}

/// [`wrap_for_prepared_recipient`] as standard base64.
pub fn wrap_for_store_prepared(
    sender: &Keypair,
    recipient: &SessionId,
    prepared: Option<&PreparedPublicKey>,
    content: &Content,
    sent_timestamp_ms: u64,
) -> Result<String, MessageError> {
    wrap_for_prepared_recipient(sender, recipient, prepared, content, sent_timestamp_ms)
        .map(|b| BASE64.encode(b))
}

/// Unwraps, decrypts and verifies a message addressed to `recipient`. Accepts a WebSocket
/// message (what the storage server holds) or, tolerantly, a bare envelope.
pub fn unwrap_incoming(recipient: &Keypair, data: &[u8]) -> Result<Incoming, MessageError> {
    let envelope = extract_envelope(data)?;
    if envelope.r#type != i32::from(EnvelopeType::SessionMessage) {
        return Err(MessageError::UnsupportedEnvelopeType {
            envelope_type: envelope.r#type,
        });
    }
    let sealed = envelope
        .content
        .as_deref()
        .ok_or(MessageError::MissingEnvelopeContent)?;
    let decrypted = decrypt_incoming(recipient, sealed).map_err(MessageError::DecryptionFailed)?;
    let content = Content::decode(unpad(&decrypted.message)).map_err(MessageError::BadContent)?;
    if !content.has_payload() {
        return Err(MessageError::EmptyContent);
    }
    // Zero or missing means an old client that did not sign its timestamp.
    if let Some(signed_ms) = content.sig_timestamp.filter(|&t| t != 0) {
        if signed_ms != envelope.timestamp {
            return Err(MessageError::TimestampMismatch {
                envelope_ms: envelope.timestamp,
                signed_ms,
            });
        }
    }
    Ok(Incoming {
        sender: decrypted.sender,
        sender_ed25519: decrypted.sender_ed25519,
        envelope_timestamp_ms: envelope.timestamp,
        content,
    })
}

/// [`unwrap_incoming`] for the base64 `data` of a message retrieved from the storage server.
pub fn unwrap_from_store(recipient: &Keypair, data_base64: &str) -> Result<Incoming, MessageError> {
    let data = BASE64.decode(data_base64)?;
    unwrap_incoming(recipient, &data)
}

/// Finds the envelope in `data`: the body of a WebSocket request, or `data` itself when it is a
/// bare envelope.
fn extract_envelope(data: &[u8]) -> Result<Envelope, MessageError> {
    let frame = WebSocketMessage::decode(data);
    if let Ok(frame) = &frame {
        // A missing type with a request present is taken as a request, as libsession does.
        let is_request = match frame.r#type {
            Some(t) => t == i32::from(WebSocketMessageType::Request),
            None => frame.request.is_some(),
        };
        if is_request {
            let body = frame
                .request
                .as_ref()
                .and_then(|r| r.body.as_deref())
                .ok_or(MessageError::MissingBody)?;
            return Envelope::decode(body).map_err(MessageError::BadEnvelope);
        }
    }
    // A bare envelope's type (6 or 7) sits where a WebSocket type would, so it never looks
    // like a request.
    if let Ok(envelope) = Envelope::decode(data) {
        if is_envelope_type(envelope.r#type) && envelope.content.is_some() {
            return Ok(envelope);
        }
    }
    match frame {
        Ok(frame) => Err(MessageError::NotARequest {
            message_type: frame.r#type.unwrap_or_default(),
        }),
        Err(e) => Err(MessageError::BadWebSocketMessage(e)),
    }
}

fn is_envelope_type(value: i32) -> bool {
    EnvelopeType::try_from(value).is_ok()
}

/// A validly encoded Ed25519 signature that verifies against nothing (`R = r·B`, `s` random),
/// as libsession attaches when the sender has no Pro key so that Pro and non-Pro envelopes look
/// alike.
fn decoy_pro_signature() -> Vec<u8> {
    let mut wide = Zeroizing::new([0u8; 64]);
    OsRng.fill_bytes(wide.as_mut());
    let r = Scalar::from_bytes_mod_order_wide(&wide);
    OsRng.fill_bytes(wide.as_mut());
    let s = Scalar::from_bytes_mod_order_wide(&wide);
    let mut sig = Vec::with_capacity(64);
    sig.extend_from_slice(EdwardsPoint::mul_base(&r).compress().as_bytes());
    sig.extend_from_slice(s.as_bytes());
    sig
}
