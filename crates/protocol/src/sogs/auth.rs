//! `X-SOGS-*` request authentication (PROTOCOL.md §7; session-desktop `sogsBlinding.ts`
//! `getOpenGroupHeaders`, session-pysogs `sogs/routes/auth.py`).
//!
//! The signature covers `server_pk(32) ‖ nonce(16) ‖ ascii(timestamp) ‖ METHOD ‖ utf8(path) ‖
//! BLAKE2b-512(body)`, the body hash only when the body is non-empty. `path` is the URL-decoded
//! path including the query string, as the server sees it. Headers: `X-SOGS-Pubkey` (`15 ‖ kA` or
//! `00 ‖ ed25519 key`, hex), `X-SOGS-Nonce` (base64), `X-SOGS-Timestamp` (unix seconds, decimal),
//! `X-SOGS-Signature` (base64 of 64 bytes). The server rejects timestamps more than 24 h off and
//! reused nonces; those checks are the caller's (they need a clock and a nonce store).

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use blake2::digest::consts::U64;
use blake2::{Blake2b, Digest};
use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::blinding::{Blind15KeyPair, BLINDED15_PREFIX};
use super::SogsError;

/// First byte of an unblinded `X-SOGS-Pubkey` (a plain Ed25519 key).
pub const UNBLINDED_PREFIX: u8 = 0x00;
/// Length of the random request nonce.
pub const NONCE_LEN: usize = 16;

/// Whether to authenticate with the community-specific blinded key or the plain Ed25519 key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// `15`-blinded key; use when the server lists the `blind` capability.
    Blinded15,
    /// `00`-prefixed plain Ed25519 key, for servers without blinding.
    Unblinded,
}

/// The parts of a request that the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SogsRequest<'a> {
    /// The community server's public key (from the community URL).
    pub server_pubkey: &'a [u8; 32],
    /// 16 fresh random bytes; never reuse one.
    pub nonce: &'a [u8; NONCE_LEN],
    /// Current time in unix seconds.
    pub timestamp: u64,
    /// HTTP method, upper case (`GET`, `POST`, …).
    pub method: &'a str,
    /// URL-decoded path with query, e.g. `/room/x/messages/recent?limit=25`.
    pub path: &'a str,
    /// Request body bytes; empty for none.
    pub body: &'a [u8],
}

impl SogsRequest<'_> {
    /// The bytes that `X-SOGS-Signature` signs.
    pub fn signing_message(&self) -> Vec<u8> {
        let timestamp = self.timestamp.to_string();
        let mut msg = Vec::with_capacity(
            32 + NONCE_LEN + timestamp.len() + self.method.len() + self.path.len() + 64,
        );
        msg.extend_from_slice(self.server_pubkey);
        msg.extend_from_slice(self.nonce);
        msg.extend_from_slice(timestamp.as_bytes());
        msg.extend_from_slice(self.method.as_bytes());
        msg.extend_from_slice(self.path.as_bytes());
        if !self.body.is_empty() {
            msg.extend_from_slice(&Blake2b::<U64>::digest(self.body));
        }
        msg
    }
}

/// The public key a request is authenticated with, as carried in `X-SOGS-Pubkey`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum SogsPubkey {
    /// `00 ‖ ed25519 public key`.
    Unblinded([u8; 32]),
    /// `15 ‖ kA`.
    Blinded15([u8; 32]),
}

impl SogsPubkey {
    /// The 32-byte Ed25519 key that verifies the signature.
    pub fn key(&self) -> &[u8; 32] {
        match self {
            Self::Unblinded(k) | Self::Blinded15(k) => k,
        }
    }

    fn prefix(&self) -> u8 {
        match self {
            Self::Unblinded(_) => UNBLINDED_PREFIX,
            Self::Blinded15(_) => BLINDED15_PREFIX,
        }
    }
}

impl FromStr for SogsPubkey {
    type Err = SogsError;

    fn from_str(s: &str) -> Result<Self, SogsError> {
        if s.len() != 66 {
            return Err(SogsError::InvalidPubkeyHeader);
        }
        let mut bytes = [0u8; 33];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| SogsError::InvalidPubkeyHeader)?;
        let (&prefix, key) = bytes.split_first().ok_or(SogsError::InvalidPubkeyHeader)?;
        let key: [u8; 32] = key.try_into().map_err(|_| SogsError::InvalidPubkeyHeader)?;
        match prefix {
            UNBLINDED_PREFIX => Ok(Self::Unblinded(key)),
            BLINDED15_PREFIX => Ok(Self::Blinded15(key)),
            _ => Err(SogsError::InvalidPubkeyHeader),
        }
    }
}

impl fmt::Display for SogsPubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02x}{}", self.prefix(), hex::encode(self.key()))
    }
}

impl fmt::Debug for SogsPubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SogsPubkey({self})")
    }
}

