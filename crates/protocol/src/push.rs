//! Push-notification payload encryption (Session push notification server, "SPNS").
//!
//! A device registers a 32-byte symmetric key with the push server; the server sends
//! `nonce(24) ‖ XChaCha20-Poly1305(payload, no AD)` (ciphertext ‖ tag). The server zero-pads the
//! payload to a multiple of 256 bytes before encrypting, and the client strips trailing zero bytes
//! after decrypting. Confirmed against LSU `session_encrypt.cpp` `decrypt_push_notification` and
//! oxen-io/session-push-notification-server `spns/notifiers/util.py` (`encrypt_notify_payload`).
//! The payload itself is a bencoded list (metadata, optional message body); decoding it is not
//! this module's job.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{CryptoRng, RngCore};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Nonce length at the front of a payload.
pub const PUSH_NONCE_LEN: usize = 24;
/// Poly1305 tag length.
pub const PUSH_TAG_LEN: usize = 16;
/// The push server pads payloads to a multiple of this many bytes.
pub const PUSH_PADDING_BLOCK: usize = 256;

/// Why a push payload could not be decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// Shorter than nonce plus tag.
    #[error("push notification payload is {0} bytes, shorter than the 40 bytes of nonce and tag")]
    TooShort(usize),
    /// Authentication failed: the key is not the one registered, or the payload is damaged.
    #[error("push notification did not decrypt: the registered key does not match or the payload is damaged")]
    DecryptFailed,
    /// The plaintext is beyond what XChaCha20-Poly1305 can encrypt.
    #[error("push notification payload of {0} bytes is too large to encrypt")]
    TooLarge(usize),
}

/// The symmetric key a device registers with the push server.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct PushEncryptionKey([u8; 32]);

impl PushEncryptionKey {
    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// A fresh random key.
    pub fn generate<R: RngCore + CryptoRng>(rng: &mut R) -> Self {
        let mut bytes = [0u8; 32];
        rng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The raw key, to send to the push server when subscribing.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(Key::from_slice(&self.0))
    }
}

impl std::fmt::Debug for PushEncryptionKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PushEncryptionKey(<redacted>)")
    }
}

/// Decrypts a push payload and strips the trailing zero padding.
pub fn decrypt_push_notification(
    payload: &[u8],
    key: &PushEncryptionKey,
) -> Result<Vec<u8>, PushError> {
    if payload.len() < PUSH_NONCE_LEN + PUSH_TAG_LEN {
        return Err(PushError::TooShort(payload.len()));
    }
    let (nonce, sealed) = payload.split_at(PUSH_NONCE_LEN);
    let mut plain = key
        .cipher()
        .decrypt(XNonce::from_slice(nonce), sealed)
        .map_err(|_| PushError::DecryptFailed)?;
    let end = plain.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    plain.truncate(end);
    Ok(plain)
}

/// Encrypts `plaintext` as given (no padding): `nonce ‖ ciphertext ‖ tag`.
pub fn encrypt_push_notification(
    plaintext: &[u8],
    key: &PushEncryptionKey,
    nonce: &[u8; PUSH_NONCE_LEN],
) -> Result<Vec<u8>, PushError> {
    let sealed = key
        .cipher()
        .encrypt(XNonce::from_slice(nonce), plaintext)
        .map_err(|_| PushError::TooLarge(plaintext.len()))?;
    let mut out = Vec::with_capacity(PUSH_NONCE_LEN + sealed.len());
    out.extend_from_slice(nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Zero-pads `plaintext` to a multiple of [`PUSH_PADDING_BLOCK`] and encrypts it, as the push
/// server does. The nonce must be fresh random bytes for every payload.
pub fn encrypt_push_notification_padded(
    plaintext: &[u8],
    key: &PushEncryptionKey,
    nonce: &[u8; PUSH_NONCE_LEN],
) -> Result<Vec<u8>, PushError> {
    let padded_len = plaintext
        .len()
        .div_ceil(PUSH_PADDING_BLOCK)
        .saturating_mul(PUSH_PADDING_BLOCK);
    let mut padded = plaintext.to_vec();
    padded.resize(padded_len, 0);
    encrypt_push_notification(&padded, key, nonce)
}
