//! Replies to onion requests and the plain-text errors relays send instead.
//!
//! * Snode destination (SSS `wrap_proxy_response`): `{"status": code, "body": ...}` encrypted
//!   with the destination layer's key, base64 unless the request said `"base64": false`. It
//!   travels back through the path unchanged. Desktop first tries `JSON.parse(text).result`.
//! * Server (v4): the bencoded [`V4Response`] encrypted with the server layer's key, raw bytes.
//! * Errors on the path are plain text with an HTTP status, e.g. 502
//!   `"Next node not found: <ed25519 hex>"`; [`PathError`] names them.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD as B64};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use rand_core::CryptoRngCore;
use serde_json::Value;

use super::hop::HopKey;
use super::routing::{json_object, SnodeFlags};
use super::v4::V4Response;
use super::OnionError;

/// HTTP 400, with [`INVALID_CIPHERTEXT_TEXT`] when a layer does not decrypt.
pub const STATUS_BAD_REQUEST: u16 = 400;
/// HTTP 502, with [`NEXT_NODE_NOT_FOUND_PREFIX`] when the next node is unknown.
pub const STATUS_BAD_GATEWAY: u16 = 502;
/// HTTP 503, with [`SNODE_NOT_READY_PREFIX`] when a node is not ready.
pub const STATUS_SERVICE_UNAVAILABLE: u16 = 503;
/// HTTP 504, with [`REQUEST_TIMEOUT_TEXT`] when the next hop did not answer.
pub const STATUS_GATEWAY_TIMEOUT: u16 = 504;

/// Start of a 502 body; the next node's Ed25519 key in hex follows.
pub const NEXT_NODE_NOT_FOUND_PREFIX: &str = "Next node not found: ";
/// Body of a 504 from a relay.
pub const REQUEST_TIMEOUT_TEXT: &str = "Request time out";
/// Body of a 400 when a layer does not decrypt.
pub const INVALID_CIPHERTEXT_TEXT: &str = "Invalid ciphertext";
/// Start of a 503 body; SSS appends `": <own ed25519 hex>"` on the path.
pub const SNODE_NOT_READY_PREFIX: &str = "Snode not ready";
/// Body of the *encrypted* 400 reply when routing JSON in a decrypted layer is bad.
pub const INVALID_JSON_TEXT: &str = "Invalid json";
/// Body of the *encrypted* 400 reply when a server route is not allowed.
pub const INVALID_URL_TEXT: &str = "Invalid url";

/// The 502 body for an unknown next node.
pub fn next_node_not_found_body(ed25519: &[u8; 32]) -> String {
    format!("{NEXT_NODE_NOT_FOUND_PREFIX}{}", hex::encode(ed25519))
}

/// The 503 body of a node that is not ready, naming itself.
pub fn snode_not_ready_body(own_ed25519: &[u8; 32]) -> String {
    format!("{SNODE_NOT_READY_PREFIX}: {}", hex::encode(own_ed25519))
}

/// What a non-200 plain-text answer from the path means. Classification only: what to do about
/// it (drop a node, rebuild the path, retry) is the caller's policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    /// 502: a relay does not know the next node, named by its Ed25519 key.
    #[error("a relay could not find the next node {}", hex::encode(.ed25519))]
    NextNodeNotFound {
        /// The missing node's Ed25519 public key.
        ed25519: [u8; 32],
    },
    /// 504: the next hop did not answer in time.
    #[error("a relay timed out waiting for the next hop")]
    Timeout,
    /// 400 "Invalid ciphertext": a node could not decrypt its layer.
    #[error("a node could not decrypt its onion layer")]
    InvalidCiphertext,
    /// 503: a node is not ready to serve.
    #[error("a node on the path is not ready")]
    NotReady,
    /// Anything else.
    #[error("onion request failed with HTTP {status}: {body}")]
    Other {
        /// HTTP status.
        status: u16,
        /// Body text (lossy UTF-8, cut to 200 characters).
        body: String,
    },
}

impl PathError {
    /// Classifies a non-200 status and its plain-text body.
    pub fn from_status_and_body(status: u16, body: &[u8]) -> PathError {
        let text = String::from_utf8_lossy(body);
        let text = text.trim();
        match status {
            STATUS_BAD_GATEWAY => {
                let key = text
                    .strip_prefix(NEXT_NODE_NOT_FOUND_PREFIX)
                    .and_then(|hex_key| {
                        let mut key = [0u8; 32];
                        hex::decode_to_slice(hex_key.trim(), &mut key).ok()?;
                        Some(key)
                    });
                if let Some(ed25519) = key {
                    return PathError::NextNodeNotFound { ed25519 };
                }
            }
            STATUS_GATEWAY_TIMEOUT => return PathError::Timeout,
            STATUS_BAD_REQUEST if text == INVALID_CIPHERTEXT_TEXT => {
                return PathError::InvalidCiphertext
            }
            STATUS_SERVICE_UNAVAILABLE => return PathError::NotReady,
            _ => {}
        }
        PathError::Other {
            status,
            body: text.chars().take(200).collect(),
        }
    }

