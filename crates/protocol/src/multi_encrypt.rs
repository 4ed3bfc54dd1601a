//! Encrypting one message (or one message each) for several X25519 recipients, as libsession's
//! `encrypt_for_multiple` / `decrypt_for_multiple` and their "simple" bencoded form
//! (CONFIG-GROUPS.md §3.3; vectors `multi-encrypt.json`). Used by groups v2 for key distribution
//! (domain `SessionGroupKeyMemberKey`) and kicked-member notices (`SessionGroupKickedMessage`).
//!
//! Confirmed against libsession-util `src/multi_encrypt.cpp` and `include/session/multi_encrypt.hpp`
//! (8762e9d3):
//! * per-recipient key = BLAKE2b-256 keyed with the domain (truncated to 64 bytes) over
//!   `X25519(a, B) ‖ A ‖ B`, sender's public key first on both sides; an all-zero X25519 result
//!   (low-order key) is an error;
//! * ciphertext = XChaCha20-Poly1305-IETF(message, nonce, key), no associated data, so
//!   `len + 16`; one 24-byte nonce is shared by every recipient (keys differ);
//! * either one message for everybody or exactly one message per recipient, in order;
//! * "simple" encoding: `d 1:# 24:<nonce> 1:e l <ciphertext>… e e`; with `pad > 1`, random junk
//!   entries are appended until the count is a multiple of `pad`; the code makes each junk entry
//!   as long as the first **plaintext** message (the header comment says the encrypted size;
//!   the code is followed here);
//! * a recipient tries every entry with its key until one authenticates.

use blake2::digest::consts::U32;
use blake2::digest::{Digest, Mac};
use blake2::{Blake2b, Blake2bMac};
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use rand_core::{OsRng, RngCore};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::config::bt;

/// Bytes each encrypted copy adds to its message (the Poly1305 tag).
pub const MULTI_ENCRYPT_OVERHEAD: usize = 16;
/// Nonce length.
pub const NONCE_LEN: usize = 24;
/// Longest domain used as the BLAKE2b key; longer domains are truncated, as in libsession.
pub const MAX_DOMAIN_KEY_LEN: usize = 64;

/// Why a multi-recipient message could not be encrypted or decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MultiEncryptError {
    /// Neither one message for all nor one message per recipient.
    #[error("give either one message for all recipients or one per recipient: got {messages} messages for {recipients} recipients")]
    MessageCount {
        /// Number of messages given.
        messages: usize,
        /// Number of recipients given.
        recipients: usize,
    },
    /// A public key is a low-order point, so no shared key can be derived.
    #[error("a public key is not a usable X25519 key (low-order point)")]
    BadPublicKey,
    /// The cipher refused (message too large).
    #[error("the message could not be encrypted (it is too large)")]
    EncryptFailed,
    /// No entry decrypted with our key: not for us, wrong sender or domain, or damaged.
    #[error("the message is not addressed to this key (or the sender or domain is wrong)")]
    NotForUs,
    /// The "simple" encoding could not be parsed.
    #[error("the multi-recipient message is malformed: {0}")]
    Malformed(&'static str),
}

/// Derives the symmetric key between `secret` and `other` (both sides give the same key).
fn shared_key(
    secret: &StaticSecret,
    own_public: &[u8; 32],
    other: &[u8; 32],
    own_is_sender: bool,
    domain: &[u8],
) -> Result<Zeroizing<[u8; 32]>, MultiEncryptError> {
    let shared = secret.diffie_hellman(&PublicKey::from(*other));
    if !shared.was_contributory() {
        return Err(MultiEncryptError::BadPublicKey);
    }
    let (sender, recipient) = if own_is_sender {
        (own_public, other)
    } else {
        (other, own_public)
    };
    let key_bytes = domain.get(..MAX_DOMAIN_KEY_LEN).unwrap_or(domain);
    let mut key = Zeroizing::new([0u8; 32]);
    if key_bytes.is_empty() {
        let mut h = Blake2b::<U32>::new();
        h.update(shared.as_bytes());
        h.update(sender);
        h.update(recipient);
        key.copy_from_slice(&h.finalize());
    } else {
        let mut h = <Blake2bMac<U32> as Mac>::new_from_slice(key_bytes)
            .map_err(|_| MultiEncryptError::EncryptFailed)?;
        h.update(shared.as_bytes());
        h.update(sender);
        h.update(recipient);
        key.copy_from_slice(&h.finalize().into_bytes());
    }
    Ok(key)
}

/// Encrypts `messages` (one for all, or one per recipient) from `sender` to each of
/// `recipients` (X25519 public keys) under one `nonce`. Returns one ciphertext per recipient,
/// in recipient order.
pub fn encrypt_for_multiple(
    messages: &[&[u8]],
    recipients: &[[u8; 32]],
    nonce: &[u8; NONCE_LEN],
    sender: &StaticSecret,
    domain: &[u8],
) -> Result<Vec<Vec<u8>>, MultiEncryptError> {
    if messages.len() != 1 && messages.len() != recipients.len() {
        return Err(MultiEncryptError::MessageCount {
            messages: messages.len(),
            recipients: recipients.len(),
        });
    }
    let sender_public = PublicKey::from(sender).to_bytes();
    recipients
        .iter()
        .enumerate()
        .map(|(i, recipient)| {
            let message = messages
                .get(i)
                .or(messages.first())
                .ok_or(MultiEncryptError::EncryptFailed)?;
            let key = shared_key(sender, &sender_public, recipient, true, domain)?;
            XChaCha20Poly1305::new(Key::from_slice(key.as_slice()))
                .encrypt(XNonce::from_slice(nonce), *message)
                .map_err(|_| MultiEncryptError::EncryptFailed)
        })
        .collect()
}

