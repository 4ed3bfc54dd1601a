//! One-to-one message encryption ("Session protocol", PROTOCOL.md §3), byte-compatible with
//! libsession's `encrypt_for_recipient`, `encrypt_for_recipient_deterministic` and
//! `decrypt_incoming`.
//!
//! These functions work on already padded plaintext `M` (see [`crate::padding`]):
//! `sig = Ed25519(M || sender_ed_pk || recipient_x25519_pk)`, `inner = M || sender_ed_pk || sig`,
//! output = `crypto_box_seal(inner, recipient_x25519_pk)` = `eph_pk || tag || ciphertext`.
//!
//! The sealed box is built from its parts (X25519, HSalsa20, XSalsa20-Poly1305, as libsodium
//! defines it) so the agreement can take the faster routes of [`crate::agreement`]: a table for
//! a recipient key the caller uses often, the Edwards form for a key seen once. Its X25519 is
//! RFC 7748's, as libsodium's is.

use blake2::digest::consts::U24;
use blake2::digest::{Digest, Mac};
use blake2::{Blake2b, Blake2bMac};
use crypto_secretbox::aead::generic_array::GenericArray;
use crypto_secretbox::aead::{AeadInPlace, KeyInit};
use crypto_secretbox::{Kdf, XSalsa20Poly1305};
use ed25519_dalek::VerifyingKey;
use rand_core::{OsRng, RngCore};
use sha2::Sha512;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::agreement::{agree_once, PreparedPublicKey, SharedBytes};
use crate::identity::{Keypair, SessionId};

/// Length of the ephemeral public key that starts a sealed box.
const EPH_PK_LEN: usize = 32;
/// Length of the Poly1305 tag that follows it.
const TAG_LEN: usize = 16;
/// Bytes a sealed box adds to its plaintext.
pub const SEAL_OVERHEAD: usize = EPH_PK_LEN + TAG_LEN;
/// Bytes the sender's Ed25519 key and signature add to the padded message inside the box.
pub const INNER_OVERHEAD: usize = 32 + 64;
/// Key of the keyed BLAKE2b that derives the deterministic ephemeral seed (libsession).
const DETERMINISTIC_HASH_KEY: &[u8] = b"SessionBoxEphemeralHashKey";

/// Why a message could not be encrypted or decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionCryptoError {
    /// The recipient's key is a low-order point; nothing can be encrypted to it.
    #[error("the recipient's Session ID is not a usable X25519 public key")]
    InvalidRecipientKey,
    /// The encryption primitive failed (message too large for the cipher).
    #[error("the message could not be encrypted (it is too large)")]
    EncryptFailed,
    /// Shorter than the 48 bytes of sealed-box overhead.
    #[error("the encrypted message is {len} bytes, shorter than the {SEAL_OVERHEAD}-byte minimum")]
    TooShort {
        /// Length of the input.
        len: usize,
    },
    /// The sealed box did not open: addressed to someone else, or altered in transit.
    #[error("the message could not be decrypted: it is for another account or was altered")]
    CannotOpen,
    /// The decrypted content has no room for the sender key, signature and a message.
    #[error("the decrypted content is {len} bytes; more than 96 are needed for key and signature")]
    InnerTooShort {
        /// Length of the decrypted content.
        len: usize,
    },
    /// The sender's Ed25519 key inside the box is not a valid key.
    #[error("the sender's key in the message is not a valid Ed25519 public key")]
    BadSenderKey,
    /// The signature does not match the sender key, message and our key.
    #[error("the sender's signature on the message is not valid")]
    BadSignature,
}

/// A successfully decrypted and verified message.
#[derive(Clone, PartialEq, Eq)]
pub struct Decrypted {
    /// The padded plaintext `M` exactly as signed (unpad it with [`crate::padding::unpad`]).
    pub message: Vec<u8>,
    /// The sender's Session ID (derived from `sender_ed25519`).
    pub sender: SessionId,
    /// The sender's Ed25519 public key.
    pub sender_ed25519: [u8; 32],
}

impl std::fmt::Debug for Decrypted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Decrypted")
            .field("message_len", &self.message.len())
            .field("sender", &self.sender)
            .finish()
    }
}

/// Encrypts padded `message` to `recipient` with a random ephemeral key (the normal send path).
pub fn encrypt_for_recipient(
    sender: &Keypair,
    recipient: &SessionId,
    message: &[u8],
) -> Result<Vec<u8>, SessionCryptoError> {
    seal_signed(sender, recipient, message, &random_ephemeral(), agree_once)
}

