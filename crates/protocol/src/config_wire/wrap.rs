//! Protobuf wrapping of user configs (CONFIG-GROUPS.md §1.7 step 5, §1.8; libsession
//! `src/config/protos.cpp`).
//!
//! Older Session clients expected configs as ordinary one-to-one messages to oneself, so
//! libsession still wraps the encrypted config of the four user configs:
//!
//! ```text
//! WebSocketMessage{ type=1 REQUEST, request=WebSocketRequestMessage{ verb="", path="",
//!   body=Envelope{ type=6 SESSION_MESSAGE, timestamp=1,
//!     content=encrypt_for_recipient_deterministic(own key, own X25519 key,
//!       Content{ sharedConfigMessage(11)={ kind, seqno, data=config ciphertext } } ‖ 0x80) },
//!   requestId=0 } }
//! ```
//!
//! Fields go out in field-number order and the proto2 fields that are set are emitted even when
//! they hold a default (`seqno=0`, empty `verb`/`path`, `requestId=0`): the result is byte for
//! byte what libsession produces (vector `user-config-push.json`). Only one `0x80` is appended
//! (no 160-byte padding). Clients of 2023 used real padding, `PUT /api/v1/message` and a real
//! envelope timestamp; [`unwrap`] accepts both (vector `config-legacy-protobuf.json`).

use prost::Message;

use crate::identity::Keypair;
use crate::proto::{
    Content, Envelope, EnvelopeType, SharedConfigKind, SharedConfigMessage, WebSocketMessage,
    WebSocketMessageType, WebSocketRequestMessage,
};
use crate::session_crypto::SessionCryptoError;
use crate::session_crypto::{decrypt_incoming, encrypt_for_recipient_deterministic};

/// Envelope timestamp libsession writes (old clients need it to be non-zero).
pub const WRAP_ENVELOPE_TIMESTAMP: u64 = 1;
/// The single padding byte appended to the wrapped `Content`.
pub const PADDING_MARKER: u8 = 0x80;

/// Why a config could not be wrapped.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WrapError {
    /// Sealing the content to our own key failed (only possible for absurdly large data).
    #[error("could not encrypt the wrapped config to our own key: {0}")]
    Encrypt(#[from] SessionCryptoError),
}

/// Why stored bytes are not a wrapped config for us (the receiver then treats them as raw
/// config ciphertext).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnwrapError {
    /// Not a protobuf `WebSocketMessage`.
    #[error("stored config is not a protobuf WebSocketMessage: {0}")]
    NotWebSocketMessage(String),
    /// A `WebSocketMessage` that is not a request.
    #[error("stored config is a WebSocketMessage but not a REQUEST (type {0:?})")]
    NotRequest(Option<i32>),
    /// The request has no body or the body is not an `Envelope`.
    #[error("wrapped config has no valid Envelope in its request body")]
    BadEnvelope,
    /// The envelope has no content.
    #[error("wrapped config envelope has no content")]
    NoContent,
    /// The sealed content did not open with our key or its signature was bad.
    #[error("wrapped config could not be decrypted with our key: {0}")]
    Decrypt(SessionCryptoError),
    /// The content was sealed by another account; configs are only ever sent to oneself.
    #[error("wrapped config was not sent by this account; ignoring it")]
    NotFromUs,
    /// The padding (`0x80` then zero bytes) is missing.
    #[error("wrapped config content has no 0x80 padding marker")]
    BadPadding,
    /// The content is not a protobuf `Content`.
    #[error("wrapped config content is not a protobuf Content: {0}")]
    BadContent(String),
    /// `Content` holds no `sharedConfigMessage`.
    #[error("wrapped content does not hold a SharedConfigMessage")]
    NoSharedConfig,
    /// The `SharedConfigMessage` is for another config type.
    #[error("wrapped config is of kind {found}, expected {expected} for this namespace")]
    WrongKind {
        /// The kind this namespace holds.
        expected: i32,
        /// The kind found in the message.
        found: i32,
    },
}

/// What [`unwrap`] extracts.
#[derive(Clone, PartialEq, Eq)]
pub struct Unwrapped {
    /// The `SharedConfigMessage.kind` (already checked against the expected kind).
    pub kind: SharedConfigKind,
    /// The `SharedConfigMessage.seqno`.
    pub seqno: i64,
    /// The `SharedConfigMessage.data`: normally the config ciphertext.
    pub data: Vec<u8>,
    /// The envelope timestamp (1 from libsession, the sent time from 2023 clients).
    pub envelope_timestamp: u64,
}