/// Tries each ciphertext with the key shared between `recipient` and `sender_public`; returns
/// the first that authenticates.
pub fn decrypt_for_multiple<'a>(
    ciphertexts: impl IntoIterator<Item = &'a [u8]>,
    nonce: &[u8; NONCE_LEN],
    recipient: &StaticSecret,
    sender_public: &[u8; 32],
    domain: &[u8],
) -> Result<Vec<u8>, MultiEncryptError> {
    let own_public = PublicKey::from(recipient).to_bytes();
    let key = shared_key(recipient, &own_public, sender_public, false, domain)?;
    let cipher = XChaCha20Poly1305::new(Key::from_slice(key.as_slice()));
    ciphertexts
        .into_iter()
        .filter(|c| c.len() >= MULTI_ENCRYPT_OVERHEAD)
        .find_map(|c| cipher.decrypt(XNonce::from_slice(nonce), c).ok())
        .ok_or(MultiEncryptError::NotForUs)
}

/// Encrypts like [`encrypt_for_multiple`] and encodes `{"#": nonce, "e": [ciphertexts…]}`.
/// With `nonce` `None` a random nonce is drawn; with `pad > 1` random junk entries (as long as
/// the first plaintext message) are added until the entry count is a multiple of `pad`.
pub fn encrypt_for_multiple_simple(
    messages: &[&[u8]],
    recipients: &[[u8; 32]],
    sender: &StaticSecret,
    domain: &[u8],
    nonce: Option<&[u8; NONCE_LEN]>,
    pad: usize,
) -> Result<Vec<u8>, MultiEncryptError> {
    let nonce = match nonce {
        Some(n) => *n,
        None => {
            let mut n = [0u8; NONCE_LEN];
            OsRng.fill_bytes(&mut n);
            n
        }
    };
    let mut entries = encrypt_for_multiple(messages, recipients, &nonce, sender, domain)?;
    let junk_len = messages.first().map_or(0, |m| m.len());
    if pad > 1 && junk_len > 0 {
        while entries.len() % pad != 0 {
            let mut junk = vec![0u8; junk_len];
            OsRng.fill_bytes(&mut junk);
            entries.push(junk);
        }
    }
    let mut out = Vec::with_capacity(
        40 + entries
            .iter()
            .map(|e| bt::encoded_bytes_len(e.len()))
            .sum::<usize>(),
    );
    out.push(b'd');
    bt::encode_bytes(b"#", &mut out);
    bt::encode_bytes(&nonce, &mut out);
    bt::encode_bytes(b"e", &mut out);
    out.push(b'l');
    for entry in &entries {
        bt::encode_bytes(entry, &mut out);
    }
    out.extend_from_slice(b"ee");
    Ok(out)
}

/// Decodes the "simple" form and decrypts the entry meant for `recipient`.
pub fn decrypt_for_multiple_simple(
    encoded: &[u8],
    recipient: &StaticSecret,
    sender_public: &[u8; 32],
    domain: &[u8],
) -> Result<Vec<u8>, MultiEncryptError> {
    let (nonce, entries) = decode_simple(encoded)?;
    decrypt_for_multiple(entries, &nonce, recipient, sender_public, domain)
}

/// Parses `d1:#24:<nonce>1:el…ee` (extra string-valued keys are skipped; keys must be sorted).
fn decode_simple(encoded: &[u8]) -> Result<([u8; NONCE_LEN], Vec<&[u8]>), MultiEncryptError> {
    let bad = |_| MultiEncryptError::Malformed("not a bencoded dict of the expected form");
    let mut r = bt::Reader::new(encoded);
    r.expect(b'd').map_err(bad)?;
    let mut nonce = None;
    let mut entries = None;
    let mut last_key: Option<&[u8]> = None;
    while !r.at_end_marker().map_err(bad)? {
        let key = r.bytes().map_err(bad)?;
        if last_key.is_some_and(|k| k >= key) {
            return Err(MultiEncryptError::Malformed("dict keys out of order"));
        }
        last_key = Some(key);
        match key {
            b"#" => {
                let n: [u8; NONCE_LEN] = r
                    .bytes()
                    .map_err(bad)?
                    .try_into()
                    .map_err(|_| MultiEncryptError::Malformed("nonce is not 24 bytes"))?;
                nonce = Some(n);
            }
            b"e" => entries = Some(r.byte_list().map_err(bad)?),
            _ => {
                r.bytes().map_err(bad)?;
            }
        }
    }
    if r.finish().is_err() {
        return Err(MultiEncryptError::Malformed("data after the dict"));
    }
    match (nonce, entries) {
        (Some(n), Some(e)) => Ok((n, e)),
        _ => Err(MultiEncryptError::Malformed("missing nonce or entries")),
    }
}
