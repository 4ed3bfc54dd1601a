//! Account identity: the 16-byte recovery seed, the Ed25519/X25519 key pair derived from it and
//! the `05…` Session ID (PROTOCOL.md §1).
//!
//! Derivation (libsodium-compatible): the 16-byte seed is extended with 16 zero bytes to the
//! 32-byte Ed25519 seed; the X25519 secret is `SHA-512(seed32)[..32]` clamped
//! (`crypto_sign_ed25519_sk_to_curve25519`) and the X25519 public key is the birational image of
//! the Ed25519 public key. The Session ID is `0x05 || x25519_pk`.

use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use curve25519_dalek::constants::EIGHT_TORSION;
use curve25519_dalek::edwards::CompressedEdwardsY;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha512};
use x25519_dalek::StaticSecret;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// Length of a Session ID in hex characters (`05` + 64).
pub const SESSION_ID_HEX_LEN: usize = 66;

/// The prefix byte of a standard Session ID.
pub const SESSION_ID_PREFIX: u8 = 0x05;

/// Errors from parsing identities and checking keys and signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The text does not have 66 characters.
    #[error(
        "a Session ID has 66 characters (05 followed by 64 hex digits), but this one has {found}"
    )]
    SessionIdLength {
        /// Number of characters found (after trimming surrounding whitespace).
        found: usize,
    },
    /// A binary Session ID that is not 33 bytes long.
    #[error("a binary Session ID is 33 bytes (0x05 then a 32-byte key), but this one is {found}")]
    SessionIdByteLength {
        /// Number of bytes found.
        found: usize,
    },
    /// A character that is not a hex digit.
    #[error(
        "a Session ID contains only the hex digits 0-9 and a-f, but character {position} is {character:?}"
    )]
    SessionIdNotHex {
        /// 1-based position of the offending character.
        position: usize,
        /// The offending character.
        character: char,
    },
    /// The first byte is not `05`.
    #[error("a Session ID starts with 05, but this one starts with {prefix}: {meaning}")]
    SessionIdPrefix {
        /// The two hex characters found (lowercase).
        prefix: String,
        /// What such an id is, in words.
        meaning: &'static str,
    },
    /// The 32 bytes are not a usable Ed25519 public key.
    #[error("the Ed25519 public key is not a valid curve point of prime order")]
    InvalidEd25519Key,
    /// The signature does not match the message and public key.
    #[error("the Ed25519 signature does not match the message and public key")]
    BadSignature,
}

/// The 16-byte recovery seed an account is derived from. Zeroized on drop; `Debug` is redacted.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Seed([u8; 16]);

impl Seed {
    /// A fresh random seed from the operating system's RNG.
    pub fn generate() -> Seed {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        Seed(bytes)
    }

    /// Wraps existing seed bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Seed {
        Seed(bytes)
    }

    /// The raw seed bytes (secret).
    pub fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl fmt::Debug for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Seed(<redacted>)")
    }
}

/// An account's Ed25519 signing key and the X25519 key pair derived from it.
///
/// Secrets zeroize on drop (both `SigningKey` and `StaticSecret` do so themselves); `Debug`
/// shows only the Session ID.
#[derive(Clone)]
pub struct Keypair {
    signing: SigningKey,
    ed_public: [u8; 32],
    x_secret: StaticSecret,
    x_public: [u8; 32],
}

impl Keypair {
    /// Derives the key pair from a 16-byte recovery seed (`seed || 16 zero bytes`).
    pub fn from_seed(seed: &Seed) -> Keypair {
        let mut seed32 = Zeroizing::new([0u8; 32]);
        seed32[..16].copy_from_slice(seed.as_bytes());
        Keypair::from_seed32(&seed32)
    }

