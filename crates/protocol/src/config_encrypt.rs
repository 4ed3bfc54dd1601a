//! Encryption of libsession config messages (user profile, contacts, groups…), PROTOCOL.md §10.
//!
//! Format (confirmed against LSU `src/config/encrypt.cpp` at 8762e9d3):
//! * key   = BLAKE2b-256(key_base ‖ u64_be(plaintext_len) ‖ domain), unkeyed;
//! * nonce = BLAKE2b-192(plaintext, key = `"libsessionutil-config-encrypted-"` ‖ domain);
//! * output = XChaCha20-Poly1305(plaintext, no AD) (ciphertext ‖ 16-byte tag) ‖ nonce (24).
//!
//! The nonce is a keyed hash of the plaintext so that every device encrypting the same config
//! produces identical bytes (the storage server then deduplicates them). Decryption recovers the
//! plaintext length as `ciphertext_len - 40`, which it needs before it can derive the key.
//!
//! Before encryption libsession prefixes the serialized config with zero bytes up to
//! [`padded_size`]; receivers strip leading zeros (LSU `ConfigBase::merge`). A serialized config
//! always starts with `d` (bencoded dict) or `z` (zstd), so the strip is unambiguous.

use blake2::digest::consts::{U24, U32};
use blake2::digest::{Digest, Mac};
use blake2::{Blake2b, Blake2bMac};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

/// Domain of the user's profile config (namespace 2).
pub const DOMAIN_USER_PROFILE: &str = "UserProfile";
/// Domain of the contacts config (namespace 3).
pub const DOMAIN_CONTACTS: &str = "Contacts";
/// Domain of the conversation-info config (namespace 4).
pub const DOMAIN_CONVO_INFO_VOLATILE: &str = "ConvoInfoVolatile";
/// Domain of the user-groups config (namespace 5).
pub const DOMAIN_USER_GROUPS: &str = "UserGroups";
/// Domain of a v2 group's info config (namespace 13 of the group).
pub const DOMAIN_GROUP_INFO: &str = "groups::Info";
/// Domain of a v2 group's members config (namespace 14 of the group).
pub const DOMAIN_GROUP_MEMBERS: &str = "groups::Members";

/// Longest domain libsession accepts; keeps the nonce key within BLAKE2b's 64-byte key limit.
pub const DOMAIN_MAX_LEN: usize = 24;
/// Prefix of the BLAKE2b key that derives the nonce. (The LSU header comment names a different
/// string; the code and the test vector use this one.)
pub const NONCE_KEY_PREFIX: &[u8] = b"libsessionutil-config-encrypted-";
/// Poly1305 tag length.
pub const TAG_LEN: usize = 16;
/// XChaCha20 nonce length.
pub const NONCE_LEN: usize = 24;
/// Bytes `encrypt` adds to the plaintext: tag plus appended nonce.
pub const ENCRYPT_OVERHEAD: usize = TAG_LEN + NONCE_LEN;

/// Why a config message could not be encrypted or decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigEncryptError {
    /// The domain string is empty or longer than [`DOMAIN_MAX_LEN`].
    #[error("config encryption domain must be 1 to 24 bytes long, got {0} bytes")]
    InvalidDomain(usize),
    /// The input is too short to hold the tag and nonce.
    #[error("encrypted config message is {0} bytes, shorter than the 40 bytes of tag and nonce")]
    TooShort(usize),
    /// Authentication failed: wrong key, wrong domain, or damaged data.
    #[error("config message did not decrypt: wrong key or domain, or the data is damaged")]
    DecryptFailed,
    /// The plaintext is beyond what XChaCha20-Poly1305 can encrypt in one message.
    #[error("config message of {0} bytes is too large to encrypt")]
    TooLarge(usize),
    /// The decrypted message held nothing but padding.
    #[error("decrypted config message contains only padding, no data")]
    Empty,
}

fn check_domain(domain: &str) -> Result<(), ConfigEncryptError> {
    if domain.is_empty() || domain.len() > DOMAIN_MAX_LEN {
        return Err(ConfigEncryptError::InvalidDomain(domain.len()));
    }
    Ok(())
}

/// Symmetric key for one message; mixes in the length and domain so that a nonce collision
/// would also need equal sizes and domains to matter.
fn message_key(key_base: &[u8; 32], plaintext_len: usize, domain: &str) -> Zeroizing<[u8; 32]> {
    let mut hasher = Blake2b::<U32>::new();
    hasher.update(key_base);
    hasher.update((plaintext_len as u64).to_be_bytes());
    hasher.update(domain.as_bytes());
    let mut key = Zeroizing::new([0u8; 32]);
    key.copy_from_slice(&hasher.finalize());
    key
}

