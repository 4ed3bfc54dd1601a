//! X25519 with a public key that is used again and again, prepared once.
//!
//! A client seals four onion layers per request, each to a node it talks to over and over (the
//! three nodes of its paths, the members of the swarms it stores to and polls), each time with
//! a fresh ephemeral secret. The Montgomery ladder costs the same for every agreement; a table
//! of multiples of the node's point (about 30 KiB, built in under a millisecond) makes each
//! later agreement a fixed-base multiplication, about a third of the ladder's cost
//! (docs/BENCHMARKS.md). Whether a key is worth a table is the caller's policy.
//!
//! The result is X25519 (RFC 7748) bit for bit; tests compare it with the ladder, including
//! keys with a small-order component, low-order keys, non-canonical encodings and keys on the
//! twist. Why it is exact: X25519 clamps the secret to `k = 8·k'`. The public `u` maps to an
//! Edwards point `P` (either sign: `±P` give the same `u`), and `[k]P = [k']([8]P)`, where
//! `[8]P` lies in the prime-order subgroup, so `k'` may be reduced mod ℓ. The table holds
//! multiples of `[8]P`. A `u` that has no Edwards point (the twist, or `u = −1`) keeps the
//! ladder. The multiplication is constant-time in the secret (the table lookups are).
//!
//! A key seen once (a client's ephemeral key, as every node sees when it peels a layer) has no
//! table, but the same identity still pays: `[k']([8]P)` by curve25519-dalek's variable-base
//! Edwards multiplication, which uses its AVX2 backend where the CPU has one, costs about three
//! quarters of the ladder (which always runs on the serial backend), conversions included
//! (docs/BENCHMARKS.md). Both multiplications are constant-time in the secret.

use std::fmt;

use curve25519_dalek::edwards::{EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::montgomery::MontgomeryPoint;
use curve25519_dalek::scalar::{clamp_integer, Scalar};
use curve25519_dalek::traits::BasepointTable;
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::{Zeroize, Zeroizing};

/// An X25519 public key, with or without a table for fast repeated agreements.
pub struct PreparedPublicKey {
    public: PublicKey,
    table: Option<Box<EdwardsBasepointTable>>,
}

impl fmt::Debug for PreparedPublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PreparedPublicKey")
            .field("public", &hex::encode(self.public.as_bytes()))
            .field("table", &self.table.is_some())
            .finish()
    }
}

/// The 32 bytes two parties agree on. Zeroized on drop.
pub struct SharedBytes(Zeroizing<[u8; 32]>);

impl fmt::Debug for SharedBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SharedBytes(<redacted>)")
    }
}

impl SharedBytes {
    /// The raw X25519 output.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// False when the output is all zero: the public key was a low-order point and the result
    /// does not depend on the secret (libsodium's `crypto_scalarmult` refuses it too).
    pub fn was_contributory(&self) -> bool {
        self.0.iter().fold(0u8, |acc, b| acc | b) != 0
    }
}

impl PreparedPublicKey {
    /// A key without a table (for keys used once or twice): each agreement is one variable-base
    /// multiplication ([`agree_once`]).
    pub fn plain(public: PublicKey) -> PreparedPublicKey {
        PreparedPublicKey {
            public,
            table: None,
        }
    }

    /// Builds the table for `public` (under a millisecond). A key with no Edwards point stays
    /// plain.
    pub fn with_table(public: PublicKey) -> PreparedPublicKey {
        let table = MontgomeryPoint(public.to_bytes())
            .to_edwards(0)
            .map(|point| Box::new(EdwardsBasepointTable::create(&point.mul_by_cofactor())));
        PreparedPublicKey { public, table }
    }

    /// The public key.
    pub fn public(&self) -> &PublicKey {
        &self.public
    }

    /// Whether agreements use a table.
    pub fn has_table(&self) -> bool {
        self.table.is_some()
    }

    /// X25519(`secret`, this key): what `secret.diffie_hellman(public)` gives.
    pub fn agree(&self, secret: &StaticSecret) -> SharedBytes {
        match &self.table {
            Some(table) => with_eighth(secret, |scalar| table.mul_base(scalar)),
            None => agree_once(secret, &self.public),
        }
    }
}

/// X25519(`secret`, `public`) for a key used once: what `secret.diffie_hellman(public)` gives,
/// through the Edwards form (see the module documentation); a key with no Edwards point (on
/// the twist, or `u = −1`) takes the ladder.
pub fn agree_once(secret: &StaticSecret, public: &PublicKey) -> SharedBytes {
    match MontgomeryPoint(public.to_bytes()).to_edwards(0) {
        Some(point) => {
            let eight_p = point.mul_by_cofactor();
            with_eighth(secret, |scalar| eight_p * scalar)
        }
        None => SharedBytes(Zeroizing::new(secret.diffie_hellman(public).to_bytes())),
    }
}

