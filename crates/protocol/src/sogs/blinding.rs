//! 15-blinding: a per-community key derived from the user's Ed25519 key, so that communities
//! cannot link a user across servers (PROTOCOL.md §7).
//!
//! * `k  = reduce(BLAKE2b-512(server_pk))`
//! * `a  = ` the Ed25519 private scalar (clamped SHA-512(seed)[0..32], libsodium's
//!   `crypto_sign_ed25519_sk_to_curve25519`); `ka = k·a`, `kA = ka·B`; id = `0x15 ‖ kA`.
//! * Signature with the blinded key: `r = reduce(SHA-512(H_rh ‖ kA ‖ msg))`, `R = r·B`,
//!   `S = r + reduce(SHA-512(R ‖ kA ‖ msg))·ka`. It verifies as a plain Ed25519 signature by kA.
//!   `H_rh = SHA-512(seed)[32..64]` as session-desktop does (`sogsBlinding.ts`), so our headers
//!   match its test vectors byte for byte; LSU `blind15_sign` hashes the 64-byte secret key
//!   instead, which gives different but equally valid signatures.
//!
//! From someone else's Session ID: the X25519 key converts to the Ed25519 point with positive
//! sign, times k. The true key may be that point's negation (the X25519 key lost the sign), so
//! both candidates count as a match (LSU `blind15_id`, `session_id_matches_blinded_id`).

use std::fmt;
use std::str::FromStr;

use blake2::digest::consts::U64;
use blake2::{Blake2b, Digest};
use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::Scalar;
use ed25519_dalek::hazmat::ExpandedSecretKey;
use ed25519_dalek::SigningKey;
use sha2::Sha512;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use super::SogsError;

/// First byte of a 15-blinded id.
pub const BLINDED15_PREFIX: u8 = 0x15;
/// First byte of a standard Session ID.
const SESSION_ID_PREFIX: u8 = 0x05;

/// The blinding factor `k` for one community server.
pub fn blind15_factor(server_pk: &[u8; 32]) -> Scalar {
    let hash: [u8; 64] = Blake2b::<U64>::digest(server_pk).into();
    Scalar::from_bytes_mod_order_wide(&hash)
}

/// A 15-blinded community id, `0x15 ‖ kA`; shown as 66 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Blinded15Id([u8; 32]);

impl Blinded15Id {
    /// Wraps a blinded public key `kA`.
    pub fn from_pubkey(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// Parses the 33-byte form (first byte 0x15).
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SogsError> {
        match bytes.split_first() {
            Some((&BLINDED15_PREFIX, key)) => key
                .try_into()
                .map(Self)
                .map_err(|_| SogsError::InvalidBlindedId(bytes.len())),
            _ => Err(SogsError::InvalidBlindedId(bytes.len())),
        }
    }

    /// The blinded Ed25519 public key `kA`.
    pub fn pubkey(&self) -> &[u8; 32] {
        &self.0
    }

    /// The 33-byte form, `0x15 ‖ kA`.
    pub fn to_bytes(&self) -> [u8; 33] {
        let mut out = [0u8; 33];
        out[0] = BLINDED15_PREFIX;
        out[1..].copy_from_slice(&self.0);
        out
    }

    /// The same id with the sign bit of `kA` flipped (the other candidate for a Session ID).
    fn negated(&self) -> Self {
        let mut key = self.0;
        key[31] ^= 0x80;
        Self(key)
    }
}

impl FromStr for Blinded15Id {
    type Err = SogsError;

    fn from_str(s: &str) -> Result<Self, SogsError> {
        if s.len() != 66 {
            return Err(SogsError::InvalidBlindedId(s.len()));
        }
        let mut bytes = [0u8; 33];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| SogsError::InvalidBlindedId(s.len()))?;
        Self::from_bytes(&bytes).map_err(|_| SogsError::InvalidBlindedId(s.len()))
    }
}

impl fmt::Display for Blinded15Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.to_bytes()))
    }
}

impl fmt::Debug for Blinded15Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Blinded15Id({self})")
    }
}

/// Our blinded key pair for one community: secret `ka`, public `kA`.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Blind15KeyPair {
    secret: Scalar,
    /// SHA-512(seed)[32..64], the deterministic-nonce prefix (desktop's `H_rh`).
    nonce_prefix: [u8; 32],
    #[zeroize(skip)]
    public: [u8; 32],
}

