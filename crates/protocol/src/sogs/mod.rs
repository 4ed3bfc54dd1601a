//! Community (SOGS) identity and request authentication, PROTOCOL.md §7.
//!
//! * [`blinding`]: 15-blinded keys and ids (`15 ‖ kA`), the blinded Ed25519 signature, and
//!   matching a Session ID against a blinded id.
//! * [`auth`]: the `X-SOGS-*` request-authentication headers, blinded or unblinded, and their
//!   verification as a community server does it.

pub mod auth;
pub mod blinding;

pub use auth::{
    sign_request, verify_request, AuthKind, SogsAuthHeaders, SogsPubkey, SogsRequest,
    VerifiedRequest,
};
pub use blinding::{
    blind15_factor, blinded15_id_from_session_id, blinded15_ids_from_session_id,
    session_id_matches_blinded_id, Blind15KeyPair, Blinded15Id,
};

/// Why a blinded id, key or SOGS request could not be built, parsed or verified.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SogsError {
    /// The id given as a Session ID does not start with `05`.
    #[error("a Session ID must start with 05, this one starts with {0:02x}")]
    NotASessionId(u8),
    /// The Session ID's key is not usable for blinding (not a valid X25519 key of prime order).
    #[error("the Session ID does not hold a valid public key, so it cannot be blinded")]
    UnusableSessionIdKey,
    /// A blinded id is not `15` followed by 64 hex digits (or 0x15 and 32 bytes).
    #[error("a blinded ID must be 66 hex digits starting with 15 (got {0} characters/bytes)")]
    InvalidBlindedId(usize),
    /// The `X-SOGS-Pubkey` value is not `00` or `15` followed by 64 hex digits.
    #[error("X-SOGS-Pubkey must be 66 hex digits starting with 00 or 15")]
    InvalidPubkeyHeader,
    /// The key in `X-SOGS-Pubkey` is not a valid Ed25519 point.
    #[error("the key in X-SOGS-Pubkey is not a valid Ed25519 public key")]
    InvalidPubkey,
    /// The `X-SOGS-Nonce` value is not 16 bytes in base64 or hex.
    #[error("X-SOGS-Nonce must be 16 bytes encoded as base64 or hex")]
    InvalidNonceHeader,
    /// The `X-SOGS-Timestamp` value is not a decimal number of seconds.
    #[error("X-SOGS-Timestamp must be a whole number of seconds since 1970")]
    InvalidTimestampHeader,
    /// The `X-SOGS-Signature` value is not 64 bytes in base64.
    #[error("X-SOGS-Signature must be 64 bytes encoded as base64")]
    InvalidSignatureHeader,
    /// The signature does not match the key and request.
    #[error("the X-SOGS-Signature does not match the request and X-SOGS-Pubkey")]
    BadSignature,
}
