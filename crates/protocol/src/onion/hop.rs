//! Per-hop encryption: the symmetric key a client and one node derive from an X25519 exchange,
//! and the AEAD framing `nonce ‖ ciphertext ‖ tag` used both ways.

use std::fmt;
use std::str::FromStr;

use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::Aes256Gcm;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};
use chacha20poly1305::XChaCha20Poly1305;
use hmac::{Hmac, Mac};
use rand_core::CryptoRngCore;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::OnionError;
use crate::agreement::{agree_once, PreparedPublicKey, SharedBytes};

/// AES-GCM IV length.
pub const AES_GCM_IV_LEN: usize = 12;
/// XChaCha20-Poly1305 nonce length.
pub const XCHACHA20_NONCE_LEN: usize = 24;
/// Authentication tag length of both AEADs.
pub const AEAD_TAG_LEN: usize = 16;

/// HMAC key for the AES-GCM key derivation, LSU/SSS `salt{"LOKI"}`, zero-padded to the
/// SHA-256 block size as HMAC does with short keys (this makes construction infallible).
const AES_GCM_KDF_KEY: [u8; 64] = {
    let mut block = [0u8; 64];
    block[0] = b'L';
    block[1] = b'O';
    block[2] = b'K';
    block[3] = b'I';
    block
};

/// The cipher of one onion layer (the `enc_type` JSON field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum EncType {
    /// AES-256-GCM; the default when `enc_type` is absent and what desktop uses.
    #[default]
    AesGcm,
    /// XChaCha20-Poly1305 (IETF); LSU's builder default.
    XChaCha20,
}

impl EncType {
    /// Parses an `enc_type` value: `"aes-gcm"`/`"gcm"` or `"xchacha20"`/`"xchacha20-poly1305"`
    /// (the names LSU and SSS accept; SSS's legacy `"aes-cbc"` is not supported).
    pub fn parse(name: &str) -> Result<EncType, OnionError> {
        match name {
            "aes-gcm" | "gcm" => Ok(EncType::AesGcm),
            "xchacha20" | "xchacha20-poly1305" => Ok(EncType::XChaCha20),
            other => Err(OnionError::UnknownEncType {
                found: other.chars().take(40).collect(),
            }),
        }
    }

    /// The name written into JSON, as LSU's `to_string` does: `"aes-gcm"` or `"xchacha20"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            EncType::AesGcm => "aes-gcm",
            EncType::XChaCha20 => "xchacha20",
        }
    }

    /// Length of the nonce prefixed to each ciphertext.
    pub const fn nonce_len(self) -> usize {
        match self {
            EncType::AesGcm => AES_GCM_IV_LEN,
            EncType::XChaCha20 => XCHACHA20_NONCE_LEN,
        }
    }

    /// Bytes a ciphertext adds to its plaintext (nonce + tag).
    pub const fn overhead(self) -> usize {
        self.nonce_len() + AEAD_TAG_LEN
    }
}

impl fmt::Display for EncType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for EncType {
    type Err = OnionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EncType::parse(s)
    }
}

/// An X25519 key pair (a node's or server's long-term key, or a client's ephemeral key).
///
/// The public half is stored so peeling does not pay for a base-point multiplication per
/// request. The secret zeroizes on drop and is redacted from `Debug`.
#[derive(Clone)]
pub struct X25519Keypair {
    secret: StaticSecret,
    public: PublicKey,
}

impl X25519Keypair {
    /// Computes the public key of `secret`.
    pub fn from_secret(secret: StaticSecret) -> X25519Keypair {
        let public = PublicKey::from(&secret);
        X25519Keypair { secret, public }
    }

    /// Builds a key pair from raw secret bytes (clamped when used, as X25519 does).
    pub fn from_secret_bytes(secret: [u8; 32]) -> X25519Keypair {
        X25519Keypair::from_secret(StaticSecret::from(secret))
    }

    /// A fresh random key pair.
    pub fn generate(rng: &mut impl CryptoRngCore) -> X25519Keypair {
        X25519Keypair::from_secret(StaticSecret::random_from_rng(rng))
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// The secret key.
    pub fn secret(&self) -> &StaticSecret {
        &self.secret
    }
}

impl fmt::Debug for X25519Keypair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("X25519Keypair")
            .field("public", &hex::encode(self.public.as_bytes()))
            .field("secret", &"<redacted>")
            .finish()
    }
}

