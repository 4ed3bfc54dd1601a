//! The account a storage request is about (`pubkey` parameter) and subaccount tokens.
//!
//! An account pubkey is one prefix byte plus 32 key bytes, written as 66 hex digits. The
//! storage server accepts any prefix (it calls it the "network id"): `05` Session IDs (the key
//! is X25519), `03` groups v2 (the key is Ed25519), and others. The prefix byte is hashed into
//! message hashes. This is deliberately separate from `identity::SessionId`, which only holds
//! `05` ids.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::encoding::{decode_base64_array, decode_hex_array, encode_base64};
use crate::identity::SessionId;

/// Errors from reading an account pubkey or a subaccount token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// Wrong length or not hex.
    #[error("an account pubkey is 66 hex digits (prefix byte + 32-byte key); got {len} characters{}", if *.not_hex { " that are not all hex" } else { "" })]
    BadPubkey {
        /// Length of the text.
        len: usize,
        /// True when the length was right but a character was not hex.
        not_hex: bool,
    },
    /// Not a 36-byte token in base64 (48 chars) or hex (72 chars).
    #[error("a subaccount token is 36 bytes as base64 (48 characters) or hex (72 characters)")]
    BadSubaccountToken,
}

/// Prefix byte of a standard Session ID account.
pub const PREFIX_SESSION_ID: u8 = 0x05;
/// Prefix byte of a groups v2 account.
pub const PREFIX_GROUP: u8 = 0x03;

/// The `pubkey` of a storage request: prefix byte + 32-byte key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountPubkey {
    prefix: u8,
    key: [u8; 32],
}

impl AccountPubkey {
    /// Builds from parts.
    pub fn new(prefix: u8, key: [u8; 32]) -> Self {
        AccountPubkey { prefix, key }
    }

    /// Reads 66 hex digits (either case).
    pub fn from_hex(text: &str) -> Result<Self, AccountError> {
        let bytes = decode_hex_array::<33>(text).map_err(|_| AccountError::BadPubkey {
            len: text.len(),
            not_hex: text.len() == 66,
        })?;
        Ok(Self::from_bytes33(&bytes))
    }

    /// Reads the 33 raw bytes.
    pub fn from_bytes33(bytes: &[u8; 33]) -> Self {
        let mut key = [0u8; 32];
        key.copy_from_slice(&bytes[1..]);
        AccountPubkey {
            prefix: bytes[0],
            key,
        }
    }

    /// The prefix ("network id") byte.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }

    /// The 32 key bytes without the prefix.
    pub fn key(&self) -> &[u8; 32] {
        &self.key
    }

    /// The 33 bytes: prefix then key.
    pub fn to_bytes33(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = self.prefix;
        out[1..].copy_from_slice(&self.key);
        out
    }

    /// Lowercase hex with prefix (66 chars); this is `PUBKEY_HEX` in node response signatures.
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes33())
    }

    /// True for a `05` Session ID (the key is X25519; signing uses `pubkey_ed25519`).
    pub fn is_session_id(&self) -> bool {
        self.prefix == PREFIX_SESSION_ID
    }

    /// True for a `03` groups v2 account (the key is the group's Ed25519 key).
    pub fn is_group(&self) -> bool {
        self.prefix == PREFIX_GROUP
    }
}

impl From<&SessionId> for AccountPubkey {
    fn from(id: &SessionId) -> Self {
        AccountPubkey::new(PREFIX_SESSION_ID, id.x25519_public())
    }
}

impl FromStr for AccountPubkey {
    type Err = AccountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AccountPubkey::from_hex(s)
    }
}

impl fmt::Display for AccountPubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for AccountPubkey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccountPubkey({})", self.to_hex())
    }
}

impl Serialize for AccountPubkey {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for AccountPubkey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        AccountPubkey::from_hex(&text).map_err(serde::de::Error::custom)
    }
}

/// Permission bits in a subaccount token (`oxenss/common/subaccount_token.h`).
pub mod access {
    /// May retrieve and read expiries.
    pub const READ: u8 = 0b0001;
    /// May store and extend expiries.
    pub const WRITE: u8 = 0b0010;
    /// May delete and shorten expiries.
    pub const DELETE: u8 = 0b0100;
    /// Valid for any prefix of the same key, not only the token's prefix byte.
    pub const ANY_PREFIX: u8 = 0b1000;
}

/// A 36-byte subaccount token: prefix byte, permission flags, 2 reserved bytes, and the Ed25519
/// key of the subaccount holder (who then signs requests instead of the account owner).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubaccountToken(pub [u8; 36]);

impl SubaccountToken {
    /// Reads base64 (48 chars) or hex (72 chars), as the storage server does.
    pub fn from_text(text: &str) -> Result<Self, AccountError> {
        if text.len() == 48 {
            if let Ok(bytes) = decode_base64_array::<36>(text) {
                return Ok(SubaccountToken(bytes));
            }
        }
        if text.len() == 72 {
            if let Ok(bytes) = decode_hex_array::<36>(text) {
                return Ok(SubaccountToken(bytes));
            }
        }
        Err(AccountError::BadSubaccountToken)
    }

    /// The prefix byte this token is for.
    pub fn prefix(&self) -> u8 {
        self.0[0]
    }

    /// The permission flags (see [`access`]).
    pub fn flags(&self) -> u8 {
        self.0[1]
    }

    /// True when all bits of `required` are set.
    pub fn has(&self, required: u8) -> bool {
        self.flags() & required == required
    }

    /// True when the token applies to an account with this prefix.
    pub fn prefix_allowed(&self, prefix: u8) -> bool {
        self.prefix() == prefix || self.has(access::ANY_PREFIX)
    }

    /// The subaccount holder's Ed25519 key.
    pub fn pubkey(&self) -> [u8; 32] {
        let mut key = [0u8; 32];
        key.copy_from_slice(&self.0[4..]);
        key
    }

    /// Standard padded base64 (48 chars).
    pub fn to_base64(&self) -> String {
        encode_base64(&self.0)
    }
}

impl fmt::Debug for SubaccountToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubaccountToken({})", hex::encode(self.0))
    }
}

impl Serialize for SubaccountToken {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

impl<'de> Deserialize<'de> for SubaccountToken {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        SubaccountToken::from_text(&text).map_err(serde::de::Error::custom)
    }
}

/// A subaccount token plus the account owner's signature over its 36 bytes. Serialises as the
/// two request fields `subaccount` (base64) and `subaccount_sig` (base64).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedSubaccount {
    /// The token.
    pub token: SubaccountToken,
    /// Owner's Ed25519 signature of `token.0`.
    pub signature: [u8; 64],
}

impl Serialize for SignedSubaccount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("subaccount", &self.token.to_base64())?;
        map.serialize_entry("subaccount_sig", &encode_base64(&self.signature))?;
        map.end()
    }
}