/// The u-coordinate of `multiply(k')`, where `k = 8·k'` is the clamped `secret` and `k'` is
/// reduced mod ℓ; `multiply` must give `[k']([8]P)` for the peer's point `P`.
fn with_eighth(
    secret: &StaticSecret,
    multiply: impl FnOnce(&Scalar) -> EdwardsPoint,
) -> SharedBytes {
    let mut clamped = Zeroizing::new(secret.to_bytes());
    *clamped = clamp_integer(*clamped);
    // k' = k / 8: the clamped secret's low three bits are zero, so the shift is exact.
    let mut eighth = Zeroizing::new([0u8; 32]);
    for (i, byte) in eighth.iter_mut().enumerate() {
        let high = clamped.get(i + 1).copied().unwrap_or(0);
        *byte = (clamped[i] >> 3) | (high << 5);
    }
    let mut scalar = Scalar::from_bytes_mod_order(*eighth);
    let mut point = multiply(&scalar);
    let shared = SharedBytes(Zeroizing::new(point.to_montgomery().to_bytes()));
    scalar.zeroize();
    point.zeroize();
    shared
}

#[cfg(test)]
mod tests {
    use curve25519_dalek::constants::EIGHT_TORSION;
    use proptest::prelude::*;

    use super::*;

    fn ladder(secret: &StaticSecret, public: &PublicKey) -> [u8; 32] {
        secret.diffie_hellman(public).to_bytes()
    }

    fn check(secret_bytes: [u8; 32], public_bytes: [u8; 32]) {
        let secret = StaticSecret::from(secret_bytes);
        let public = PublicKey::from(public_bytes);
        let expected = ladder(&secret, &public);
        let prepared = PreparedPublicKey::with_table(public);
        assert_eq!(prepared.agree(&secret).as_bytes(), &expected);
        assert_eq!(
            PreparedPublicKey::plain(public).agree(&secret).as_bytes(),
            &expected
        );
        assert_eq!(agree_once(&secret, &public).as_bytes(), &expected);
        assert_eq!(
            prepared.agree(&secret).was_contributory(),
            expected != [0u8; 32]
        );
    }

    fn edwards_u(point: EdwardsPoint) -> [u8; 32] {
        point.to_montgomery().to_bytes()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Honest keys: public keys of other secrets.
        #[test]
        fn matches_the_ladder_for_real_keys(a in any::<[u8; 32]>(), b in any::<[u8; 32]>()) {
            let public = PublicKey::from(&StaticSecret::from(b));
            prop_assert!(PreparedPublicKey::with_table(public).has_table());
            check(a, public.to_bytes());
        }

        /// Keys with each of the eight small-order components added.
        #[test]
        fn matches_the_ladder_with_torsion(a in any::<[u8; 32]>(), b in any::<[u8; 32]>(), t in 0usize..8) {
            let base = EdwardsPoint::mul_base_clamped(b);
            check(a, edwards_u(base + EIGHT_TORSION[t]));
        }

        /// Arbitrary bytes: about half are on the twist (the ladder answers), the high bit is
        /// ignored, values ≥ p are reduced.
        #[test]
        fn matches_the_ladder_for_any_bytes(a in any::<[u8; 32]>(), u in any::<[u8; 32]>()) {
            check(a, u);
        }
    }

    #[test]
    fn low_order_keys_agree_on_zero_or_match() {
        let secret = [0x42u8; 32];
        for torsion in EIGHT_TORSION {
            let u = edwards_u(torsion);
            check(secret, u);
            let prepared = PreparedPublicKey::with_table(PublicKey::from(u));
            assert!(!prepared
                .agree(&StaticSecret::from(secret))
                .was_contributory());
        }
        // u = 0, 1 and p − 1 (= −1, which has no Edwards point), plus non-canonical encodings.
        let mut minus_one = [0xffu8; 32];
        minus_one[0] = 0xec;
        minus_one[31] = 0x7f;
        let mut p_plus_one = minus_one;
        p_plus_one[0] = 0xee;
        let mut zero_high_bit = [0u8; 32];
        zero_high_bit[31] = 0x80;
        for u in [
            [0u8; 32],
            {
                let mut one = [0u8; 32];
                one[0] = 1;
                one
            },
            minus_one,
            p_plus_one,
            zero_high_bit,
        ] {
            check(secret, u);
        }
        assert!(!PreparedPublicKey::with_table(PublicKey::from(minus_one)).has_table());
    }
}