/// [`encrypt_for_recipient`] with the recipient's X25519 key prepared by the caller (a table
/// for a contact written to often; see [`crate::agreement`]). Same output distribution.
pub fn encrypt_for_prepared_recipient(
    sender: &Keypair,
    recipient: &SessionId,
    prepared: &PreparedPublicKey,
    message: &[u8],
) -> Result<Vec<u8>, SessionCryptoError> {
    if prepared.public().as_bytes() != &recipient.x25519_public() {
        return Err(SessionCryptoError::InvalidRecipientKey);
    }
    seal_signed(
        sender,
        recipient,
        message,
        &random_ephemeral(),
        |secret, _| prepared.agree(secret),
    )
}

fn random_ephemeral() -> StaticSecret {
    let mut eph_bytes = Zeroizing::new([0u8; 32]);
    OsRng.fill_bytes(eph_bytes.as_mut());
    StaticSecret::from(*eph_bytes)
}

/// Like [`encrypt_for_recipient`] but the ephemeral key is derived from the sender's seed, the
/// recipient and the message, so equal inputs give equal output (libsession's deterministic
/// variant; used for tests and for messages that must deduplicate).
pub fn encrypt_for_recipient_deterministic(
    sender: &Keypair,
    recipient: &SessionId,
    message: &[u8],
) -> Result<Vec<u8>, SessionCryptoError> {
    let mut mac =
        <Blake2bMac<blake2::digest::consts::U32> as Mac>::new_from_slice(DETERMINISTIC_HASH_KEY)
            .map_err(|_| SessionCryptoError::EncryptFailed)?;
    mac.update(sender.seed32());
    mac.update(&recipient.x25519_public());
    mac.update(message);
    let eph_seed = Zeroizing::new(mac.finalize().into_bytes());
    // crypto_box_seed_keypair: the X25519 secret is the first half of SHA-512(seed).
    let hash = Zeroizing::new(Sha512::digest(eph_seed.as_slice()));
    let mut eph_bytes = Zeroizing::new([0u8; 32]);
    eph_bytes.copy_from_slice(&hash[..32]);
    seal_signed(
        sender,
        recipient,
        message,
        &StaticSecret::from(*eph_bytes),
        agree_once,
    )
}

/// NaCl's box key from an X25519 output: HSalsa20 of it with a zero input block (libsodium's
/// `crypto_box_beforenm`). An all-zero output (a low-order peer key) is refused, as there.
fn box_cipher(shared: &SharedBytes) -> Option<XSalsa20Poly1305> {
    if !shared.was_contributory() {
        return None;
    }
    let key = Zeroizing::new(<XSalsa20Poly1305 as Kdf>::kdf(
        GenericArray::from_slice(shared.as_bytes()),
        &GenericArray::default(),
    ));
    Some(XSalsa20Poly1305::new(&key))
}

/// Signs `message` and seals `message || ed_pk || sig` with the given ephemeral secret;
/// `agree` computes X25519(ephemeral secret, recipient key).
fn seal_signed(
    sender: &Keypair,
    recipient: &SessionId,
    message: &[u8],
    eph_secret: &StaticSecret,
    agree: impl FnOnce(&StaticSecret, &PublicKey) -> SharedBytes,
) -> Result<Vec<u8>, SessionCryptoError> {
    let recipient_pk = recipient.x25519_public();
    if is_small_order(&recipient_pk) {
        return Err(SessionCryptoError::InvalidRecipientKey);
    }
    let ed_pk = sender.ed25519_public();

    // Output layout: eph_pk | tag | M | ed_pk | sig. The signed data `M || ed_pk || recipient`
    // is built in the same buffer (recipient where sig will go) to avoid another allocation.
    let inner_len = message.len() + INNER_OVERHEAD;
    let mut out = Vec::with_capacity(SEAL_OVERHEAD + inner_len);
    out.resize(SEAL_OVERHEAD, 0);
    out.extend_from_slice(message);
    out.extend_from_slice(&ed_pk);
    out.extend_from_slice(&recipient_pk);
    let sig = sender.sign(out.get(SEAL_OVERHEAD..).unwrap_or_default());
    out.truncate(SEAL_OVERHEAD + message.len() + 32);
    out.extend_from_slice(&sig);

    let eph_pk = PublicKey::from(eph_secret);
    let nonce = seal_nonce(eph_pk.as_bytes(), &recipient_pk);
    let cipher = box_cipher(&agree(eph_secret, &PublicKey::from(recipient_pk)))
        .ok_or(SessionCryptoError::InvalidRecipientKey)?;
    let (head, body) = out.split_at_mut(SEAL_OVERHEAD);
    let tag = cipher
        .encrypt_in_place_detached(&nonce, b"", body)
        .map_err(|_| SessionCryptoError::EncryptFailed)?;
    let (eph_slot, tag_slot) = head.split_at_mut(EPH_PK_LEN);
    eph_slot.copy_from_slice(eph_pk.as_bytes());
    tag_slot.copy_from_slice(tag.as_slice());
    Ok(out)
}

