//! ONS (Session name) records: a registered name maps to an encrypted Session ID.
//!
//! Facts confirmed upstream (LSU `session_encrypt.cpp` `decrypt_ons_response`; oxen-core
//! `src/cryptonote_core/oxen_name_system.cpp`; session-desktop `onsResolve.ts`):
//! * Names are case-insensitive: lowercased (ASCII) before any hashing. Session names are 1 to 64
//!   characters of `a-z 0-9 _ -`, not starting or ending with `-`.
//! * Lookup key: `name_hash = BLAKE2b-256(name)`, sent base64 (standard, padded) as
//!   `oxend_request` → `ons_resolve` params `{"type": 0, "name_hash": …}` (type 0 = Session).
//! * Value key: `BLAKE2b-256(name, key = name_hash)`, known only to whoever knows the name.
//! * Value: XChaCha20-Poly1305 (no AD) of the 33-byte Session ID with a random 24-byte nonce.
//!   oxend stores `ciphertext ‖ tag ‖ nonce` and `ons_resolve` answers
//!   `{"encrypted_value": hex(ciphertext ‖ tag), "nonce": hex(nonce)}`.
//! * Records from before oxen HF16 have no nonce (Argon2 key, XSalsa20 secretbox); those are not
//!   supported here and decrypt to [`OnsError::LegacyArgon2Unsupported`].

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use base64::Engine as _;
use blake2::digest::consts::U32;
use blake2::digest::{Digest, Mac};
use blake2::{Blake2b, Blake2bMac};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::identity::{IdentityError, SessionId};

/// Longest Session name oxend accepts.
pub const ONS_NAME_MAX_LEN: usize = 64;
/// `type` of a Session-ID record in `ons_resolve`.
pub const ONS_TYPE_SESSION: u16 = 0;
/// Length of the XChaCha20 nonce.
pub const ONS_NONCE_LEN: usize = 24;
/// Length of a Session ID value: prefix byte plus 32-byte key.
const VALUE_LEN: usize = 33;
/// Length of `encrypted_value` for a Session ID: value plus Poly1305 tag.
pub const ONS_ENCRYPTED_VALUE_LEN: usize = VALUE_LEN + 16;

/// Why an ONS name, record or lookup could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OnsError {
    /// The name is empty or longer than 64 characters.
    #[error("an ONS name must be 1 to 64 characters long, this one has {0}")]
    NameLength(usize),
    /// The name holds a character outside `a-z 0-9 _ -`.
    #[error("an ONS name may contain only letters a-z, digits, '_' and '-', not {0:?}")]
    NameCharacter(char),
    /// The name starts or ends with a hyphen.
    #[error("an ONS name may not start or end with '-'")]
    NameHyphenAtEdge,
    /// The nonce is not 24 bytes.
    #[error("an ONS nonce must be 24 bytes, got {0}")]
    NonceLength(usize),
    /// The encrypted value has the wrong length for a Session ID.
    #[error(
        "an ONS encrypted value must be 49 bytes (33-byte Session ID and 16-byte tag), got {0}"
    )]
    ValueLength(usize),
    /// The record did not decrypt with this name.
    #[error(
        "the ONS record did not decrypt with this name: it belongs to another name or is damaged"
    )]
    DecryptFailed,
    /// The decrypted value is not a standard Session ID.
    #[error("the ONS record decrypted, but its value is not a Session ID: {0}")]
    NotASessionId(IdentityError),
    /// The record has no nonce, i.e. uses the old Argon2-based encryption.
    #[error("the ONS record has no nonce: it uses the pre-2021 Argon2 encryption, which is not supported")]
    LegacyArgon2Unsupported,
    /// A response field is not hex.
    #[error("the ONS response field {0} is not valid hex")]
    InvalidHex(&'static str),
    /// A name hash is not 32 bytes as hex or base64.
    #[error("an ONS name hash must be 32 bytes written as 64 hex digits or base64")]
    InvalidNameHash,
}

/// A valid, lowercased Session name.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct OnsName(String);

impl OnsName {
    /// Lowercases `name` (ASCII) and checks it is a valid Session name.
    pub fn parse(name: &str) -> Result<Self, OnsError> {
        let count = name.chars().count();
        if count == 0 || count > ONS_NAME_MAX_LEN {
            return Err(OnsError::NameLength(count));
        }
        if let Some(bad) = name
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-'))
        {
            return Err(OnsError::NameCharacter(bad));
        }
        if name.starts_with('-') || name.ends_with('-') {
            return Err(OnsError::NameHyphenAtEdge);
        }
        Ok(Self(name.to_ascii_lowercase()))
    }

    /// The lowercased name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `BLAKE2b-256(name)`: the public lookup key.
    pub fn name_hash(&self) -> [u8; 32] {
        Blake2b::<U32>::digest(self.0.as_bytes()).into()
    }

    /// The lookup key as oxend stores and expects it: standard padded base64.
    pub fn name_hash_base64(&self) -> String {
        STANDARD.encode(self.name_hash())
    }

