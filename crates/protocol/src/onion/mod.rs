//! Onion requests: a request wrapped in one encryption layer per service node of a path, so that
//! no single node sees both who asks and what is asked (PROTOCOL.md §6).
//!
//! * Hop crypto: [`EncType`], [`HopKey`] (the symmetric key both ends derive for one
//!   layer) and [`seal_for_node`].
//! * Framing: the "combined payload" `u32_le(N) ‖ blob[N] ‖ JSON` ([`CombinedPayload`]), the outer
//!   [`LayerHeader`] JSON and the routing JSON forms ([`Routing`]).
//! * Client side: [`build_onion_request`] builds the whole request for a path and keeps the
//!   final layer's [`HopKey`] to decrypt the reply ([`decode_snode_reply`], [`decrypt_v4_reply`]).
//! * Node side: [`open_layer`] / [`peel`] remove one layer and say what to do next;
//!   [`encode_snode_reply`] / [`encrypt_v4_reply`] answer at the destination.
//! * v4 requests to servers: [`V4Request`] / [`V4Response`] (bencoded lists).
//! * Plain-text errors relays return on the path: [`PathError`] and the text constants.
//!
//! Confirmed upstream (LSU `src/onionreq/*.cpp` at 8762e9d, SSS `oxenss/rpc/onion_processing.cpp`,
//! `request_handler.cpp`, `server/https.cpp` at 8616387, DESK `onions.ts`/`onionv4.ts` at 1380d1e,
//! PYSOGS `sogs/routes/onion_request.py`): enc_type names and aliases, key derivations, frame
//! layout, the classification order "headers" → "host" → forward, reply wrapping
//! `{"status","body"}` (body double-encoded unless `json`, base64 unless `base64:false`), and
//! the relay error texts.

mod builder;
mod hop;
mod payload;
mod peel;
mod reply;
mod routing;
mod v4;

pub use builder::{
    build_onion_request, build_onion_request_prepared, OnionDestination, OnionRequest, PathHop,
    ServerTarget, SnodeTarget,
};
pub use hop::{
    seal_for_node, seal_for_prepared_node, EncType, HopKey, SealedHop, X25519Keypair, AEAD_TAG_LEN,
    AES_GCM_IV_LEN, XCHACHA20_NONCE_LEN,
};
pub use payload::{encode_combined, CombinedPayload, LayerHeader};
pub use peel::{open_layer, peel, ForwardLayer, LayerAction, OpenedLayer, PeeledLayer};
pub use reply::{
    decode_snode_reply, decode_snode_reply_binary, decrypt_v4_reply, encode_snode_reply,
    encrypt_v4_reply, next_node_not_found_body, snode_not_ready_body, PathError, SnodeReply,
    SnodeReplyBody, INVALID_CIPHERTEXT_TEXT, INVALID_JSON_TEXT, INVALID_URL_TEXT,
    NEXT_NODE_NOT_FOUND_PREFIX, REQUEST_TIMEOUT_TEXT, SNODE_NOT_READY_PREFIX, STATUS_BAD_GATEWAY,
    STATUS_BAD_REQUEST, STATUS_GATEWAY_TIMEOUT, STATUS_SERVICE_UNAVAILABLE,
};
pub use routing::{is_onion_target_allowed, NextHop, Routing, ServerRoute, SnodeFlags};
pub use v4::{V4Request, V4Response, V4_TARGET};