impl std::fmt::Debug for Unwrapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unwrapped")
            .field("kind", &self.kind)
            .field("seqno", &self.seqno)
            .field("data_len", &self.data.len())
            .field("envelope_timestamp", &self.envelope_timestamp)
            .finish()
    }
}

/// Wraps a config ciphertext the way libsession's `wrap_config` does. `identity` is the account
/// whose seed encrypts user configs; the content is sealed from and to that account.
pub fn wrap(
    identity: &Keypair,
    kind: SharedConfigKind,
    seqno: i64,
    ciphertext: &[u8],
) -> Result<Vec<u8>, WrapError> {
    let content = Content {
        shared_config_message: Some(SharedConfigMessage {
            kind: kind.into(),
            seqno,
            data: ciphertext.to_vec(),
        }),
        ..Content::default()
    };
    let mut plain = content.encode_to_vec();
    plain.push(PADDING_MARKER);
    let sealed = encrypt_for_recipient_deterministic(identity, &identity.session_id(), &plain)?;
    let envelope = Envelope {
        r#type: EnvelopeType::SessionMessage.into(),
        timestamp: WRAP_ENVELOPE_TIMESTAMP,
        content: Some(sealed),
        ..Envelope::default()
    };
    let message = WebSocketMessage {
        r#type: Some(WebSocketMessageType::Request.into()),
        request: Some(WebSocketRequestMessage {
            verb: Some(String::new()),
            path: Some(String::new()),
            body: Some(envelope.encode_to_vec()),
            id: Some(0),
            headers: Vec::new(),
        }),
        response: None,
    };
    Ok(message.encode_to_vec())
}

/// Undoes [`wrap`] (or a 2023 client's wrapping) with every check libsession makes.
pub fn unwrap(
    identity: &Keypair,
    data: &[u8],
    expected: SharedConfigKind,
) -> Result<Unwrapped, UnwrapError> {
    let message = WebSocketMessage::decode(data)
        .map_err(|e| UnwrapError::NotWebSocketMessage(e.to_string()))?;
    if message.r#type != Some(WebSocketMessageType::Request.into()) {
        return Err(UnwrapError::NotRequest(message.r#type));
    }
    let body = message
        .request
        .and_then(|r| r.body)
        .ok_or(UnwrapError::BadEnvelope)?;
    let envelope = Envelope::decode(body.as_slice()).map_err(|_| UnwrapError::BadEnvelope)?;
    let sealed = envelope.content.ok_or(UnwrapError::NoContent)?;
    let opened = decrypt_incoming(identity, &sealed).map_err(UnwrapError::Decrypt)?;
    if opened.sender_ed25519 != identity.ed25519_public() {
        return Err(UnwrapError::NotFromUs);
    }
    let padded = opened.message;
    let end = match padded.iter().rposition(|&b| b != 0) {
        Some(end) if padded.get(end) == Some(&PADDING_MARKER) => end,
        _ => return Err(UnwrapError::BadPadding),
    };
    let content = Content::decode(padded.get(..end).unwrap_or_default())
        .map_err(|e| UnwrapError::BadContent(e.to_string()))?;
    let shared = content
        .shared_config_message
        .ok_or(UnwrapError::NoSharedConfig)?;
    if shared.kind != i32::from(expected) {
        return Err(UnwrapError::WrongKind {
            expected: expected.into(),
            found: shared.kind,
        });
    }
    Ok(Unwrapped {
        kind: expected,
        seqno: shared.seqno,
        data: shared.data,
        envelope_timestamp: envelope.timestamp,
    })
}

/// How the stored bytes were wrapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wrapping {
    /// Raw config ciphertext (group configs, multipart parts, oversized user configs, or
    /// anything that failed to unwrap).
    Raw,
    /// Wrapped once (the normal form for user configs).
    Wrapped,
    /// Wrapped twice (one client release did this).
    DoubleWrapped,
}

/// The receiver's unwrap step: unwrap, then try unwrapping the result again; bytes that do not
/// unwrap at all are returned as they are, to be treated as raw ciphertext (libsession
/// `ConfigBase::merge`).
pub fn unwrap_lenient<'a>(
    identity: &Keypair,
    data: &'a [u8],
    expected: SharedConfigKind,
) -> (std::borrow::Cow<'a, [u8]>, Wrapping) {
    match unwrap(identity, data, expected) {
        Err(_) => (std::borrow::Cow::Borrowed(data), Wrapping::Raw),
        Ok(once) => match unwrap(identity, &once.data, expected) {
            Ok(twice) => (std::borrow::Cow::Owned(twice.data), Wrapping::DoubleWrapped),
            Err(_) => (std::borrow::Cow::Owned(once.data), Wrapping::Wrapped),
        },
    }
}