/// The symmetric key of one onion layer plus its cipher.
///
/// Client and node derive the same key, so it encrypts the request on the way in and the reply
/// on the way out. Zeroized on drop; `Debug` shows only the cipher.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct HopKey {
    key: [u8; 32],
    #[zeroize(skip)]
    enc_type: EncType,
}

impl fmt::Debug for HopKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HopKey")
            .field("enc_type", &self.enc_type)
            .field("key", &"<redacted>")
            .finish()
    }
}

impl HopKey {
    /// The client's side: its ephemeral key pair and the node's public key.
    pub fn client_side(
        enc_type: EncType,
        ephemeral: &X25519Keypair,
        node_public: &PublicKey,
    ) -> Result<HopKey, OnionError> {
        HopKey::client_side_prepared(enc_type, ephemeral, &PreparedPublicKey::plain(*node_public))
    }

    /// The client's side with the node's key prepared for repeated agreements
    /// ([`PreparedPublicKey`]); the same key as [`HopKey::client_side`].
    pub fn client_side_prepared(
        enc_type: EncType,
        ephemeral: &X25519Keypair,
        node: &PreparedPublicKey,
    ) -> Result<HopKey, OnionError> {
        let shared = node.agree(&ephemeral.secret);
        HopKey::derive(enc_type, &shared, ephemeral.public(), node.public())
    }

    /// The node's side: its own key pair and the client's ephemeral public key from the layer
    /// header.
    pub fn node_side(
        enc_type: EncType,
        node: &X25519Keypair,
        client_ephemeral: &PublicKey,
    ) -> Result<HopKey, OnionError> {
        let shared = agree_once(&node.secret, client_ephemeral);
        HopKey::derive(enc_type, &shared, client_ephemeral, node.public())
    }

    /// Wraps an already-derived key (for example one kept by the caller).
    pub fn from_bytes(enc_type: EncType, key: [u8; 32]) -> HopKey {
        HopKey { key, enc_type }
    }

    fn derive(
        enc_type: EncType,
        shared: &SharedBytes,
        client_public: &PublicKey,
        node_public: &PublicKey,
    ) -> Result<HopKey, OnionError> {
        // libsodium's crypto_scalarmult fails on an all-zero result; so do we.
        if !shared.was_contributory() {
            return Err(OnionError::WeakKey);
        }
        let key: [u8; 32] = match enc_type {
            EncType::AesGcm => {
                let mut mac = <Hmac<Sha256> as KeyInit>::new(
                    hmac::digest::Key::<Hmac<Sha256>>::from_slice(&AES_GCM_KDF_KEY),
                );
                mac.update(shared.as_bytes());
                mac.finalize().into_bytes().into()
            }
            EncType::XChaCha20 => {
                // Client key first in both directions (LSU `xchacha20_shared_key`).
                let mut hash = Blake2b::<U32>::new();
                hash.update(shared.as_bytes());
                hash.update(client_public.as_bytes());
                hash.update(node_public.as_bytes());
                hash.finalize().into()
            }
        };
        Ok(HopKey { key, enc_type })
    }

    /// The cipher this key is for.
    pub fn enc_type(&self) -> EncType {
        self.enc_type
    }