/// Errors from building, peeling and decoding onion requests and replies.
///
/// Every decoder of bytes from the network returns one of these instead of panicking. No
/// variant carries key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnionError {
    /// Fewer than 4 bytes where the `u32` length prefix of a combined payload should be.
    #[error("onion payload is {len} bytes, too short for its 4-byte length prefix")]
    TruncatedLengthPrefix {
        /// Bytes available.
        len: usize,
    },
    /// The length prefix promises more bytes than follow it.
    #[error(
        "onion payload says its encrypted part has {declared} bytes, but only {remaining} follow"
    )]
    LengthExceedsPayload {
        /// The length in the prefix.
        declared: u32,
        /// Bytes after the prefix.
        remaining: usize,
    },
    /// A part is too large for the 4-byte length prefix or for the cipher.
    #[error("onion payload part of {len} bytes is too large to encode")]
    PayloadTooLarge {
        /// Size of the part.
        len: usize,
    },
    /// JSON that does not parse, or is not an object where one is required.
    #[error("{what} is not valid JSON: {reason}")]
    BadJson {
        /// Which JSON document.
        what: &'static str,
        /// The parser's explanation.
        reason: String,
    },
    /// A required JSON field is absent.
    #[error("{what} lacks the required field \"{field}\"")]
    MissingField {
        /// Which JSON document.
        what: &'static str,
        /// The field's name.
        field: &'static str,
    },
    /// A JSON field has the wrong type or an unusable value.
    #[error("field \"{field}\" should be {expected}")]
    BadField {
        /// The field's name.
        field: &'static str,
        /// What it should be.
        expected: &'static str,
    },
    /// A key field is not 64 hex digits.
    #[error("field \"{field}\" should be a 32-byte key as 64 hex digits")]
    BadHexKey {
        /// The field's name.
        field: &'static str,
    },
    /// An `enc_type` this implementation does not know.
    #[error("unknown onion encryption type {found:?}; expected \"aes-gcm\" or \"xchacha20\"")]
    UnknownEncType {
        /// The value found (cut to 40 characters).
        found: String,
    },
    /// Ciphertext shorter than nonce plus tag.
    #[error("{enc_type} ciphertext is {len} bytes, shorter than the {min} bytes of nonce and tag")]
    CiphertextTooShort {
        /// Cipher in use.
        enc_type: EncType,
        /// Bytes received.
        len: usize,
        /// Minimum length.
        min: usize,
    },
    /// A nonce of the wrong length was supplied.
    #[error("{enc_type} needs a {expected}-byte nonce, got {len}")]
    BadNonceLength {
        /// Cipher in use.
        enc_type: EncType,
        /// Required length.
        expected: usize,
        /// Length given.
        len: usize,
    },
    /// Authentication failed: wrong key, wrong cipher, or altered bytes.
    #[error("{enc_type} decryption failed: wrong key or the data was altered")]
    DecryptionFailed {
        /// Cipher tried.
        enc_type: EncType,
    },
    /// The peer's X25519 key is a low-order point, so no secret can be agreed with it.
    #[error("the X25519 public key is a low-order point; refusing to derive a key from it")]
    WeakKey,
    /// Malformed v4 bencoded list.
    #[error("malformed v4 bencoded message: {0}")]
    BadBencode(&'static str),
    /// The reply text is not base64.
    #[error("onion reply is not valid base64")]
    BadBase64,
    /// A relay-to-server route that nodes refuse to follow.
    #[error("server route not allowed: {0}")]
    RouteNotAllowed(&'static str),
}

/// Appends `s` as a JSON string literal (quotes included), escaping like `serde_json` and
/// `JSON.stringify` do. Infallible, unlike going through a serializer.
pub(crate) fn push_json_str(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0x08 => Some(b"\\b"),
            0x0c => Some(b"\\f"),
            0..=0x1f => None,
            _ => continue,
        };
        out.extend_from_slice(bytes.get(start..i).unwrap_or_default());
        match escape {
            Some(e) => out.extend_from_slice(e),
            None => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0x0f)]);
            }
        }
        start = i + 1;
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::push_json_str;

    #[test]
    fn json_string_escaping_matches_serde_json() {
        for s in [
            "plain",
            "a\"b\\c",
            "tab\tnl\ncr\r\u{1}\u{1f}\u{8}\u{c}",
            "ünï/",
        ] {
            let mut out = Vec::new();
            push_json_str(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).unwrap());
        }
    }
}