impl Blind15KeyPair {
    /// Derives the blinded key pair of `signing_key` for the server with key `server_pk`.
    pub fn derive(signing_key: &SigningKey, server_pk: &[u8; 32]) -> Self {
        let seed = Zeroizing::new(signing_key.to_bytes());
        let expanded = ExpandedSecretKey::from(&*seed);
        let secret = blind15_factor(server_pk) * expanded.scalar;
        let public = EdwardsPoint::mul_base(&secret).compress().to_bytes();
        Self {
            secret,
            nonce_prefix: expanded.hash_prefix,
            public,
        }
    }

    /// The blinded public key `kA`.
    pub fn public_key(&self) -> &[u8; 32] {
        &self.public
    }

    /// Our blinded id on this server.
    pub fn blinded_id(&self) -> Blinded15Id {
        Blinded15Id(self.public)
    }

    /// Signs `message` with the blinded key; verifies as Ed25519 under [`Self::public_key`].
    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        let r = Zeroizing::new(wide_hash_scalar(&[
            &self.nonce_prefix,
            &self.public,
            message,
        ]));
        let big_r = EdwardsPoint::mul_base(&r).compress().to_bytes();
        let challenge = wide_hash_scalar(&[&big_r, &self.public, message]);
        let s = *r + challenge * self.secret;
        let mut sig = [0u8; 64];
        sig[..32].copy_from_slice(&big_r);
        sig[32..].copy_from_slice(s.as_bytes());
        sig
    }
}

impl fmt::Debug for Blind15KeyPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Blind15KeyPair")
            .field("public", &hex::encode(self.public))
            .field("secret", &"<redacted>")
            .finish()
    }
}

fn wide_hash_scalar(parts: &[&[u8]]) -> Scalar {
    let mut hasher = Sha512::new();
    for part in parts {
        hasher.update(part);
    }
    let mut wide: [u8; 64] = hasher.finalize().into();
    let scalar = Scalar::from_bytes_mod_order_wide(&wide);
    wide.zeroize();
    scalar
}

/// The Ed25519 point (positive sign) behind a Session ID, checked the way libsodium's
/// `crypto_scalarmult_ed25519_noclamp` checks its input: prime-order subgroup, not small order.
fn session_id_ed_point(session_id: &[u8; 33]) -> Result<EdwardsPoint, SogsError> {
    let (&prefix, x25519) = session_id
        .split_first()
        .ok_or(SogsError::UnusableSessionIdKey)?;
    if prefix != SESSION_ID_PREFIX {
        return Err(SogsError::NotASessionId(prefix));
    }
    let x25519: [u8; 32] = x25519
        .try_into()
        .map_err(|_| SogsError::UnusableSessionIdKey)?;
    let point = MontgomeryPoint(x25519)
        .to_edwards(0)
        .ok_or(SogsError::UnusableSessionIdKey)?;
    if point.is_small_order() || !point.is_torsion_free() {
        return Err(SogsError::UnusableSessionIdKey);
    }
    Ok(point)
}

/// The 15-blinded id of a Session ID (`05 ‖ X25519 key`) on a server, using the positive-sign
/// Ed25519 key. See [`blinded15_ids_from_session_id`] for both candidates.
pub fn blinded15_id_from_session_id(
    session_id: &[u8; 33],
    server_pk: &[u8; 32],
) -> Result<Blinded15Id, SogsError> {
    let point = session_id_ed_point(session_id)?;
    let blinded = blind15_factor(server_pk) * point;
    Ok(Blinded15Id(blinded.compress().to_bytes()))
}

/// Both blinded ids a Session ID may have on a server: positive sign first, then negated.
pub fn blinded15_ids_from_session_id(
    session_id: &[u8; 33],
    server_pk: &[u8; 32],
) -> Result<[Blinded15Id; 2], SogsError> {
    let positive = blinded15_id_from_session_id(session_id, server_pk)?;
    Ok([positive, positive.negated()])
}

/// Whether `blinded` is the 15-blinded id of `session_id` on the server with key `server_pk`.
/// An unusable Session ID matches nothing.
pub fn session_id_matches_blinded_id(
    session_id: &[u8; 33],
    blinded: &Blinded15Id,
    server_pk: &[u8; 32],
) -> bool {
    blinded15_ids_from_session_id(session_id, server_pk)
        .map(|ids| ids.contains(blinded))
        .unwrap_or(false)
}