    /// The status and body a relay sends for this error (`NotReady` without a node name; use
    /// [`snode_not_ready_body`] to name it).
    pub fn status_and_body(&self) -> (u16, String) {
        match self {
            PathError::NextNodeNotFound { ed25519 } => {
                (STATUS_BAD_GATEWAY, next_node_not_found_body(ed25519))
            }
            PathError::Timeout => (STATUS_GATEWAY_TIMEOUT, REQUEST_TIMEOUT_TEXT.to_owned()),
            PathError::InvalidCiphertext => {
                (STATUS_BAD_REQUEST, INVALID_CIPHERTEXT_TEXT.to_owned())
            }
            PathError::NotReady => (
                STATUS_SERVICE_UNAVAILABLE,
                SNODE_NOT_READY_PREFIX.to_owned(),
            ),
            PathError::Other { status, body } => (*status, body.clone()),
        }
    }
}

/// The body a destination node wraps into its reply.
#[derive(Debug, Clone, PartialEq)]
pub enum SnodeReplyBody {
    /// A text body (error messages), sent as a JSON string.
    Text(String),
    /// A JSON body (RPC results): embedded when the request set `"json": true`, otherwise
    /// double-encoded as a string, as SSS does for compatibility.
    Json(Value),
}

/// A decrypted snode-destination reply.
#[derive(Debug, Clone, PartialEq)]
pub struct SnodeReply {
    /// The RPC status (`"status"`), e.g. 200 or 421.
    pub status: u16,
    /// `"body"` as sent: usually a string holding JSON or an error text.
    pub body: Value,
}

impl SnodeReply {
    /// The body as JSON: a string body is parsed (double encoding), other values returned as
    /// they are.
    pub fn body_json(&self) -> Result<Value, OnionError> {
        match &self.body {
            Value::String(text) => serde_json::from_str(text).map_err(|e| OnionError::BadJson {
                what: "onion reply body",
                reason: e.to_string(),
            }),
            other => Ok(other.clone()),
        }
    }

    /// The body as text when it is a string.
    pub fn body_text(&self) -> Option<&str> {
        self.body.as_str()
    }
}

/// Destination side: encrypts `{"status", "body"}` with the layer's key, base64 unless
/// `flags` say otherwise. The result is the HTTP body of a 200 response.
pub fn encode_snode_reply(
    key: &HopKey,
    status: u16,
    body: &SnodeReplyBody,
    flags: &SnodeFlags,
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, OnionError> {
    let body = match body {
        SnodeReplyBody::Text(text) => Value::String(text.clone()),
        SnodeReplyBody::Json(value) if flags.embed_json() => value.clone(),
        SnodeReplyBody::Json(value) => Value::String(value.to_string()),
    };
    let plaintext = serde_json::json!({ "status": status, "body": body }).to_string();
    let ciphertext = key.encrypt(plaintext.as_bytes(), rng)?;
    Ok(if flags.base64() {
        B64.encode(ciphertext).into_bytes()
    } else {
        ciphertext
    })
}

/// Client side: decodes a base64 snode reply (optionally wrapped as `{"result": "<base64>"}`),
/// decrypts it with the request's reply key and parses `{"status", "body"}`.
pub fn decode_snode_reply(key: &HopKey, response: &[u8]) -> Result<SnodeReply, OnionError> {
    let text = response.trim_ascii();
    let wrapped = json_object(text, "onion reply")
        .ok()
        .and_then(|map| match map.get("result") {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        });
    let base64_text = wrapped.as_deref().map(str::as_bytes).unwrap_or(text);
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let ciphertext = LENIENT
        .decode(base64_text.trim_ascii())
        .map_err(|_| OnionError::BadBase64)?;
    decode_snode_reply_binary(key, &ciphertext)
}

/// Client side, for requests sent with `"base64": false`: decrypts raw reply bytes.
pub fn decode_snode_reply_binary(
    key: &HopKey,
    ciphertext: &[u8],
) -> Result<SnodeReply, OnionError> {
    let plaintext = key.decrypt(ciphertext)?;
    let map = json_object(&plaintext, "onion reply")?;
    let status = map
        .get("status")
        .ok_or(OnionError::MissingField {
            what: "onion reply",
            field: "status",
        })?
        .as_u64()
        .and_then(|s| u16::try_from(s).ok())
        .ok_or(OnionError::BadField {
            field: "status",
            expected: "an HTTP status code",
        })?;
    let body = map.get("body").cloned().unwrap_or(Value::Null);
    Ok(SnodeReply { status, body })
}

/// Server side: encrypts a v4 response with the layer's key (raw bytes, no base64).
pub fn encrypt_v4_reply(
    key: &HopKey,
    response: &V4Response,
    rng: &mut impl CryptoRngCore,
) -> Result<Vec<u8>, OnionError> {
    key.encrypt(&response.encode(), rng)
}

/// Client side: decrypts and decodes a v4 reply.
pub fn decrypt_v4_reply(key: &HopKey, ciphertext: &[u8]) -> Result<V4Response, OnionError> {
    V4Response::decode(&key.decrypt(ciphertext)?)
}