fn message_nonce(plaintext: &[u8], domain: &str) -> Result<[u8; NONCE_LEN], ConfigEncryptError> {
    let mut nonce_key = Vec::with_capacity(NONCE_KEY_PREFIX.len() + domain.len());
    nonce_key.extend_from_slice(NONCE_KEY_PREFIX);
    nonce_key.extend_from_slice(domain.as_bytes());
    // At most 56 bytes (checked domain), within BLAKE2b's 64-byte key limit.
    let mut mac = <Blake2bMac<U24> as Mac>::new_from_slice(&nonce_key)
        .map_err(|_| ConfigEncryptError::InvalidDomain(domain.len()))?;
    mac.update(plaintext);
    Ok(mac.finalize().into_bytes().into())
}

/// Encrypts `plaintext` deterministically: the same input always gives the same bytes.
/// Returns `ciphertext ‖ tag ‖ nonce`. `key_base` is the 32-byte Ed25519 seed for user configs.
pub fn encrypt(
    plaintext: &[u8],
    key_base: &[u8; 32],
    domain: &str,
) -> Result<Vec<u8>, ConfigEncryptError> {
    check_domain(domain)?;
    let key = message_key(key_base, plaintext.len(), domain);
    let nonce = message_nonce(plaintext, domain)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    let mut out = cipher
        .encrypt(XNonce::from_slice(&nonce), plaintext)
        .map_err(|_| ConfigEncryptError::TooLarge(plaintext.len()))?;
    out.extend_from_slice(&nonce);
    Ok(out)
}

/// Decrypts the output of [`encrypt`] (padding, if any, is left in place).
pub fn decrypt(
    encrypted: &[u8],
    key_base: &[u8; 32],
    domain: &str,
) -> Result<Vec<u8>, ConfigEncryptError> {
    check_domain(domain)?;
    let plaintext_len = encrypted
        .len()
        .checked_sub(ENCRYPT_OVERHEAD)
        .ok_or(ConfigEncryptError::TooShort(encrypted.len()))?;
    let (sealed, nonce) = encrypted.split_at(plaintext_len + TAG_LEN);
    let key = message_key(key_base, plaintext_len, domain);
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    cipher
        .decrypt(XNonce::from_slice(nonce), sealed)
        .map_err(|_| ConfigEncryptError::DecryptFailed)
}

/// Size a message of `size` bytes is padded to so that, with `overhead` more bytes appended,
/// the total lands on a boundary: 256-byte steps below 5 KiB, 1 KiB below 20 KiB, 2 KiB below
/// 40 KiB, 5 KiB above. Never less than `size`. (LSU `padded_size`.)
pub fn padded_size(size: usize, overhead: usize) -> usize {
    let total = size.saturating_add(overhead);
    let chunk = match total {
        t if t < 5120 => 256,
        t if t < 20480 => 1024,
        t if t < 40960 => 2048,
        _ => 5120,
    };
    total
        .div_ceil(chunk)
        .saturating_mul(chunk)
        .saturating_sub(overhead)
        .max(size)
}

/// Prefixes `message` with zero bytes up to `padded_size(len, ENCRYPT_OVERHEAD)`.
pub fn pad_message(message: &[u8]) -> Vec<u8> {
    let target = padded_size(message.len(), ENCRYPT_OVERHEAD);
    let mut out = vec![0u8; target - message.len()];
    out.extend_from_slice(message);
    out
}

/// Removes the leading zero bytes that [`pad_message`] added.
pub fn strip_padding(message: &[u8]) -> &[u8] {
    let start = message
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(message.len());
    &message[start..]
}

/// Pads then encrypts, the way libsession pushes a config.
pub fn pad_and_encrypt(
    message: &[u8],
    key_base: &[u8; 32],
    domain: &str,
) -> Result<Vec<u8>, ConfigEncryptError> {
    encrypt(&pad_message(message), key_base, domain)
}

/// Decrypts then strips padding; an all-padding message is an error, as in libsession.
pub fn decrypt_and_unpad(
    encrypted: &[u8],
    key_base: &[u8; 32],
    domain: &str,
) -> Result<Vec<u8>, ConfigEncryptError> {
    let plain = decrypt(encrypted, key_base, domain)?;
    let data = strip_padding(&plain);
    if data.is_empty() {
        return Err(ConfigEncryptError::Empty);
    }
    Ok(data.to_vec())
}