/// Opens a sealed Session-protocol message addressed to `recipient` and checks the sender's
/// signature. Returns the padded message and the sender's identity.
pub fn decrypt_incoming(
    recipient: &Keypair,
    ciphertext: &[u8],
) -> Result<Decrypted, SessionCryptoError> {
    let too_short = SessionCryptoError::TooShort {
        len: ciphertext.len(),
    };
    let (eph_pk, rest) = ciphertext
        .split_first_chunk::<EPH_PK_LEN>()
        .ok_or(too_short.clone())?;
    let (tag, body) = rest.split_first_chunk::<TAG_LEN>().ok_or(too_short)?;
    // libsodium refuses a shared secret from a low-order ephemeral key; do the same.
    if is_small_order(eph_pk) {
        return Err(SessionCryptoError::CannotOpen);
    }
    let my_pk = recipient.x25519_public();
    let nonce = seal_nonce(eph_pk, &my_pk);
    let cipher = box_cipher(&agree_once(
        recipient.x25519_secret(),
        &PublicKey::from(*eph_pk),
    ))
    .ok_or(SessionCryptoError::CannotOpen)?;
    let mut inner = body.to_vec();
    cipher
        .decrypt_in_place_detached(&nonce, b"", &mut inner, GenericArray::from_slice(tag))
        .map_err(|_| SessionCryptoError::CannotOpen)?;

    if inner.len() <= INNER_OVERHEAD {
        return Err(SessionCryptoError::InnerTooShort { len: inner.len() });
    }
    let (signed, sig) = inner
        .split_last_chunk::<64>()
        .ok_or(SessionCryptoError::InnerTooShort { len: inner.len() })?;
    let sig = *sig;
    let (message, ed_pk) = signed
        .split_last_chunk::<32>()
        .ok_or(SessionCryptoError::InnerTooShort { len: inner.len() })?;
    let sender_ed25519 = *ed_pk;
    let message_len = message.len();

    // Decompress the sender key once; libsodium rejects small-order and mixed-order keys.
    let key =
        VerifyingKey::from_bytes(&sender_ed25519).map_err(|_| SessionCryptoError::BadSenderKey)?;
    let point = key.to_edwards();
    if point.is_small_order() || !point.is_torsion_free() {
        return Err(SessionCryptoError::BadSenderKey);
    }
    // Signed data is M || sender_ed_pk || my_x25519_pk: reuse the buffer, overwriting the sig.
    inner.truncate(message_len + 32);
    inner.extend_from_slice(&my_pk);
    if !crate::identity::verify_under_checked_key(&key, &inner, &sig) {
        return Err(SessionCryptoError::BadSignature);
    }
    inner.truncate(message_len);
    Ok(Decrypted {
        message: inner,
        sender: SessionId::from_x25519(point.to_montgomery().to_bytes()),
        sender_ed25519,
    })
}

/// The sealed-box nonce: unkeyed BLAKE2b-192 of `eph_pk || recipient_pk`.
fn seal_nonce(eph_pk: &[u8; 32], recipient_pk: &[u8; 32]) -> crypto_secretbox::Nonce {
    let mut hasher = Blake2b::<U24>::new();
    hasher.update(eph_pk);
    hasher.update(recipient_pk);
    hasher.finalize()
}

/// X25519 u-coordinates of low order (libsodium's blocklist; bit 255 is ignored). Multiplying
/// any of them by a clamped scalar gives the all-zero shared secret, which libsodium rejects.
const SMALL_ORDER_POINTS: [[u8; 32]; 7] = [
    [0; 32],
    [
        1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0,
    ],
    [
        0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4,
        0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
        0xb8, 0x00,
    ],
    [
        0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83, 0xef,
        0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd, 0xd0, 0x9f,
        0x11, 0x57,
    ],
    [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
    [
        0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ],
];

/// Whether `pk` is one of the low-order X25519 points (ignoring the unused top bit).
pub fn is_small_order(pk: &[u8; 32]) -> bool {
    let mut normalized = *pk;
    normalized[31] &= 0x7f;
    SMALL_ORDER_POINTS.contains(&normalized)
}