/// The four `X-SOGS-*` header values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SogsAuthHeaders {
    /// `X-SOGS-Pubkey`.
    pub pubkey: String,
    /// `X-SOGS-Nonce`.
    pub nonce: String,
    /// `X-SOGS-Timestamp`.
    pub timestamp: String,
    /// `X-SOGS-Signature`.
    pub signature: String,
}

impl SogsAuthHeaders {
    /// Header name of [`Self::pubkey`].
    pub const PUBKEY: &'static str = "X-SOGS-Pubkey";
    /// Header name of [`Self::nonce`].
    pub const NONCE: &'static str = "X-SOGS-Nonce";
    /// Header name of [`Self::timestamp`].
    pub const TIMESTAMP: &'static str = "X-SOGS-Timestamp";
    /// Header name of [`Self::signature`].
    pub const SIGNATURE: &'static str = "X-SOGS-Signature";

    /// `(name, value)` pairs, ready to add to a request.
    pub fn pairs(&self) -> [(&'static str, &str); 4] {
        [
            (Self::PUBKEY, &self.pubkey),
            (Self::NONCE, &self.nonce),
            (Self::TIMESTAMP, &self.timestamp),
            (Self::SIGNATURE, &self.signature),
        ]
    }
}

/// Builds the authentication headers for `request`, signed by our Ed25519 key (blinded for the
/// server when `kind` is [`AuthKind::Blinded15`]).
pub fn sign_request(
    signing_key: &SigningKey,
    kind: AuthKind,
    request: &SogsRequest<'_>,
) -> SogsAuthHeaders {
    let msg = request.signing_message();
    let (pubkey, signature) = match kind {
        AuthKind::Blinded15 => {
            let pair = Blind15KeyPair::derive(signing_key, request.server_pubkey);
            (SogsPubkey::Blinded15(*pair.public_key()), pair.sign(&msg))
        }
        AuthKind::Unblinded => (
            SogsPubkey::Unblinded(signing_key.verifying_key().to_bytes()),
            signing_key.sign(&msg).to_bytes(),
        ),
    };
    SogsAuthHeaders {
        pubkey: pubkey.to_string(),
        nonce: STANDARD.encode(request.nonce),
        timestamp: request.timestamp.to_string(),
        signature: STANDARD.encode(signature),
    }
}

/// What a server learns from a request whose signature checked out. Checking the timestamp
/// against the clock and the nonce against recently seen ones is left to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedRequest {
    /// Who signed the request.
    pub pubkey: SogsPubkey,
    /// The request nonce.
    pub nonce: [u8; NONCE_LEN],
    /// The claimed time, unix seconds.
    pub timestamp: u64,
}

/// Nonce header: base64 (padded or not) or hex of 16 bytes, as session-pysogs accepts.
fn parse_nonce(value: &str) -> Result<[u8; NONCE_LEN], SogsError> {
    let mut nonce = [0u8; NONCE_LEN];
    if value.len() == 2 * NONCE_LEN && hex::decode_to_slice(value, &mut nonce).is_ok() {
        return Ok(nonce);
    }
    let decoded = match value.len() {
        24 => STANDARD.decode(value),
        22 => STANDARD_NO_PAD.decode(value),
        _ => return Err(SogsError::InvalidNonceHeader),
    }
    .map_err(|_| SogsError::InvalidNonceHeader)?;
    decoded
        .try_into()
        .map_err(|_| SogsError::InvalidNonceHeader)
}

fn parse_timestamp(value: &str) -> Result<u64, SogsError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SogsError::InvalidTimestampHeader);
    }
    value.parse().map_err(|_| SogsError::InvalidTimestampHeader)
}

/// Checks the headers of a request received by a community server with key `server_pubkey`.
/// The signed message is rebuilt from the header values exactly as sent.
pub fn verify_request(
    headers: &SogsAuthHeaders,
    server_pubkey: &[u8; 32],
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<VerifiedRequest, SogsError> {
    let pubkey: SogsPubkey = headers.pubkey.parse()?;
    let nonce = parse_nonce(&headers.nonce)?;
    let timestamp = parse_timestamp(&headers.timestamp)?;
    let sig_bytes: [u8; 64] = if headers.signature.len() == 88 {
        STANDARD.decode(&headers.signature).ok()
    } else {
        None
    }
    .and_then(|v| v.try_into().ok())
    .ok_or(SogsError::InvalidSignatureHeader)?;
    let key = VerifyingKey::from_bytes(pubkey.key()).map_err(|_| SogsError::InvalidPubkey)?;
    let request = SogsRequest {
        server_pubkey,
        nonce: &nonce,
        timestamp,
        method,
        path,
        body,
    };
    // The signer used the timestamp text as sent; a leading zero would change the bytes.
    if timestamp.to_string() != headers.timestamp {
        return Err(SogsError::BadSignature);
    }
    key.verify_strict(
        &request.signing_message(),
        &Signature::from_bytes(&sig_bytes),
    )
    .map_err(|_| SogsError::BadSignature)?;
    Ok(VerifiedRequest {
        pubkey,
        nonce,
        timestamp,
    })
}