    /// Derives the key pair from a full 32-byte Ed25519 seed (e.g. from a 25-word phrase).
    pub fn from_seed32(seed32: &[u8; 32]) -> Keypair {
        let signing = SigningKey::from_bytes(seed32);
        let ed_public = signing.verifying_key().to_bytes();
        // libsodium crypto_sign_ed25519_sk_to_curve25519: first half of SHA-512(seed), clamped.
        let mut hash = Zeroizing::new([0u8; 64]);
        hash.copy_from_slice(&Sha512::digest(seed32));
        let mut scalar = Zeroizing::new([0u8; 32]);
        scalar.copy_from_slice(&hash[..32]);
        scalar[0] &= 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        let x_secret = StaticSecret::from(*scalar);
        // The birational map of our own (honestly generated) key always succeeds; computing the
        // X25519 public from the secret gives the same point.
        let x_public = x25519_dalek::PublicKey::from(&x_secret).to_bytes();
        Keypair {
            signing,
            ed_public,
            x_secret,
            x_public,
        }
    }

    /// A new random account: a fresh [`Seed`] and its key pair.
    pub fn generate() -> (Seed, Keypair) {
        let seed = Seed::generate();
        let keypair = Keypair::from_seed(&seed);
        (seed, keypair)
    }

    /// The 32-byte Ed25519 seed (secret).
    pub fn seed32(&self) -> &[u8; 32] {
        self.signing.as_bytes()
    }

    /// The 64-byte libsodium-style Ed25519 secret key `seed32 || ed25519_pk` (secret).
    pub fn ed25519_secret64(&self) -> Zeroizing<[u8; 64]> {
        Zeroizing::new(self.signing.to_keypair_bytes())
    }

    /// The Ed25519 public key.
    pub fn ed25519_public(&self) -> [u8; 32] {
        self.ed_public
    }

    /// The X25519 public key (the Session ID without its `05` prefix).
    pub fn x25519_public(&self) -> [u8; 32] {
        self.x_public
    }

    /// The X25519 secret, equal to libsodium's `crypto_sign_ed25519_sk_to_curve25519`.
    pub fn x25519_secret(&self) -> &StaticSecret {
        &self.x_secret
    }

    /// The ed25519-dalek signing key, for callers that need the dalek API directly.
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing
    }

    /// Signs `msg` with the Ed25519 key (deterministic, RFC 8032).
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.signing.sign(msg).to_bytes()
    }

    /// This account's Session ID.
    pub fn session_id(&self) -> SessionId {
        SessionId::from_x25519(self.x_public)
    }
}

impl fmt::Debug for Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keypair")
            .field("session_id", &self.session_id())
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// A standard Session ID: `0x05` followed by an X25519 public key.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionId([u8; 32]);

impl SessionId {
    /// The Session ID of an X25519 public key.
    pub fn from_x25519(pk: [u8; 32]) -> SessionId {
        SessionId(pk)
    }

    /// Parses the 33-byte binary form (`0x05 || pk`).
    pub fn from_bytes(bytes: &[u8]) -> Result<SessionId, IdentityError> {
        let (prefix, rest) = match bytes.split_first() {
            Some(split) if bytes.len() == 33 => split,
            _ => return Err(IdentityError::SessionIdByteLength { found: bytes.len() }),
        };
        if *prefix != SESSION_ID_PREFIX {
            return Err(prefix_error(*prefix));
        }
        let mut pk = [0u8; 32];
        pk.copy_from_slice(rest);
        Ok(SessionId(pk))
    }

    /// The X25519 public key (without the prefix).
    pub fn x25519_public(&self) -> [u8; 32] {
        self.0
    }

    /// The 33-byte binary form, prefix included.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = SESSION_ID_PREFIX;
        out[1..].copy_from_slice(&self.0);
        out
    }

    /// The 66-character lowercase hex form.
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }
}