    /// The raw symmetric key (secret; for callers that store it themselves).
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.key
    }

    /// Encrypts with a fresh random nonce: `nonce ‖ ciphertext ‖ tag`.
    pub fn encrypt(
        &self,
        plaintext: &[u8],
        rng: &mut impl CryptoRngCore,
    ) -> Result<Vec<u8>, OnionError> {
        let mut nonce = [0u8; XCHACHA20_NONCE_LEN];
        let nonce = nonce
            .get_mut(..self.enc_type.nonce_len())
            .unwrap_or_default();
        rng.fill_bytes(nonce);
        self.encrypt_with_nonce(nonce, plaintext)
    }

    /// Encrypts with the given nonce (12 bytes for AES-GCM, 24 for XChaCha20). For known-answer
    /// tests; a nonce must never be reused with the same key.
    pub fn encrypt_with_nonce(
        &self,
        nonce: &[u8],
        plaintext: &[u8],
    ) -> Result<Vec<u8>, OnionError> {
        let nonce_len = self.enc_type.nonce_len();
        if nonce.len() != nonce_len {
            return Err(OnionError::BadNonceLength {
                enc_type: self.enc_type,
                expected: nonce_len,
                len: nonce.len(),
            });
        }
        let mut out = Vec::with_capacity(nonce_len + plaintext.len() + AEAD_TAG_LEN);
        out.extend_from_slice(nonce);
        out.extend_from_slice(plaintext);
        let too_large = OnionError::PayloadTooLarge {
            len: plaintext.len(),
        };
        let (nonce, body) = out.split_at_mut(nonce_len);
        let tag = match self.enc_type {
            EncType::AesGcm => Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(&self.key))
                .encrypt_in_place_detached(nonce.as_ref().into(), b"", body)
                .map_err(|_| too_large)?,
            EncType::XChaCha20 => {
                XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.key))
                    .encrypt_in_place_detached(nonce.as_ref().into(), b"", body)
                    .map_err(|_| too_large)?
            }
        };
        out.extend_from_slice(&tag);
        Ok(out)
    }

    /// Decrypts `nonce ‖ ciphertext ‖ tag`.
    pub fn decrypt(&self, ciphertext: &[u8]) -> Result<Vec<u8>, OnionError> {
        let enc_type = self.enc_type;
        let too_short = || OnionError::CiphertextTooShort {
            enc_type,
            len: ciphertext.len(),
            min: enc_type.overhead(),
        };
        let (nonce, rest) = ciphertext
            .split_at_checked(enc_type.nonce_len())
            .ok_or_else(too_short)?;
        let (body, tag) = rest
            .split_at_checked(rest.len().wrapping_sub(AEAD_TAG_LEN))
            .ok_or_else(too_short)?;
        let mut plaintext = body.to_vec();
        let verified = match enc_type {
            EncType::AesGcm => Aes256Gcm::new(aes_gcm::Key::<Aes256Gcm>::from_slice(&self.key))
                .decrypt_in_place_detached(nonce.into(), b"", &mut plaintext, tag.into()),
            EncType::XChaCha20 => {
                XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&self.key))
                    .decrypt_in_place_detached(nonce.into(), b"", &mut plaintext, tag.into())
            }
        };
        verified.map_err(|_| OnionError::DecryptionFailed { enc_type })?;
        Ok(plaintext)
    }
}

/// One layer sealed for a node: the ciphertext, the ephemeral public key to announce in the
/// layer's JSON, and the derived key (kept by the client when it is the final layer).
#[derive(Debug)]
pub struct SealedHop {
    /// The client's ephemeral X25519 public key for this layer.
    pub ephemeral_public: PublicKey,
    /// The symmetric key both ends derive.
    pub key: HopKey,
    /// `nonce ‖ ciphertext ‖ tag`.
    pub ciphertext: Vec<u8>,
}

/// Encrypts `plaintext` for the node with X25519 key `node_public` under a fresh ephemeral key.
pub fn seal_for_node(
    enc_type: EncType,
    node_public: &PublicKey,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<SealedHop, OnionError> {
    seal_for_prepared_node(
        enc_type,
        &PreparedPublicKey::plain(*node_public),
        plaintext,
        rng,
    )
}

/// [`seal_for_node`] with the node's key prepared for repeated agreements.
pub fn seal_for_prepared_node(
    enc_type: EncType,
    node: &PreparedPublicKey,
    plaintext: &[u8],
    rng: &mut impl CryptoRngCore,
) -> Result<SealedHop, OnionError> {
    let ephemeral = X25519Keypair::generate(rng);
    let key = HopKey::client_side_prepared(enc_type, &ephemeral, node)?;
    let ciphertext = key.encrypt(plaintext, rng)?;
    Ok(SealedHop {
        ephemeral_public: ephemeral.public,
        key,
        ciphertext,
    })
}