    /// `BLAKE2b-256(name, key = name_hash)`: the value's encryption key.
    fn value_key(&self) -> Result<Zeroizing<[u8; 32]>, OnsError> {
        let mut mac = <Blake2bMac<U32> as Mac>::new_from_slice(&self.name_hash())
            .map_err(|_| OnsError::DecryptFailed)?;
        mac.update(self.0.as_bytes());
        Ok(Zeroizing::new(mac.finalize().into_bytes().into()))
    }

    fn cipher(&self) -> Result<XChaCha20Poly1305, OnsError> {
        let key = self.value_key()?;
        Ok(XChaCha20Poly1305::new(Key::from_slice(key.as_slice())))
    }
}

impl FromStr for OnsName {
    type Err = OnsError;

    fn from_str(s: &str) -> Result<Self, OnsError> {
        Self::parse(s)
    }
}

impl fmt::Display for OnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for OnsName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OnsName({:?})", self.0)
    }
}

/// Parses a name hash given as 64 hex digits or base64 (padded or not), as oxend accepts it.
pub fn parse_name_hash(text: &str) -> Result<[u8; 32], OnsError> {
    let mut hash = [0u8; 32];
    if text.len() == 64 && hex::decode_to_slice(text, &mut hash).is_ok() {
        return Ok(hash);
    }
    let decoded = match text.len() {
        44 => STANDARD.decode(text),
        43 => STANDARD_NO_PAD.decode(text),
        _ => return Err(OnsError::InvalidNameHash),
    }
    .map_err(|_| OnsError::InvalidNameHash)?;
    decoded.try_into().map_err(|_| OnsError::InvalidNameHash)
}

/// An encrypted Session-ID record as held by a service node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnsRecord {
    /// `ciphertext ‖ tag` (49 bytes).
    pub encrypted_value: Vec<u8>,
    /// The random nonce used.
    pub nonce: [u8; ONS_NONCE_LEN],
}

/// Encrypts `session_id` under `name`; the nonce must be fresh random bytes.
pub fn encrypt_ons_value(
    name: &OnsName,
    session_id: &SessionId,
    nonce: &[u8; ONS_NONCE_LEN],
) -> Result<OnsRecord, OnsError> {
    let encrypted_value = name
        .cipher()?
        .encrypt(XNonce::from_slice(nonce), session_id.to_bytes().as_slice())
        .map_err(|_| OnsError::ValueLength(VALUE_LEN))?;
    Ok(OnsRecord {
        encrypted_value,
        nonce: *nonce,
    })
}

/// Decrypts a record's `encrypted_value` (ciphertext ‖ tag) and `nonce` with `name`.
pub fn decrypt_ons_value(
    name: &OnsName,
    encrypted_value: &[u8],
    nonce: &[u8],
) -> Result<SessionId, OnsError> {
    if nonce.len() != ONS_NONCE_LEN {
        return Err(OnsError::NonceLength(nonce.len()));
    }
    if encrypted_value.len() != ONS_ENCRYPTED_VALUE_LEN {
        return Err(OnsError::ValueLength(encrypted_value.len()));
    }
    let plain = Zeroizing::new(
        name.cipher()?
            .decrypt(XNonce::from_slice(nonce), encrypted_value)
            .map_err(|_| OnsError::DecryptFailed)?,
    );
    SessionId::from_bytes(&plain).map_err(OnsError::NotASessionId)
}

/// `params` of the `ons_resolve` call (inside `oxend_request`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnsResolveParams {
    /// Record type; [`ONS_TYPE_SESSION`] for Session IDs.
    #[serde(rename = "type")]
    pub record_type: u16,
    /// Base64 `BLAKE2b-256(lowercase name)`.
    pub name_hash: String,
}

impl OnsResolveParams {
    /// The lookup for a Session name.
    pub fn for_name(name: &OnsName) -> Self {
        Self {
            record_type: ONS_TYPE_SESSION,
            name_hash: name.name_hash_base64(),
        }
    }
}

/// The answer to `ons_resolve` for a found record (oxend's field names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OnsResolveResult {
    /// Hex of `ciphertext ‖ tag`.
    pub encrypted_value: String,
    /// Hex of the nonce; absent for legacy Argon2 records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

impl OnsResolveResult {
    /// The answer a service node gives for `record`.
    pub fn from_record(record: &OnsRecord) -> Self {
        Self {
            encrypted_value: hex::encode(&record.encrypted_value),
            nonce: Some(hex::encode(record.nonce)),
        }
    }

    /// Decrypts the answer with the name that was looked up.
    pub fn decrypt(&self, name: &OnsName) -> Result<SessionId, OnsError> {
        let nonce_hex = self
            .nonce
            .as_deref()
            .filter(|n| !n.is_empty())
            .ok_or(OnsError::LegacyArgon2Unsupported)?;
        let value = hex::decode(&self.encrypted_value)
            .map_err(|_| OnsError::InvalidHex("encrypted_value"))?;
        let nonce = hex::decode(nonce_hex).map_err(|_| OnsError::InvalidHex("nonce"))?;
        decrypt_ons_value(name, &value, &nonce)
    }
}