fn prefix_error(prefix: u8) -> IdentityError {
    let meaning = match prefix {
        0x15 => "that is a blinded community id, not a Session ID",
        0x25 => "that is a blinded community id (25-blinded), not a Session ID",
        0x03 => "that is a group id, not a Session ID",
        0x00 => "that is an unblinded Ed25519 key used by communities, not a Session ID",
        0x07 => "that is a version-check key, not a Session ID",
        _ => "that is not any kind of Session account id",
    };
    IdentityError::SessionIdPrefix {
        prefix: format!("{prefix:02x}"),
        meaning,
    }
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl FromStr for SessionId {
    type Err = IdentityError;

    /// Parses 66 hex characters; surrounding whitespace and uppercase are accepted.
    fn from_str(s: &str) -> Result<SessionId, IdentityError> {
        let s = s.trim();
        let found = s.chars().count();
        if found != SESSION_ID_HEX_LEN {
            return Err(IdentityError::SessionIdLength { found });
        }
        if let Some((index, character)) =
            s.chars().enumerate().find(|(_, c)| !c.is_ascii_hexdigit())
        {
            return Err(IdentityError::SessionIdNotHex {
                position: index + 1,
                character,
            });
        }
        // All 66 characters are ASCII hex digits now, so bytes and chars coincide.
        let mut bytes = [0u8; 33];
        for (out, pair) in bytes.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
            if let [hi, lo] = pair {
                let (Some(hi), Some(lo)) = (hex_value(*hi), hex_value(*lo)) else {
                    return Err(IdentityError::SessionIdLength { found });
                };
                *out = (hi << 4) | lo;
            }
        }
        SessionId::from_bytes(&bytes)
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({})", self.to_hex())
    }
}

impl serde::Serialize for SessionId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for SessionId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// Converts an Ed25519 public key to its X25519 (Montgomery) form, like libsodium's
/// `crypto_sign_ed25519_pk_to_curve25519`: rejects bytes that are not a point, small-order
/// points and points outside the prime-order subgroup.
pub fn ed25519_pk_to_x25519(ed_pk: &[u8; 32]) -> Result<[u8; 32], IdentityError> {
    let point = CompressedEdwardsY(*ed_pk)
        .decompress()
        .ok_or(IdentityError::InvalidEd25519Key)?;
    if point.is_small_order() || !point.is_torsion_free() {
        return Err(IdentityError::InvalidEd25519Key);
    }
    Ok(point.to_montgomery().to_bytes())
}

/// Verifies an Ed25519 signature (strict: rejects small-order keys/R and non-canonical S, as
/// libsodium's `crypto_sign_verify_detached` does).
pub fn verify_ed25519(pk: &[u8; 32], msg: &[u8], sig: &[u8; 64]) -> Result<(), IdentityError> {
    let key = VerifyingKey::from_bytes(pk).map_err(|_| IdentityError::InvalidEd25519Key)?;
    if key.is_weak() {
        return Err(IdentityError::BadSignature);
    }
    if verify_under_checked_key(&key, msg, sig) {
        Ok(())
    } else {
        Err(IdentityError::BadSignature)
    }
}

/// The canonical encodings of the eight points of small order.
fn small_order_encodings() -> &'static [[u8; 32]; 8] {
    static ENCODINGS: OnceLock<[[u8; 32]; 8]> = OnceLock::new();
    ENCODINGS.get_or_init(|| EIGHT_TORSION.map(|p| p.compress().to_bytes()))
}

/// Strict Ed25519 verification under a key the caller has already found not to be of small
/// order ([`VerifyingKey::is_weak`]); accepts exactly what `verify_strict` accepts, for less.
///
/// The check recomputes R from S, the key and the message and compares its canonical encoding
/// with the signature's R bytes (RFC 8032, cofactorless; S must be canonical). A matching R is
/// therefore a canonical point encoding, and the one thing `verify_strict` adds, refusing an R
/// of small order, is a comparison with the eight such encodings (as libsodium does) instead of
/// a point decompression, which costs about a quarter of a verification.
pub(crate) fn verify_under_checked_key(key: &VerifyingKey, msg: &[u8], sig: &[u8; 64]) -> bool {
    let Some(r) = sig.first_chunk::<32>() else {
        return false;
    };
    if small_order_encodings().contains(r) {
        return false;
    }
    key.verify(msg, &Signature::from_bytes(sig)).is_ok()
}
