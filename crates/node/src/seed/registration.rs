//! The signed registration a node sends to the seed (`POST /register`).
//!
//! Body (JSON):
//! ```json
//! {"pubkey_ed25519": "<64 hex>", "pubkey_x25519": "<64 hex>", "public_ip": "203.0.113.5",
//!  "storage_port": 22021, "storage_lmq_port": 22020, "version": [2, 8, 0],
//!  "timestamp": 1700000000000, "signature": "<base64>"}
//! ```
//! `signature` is the node's Ed25519 signature (standard padded base64) over the UTF-8 bytes
//! ```text
//! session-node-register-v1\n<pubkey_ed25519 hex>\n<pubkey_x25519 hex>\n<public_ip>\n
//! <storage_port>\n<storage_lmq_port>\n<v0>.<v1>.<v2>\n<timestamp>
//! ```
//! (one string, fields joined by `\n`, no trailing newline; hex lower-case; numbers base-10
//! ASCII; timestamp in ms since the Unix epoch). The seed accepts it when the signature verifies,
//! the X25519 key is the Ed25519 key's X25519 image, the IP is a usable IPv4 address (the network
//! lists IPv4 only, as oxend does), the storage port is not 0, the timestamp is within
//! ±[`REGISTRATION_MAX_SKEW_MS`] of the seed's clock and not older than the node's last accepted
//! registration (replays of an older registration cannot roll a node's address back).

use std::net::Ipv4Addr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::identity::NodeIdentity;

/// Domain separator that starts every signed registration.
pub const REGISTRATION_DOMAIN: &str = "session-node-register-v1";

/// How far a registration's timestamp may be from the seed's clock.
pub const REGISTRATION_MAX_SKEW_MS: i64 = 60_000;

/// Why a registration was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistrationError {
    /// A key is not 64 hex digits.
    #[error("{field} must be 64 hex digits (a 32-byte key)")]
    BadKey {
        /// The field.
        field: &'static str,
    },
    /// The X25519 key does not belong to the Ed25519 key.
    #[error("pubkey_x25519 is not the X25519 form of pubkey_ed25519")]
    KeyMismatch,
    /// `public_ip` is not a usable IPv4 address (the value is kept out of the message, which
    /// may be logged).
    #[error("public_ip is not a usable IPv4 address (dotted quad, not 0.0.0.0 or multicast)")]
    BadIp(String),
    /// `storage_port` is 0.
    #[error("storage_port must not be 0")]
    BadPort,
    /// The signature is malformed or does not verify.
    #[error("the registration signature does not verify")]
    BadSignature,
    /// The timestamp is too far from the seed's clock.
    #[error(
        "the registration timestamp is {skew_ms} ms away from the seed's clock (limit ±60 s); \
         check the node's clock"
    )]
    ClockSkew {
        /// Registration time minus seed time.
        skew_ms: i64,
    },
    /// An equal-or-newer registration from this node was already accepted.
    #[error("a newer registration from this node was already accepted")]
    Stale,
}

/// A registration as sent on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// Node Ed25519 public key, hex.
    pub pubkey_ed25519: String,
    /// Node X25519 public key, hex.
    pub pubkey_x25519: String,
    /// IPv4 address clients reach the node at.
    pub public_ip: String,
    /// HTTPS storage port.
    pub storage_port: u16,
    /// OxenMQ storage port (reported only; session-node does not speak OxenMQ).
    pub storage_lmq_port: u16,
    /// Storage-server version the node reports.
    pub version: [u16; 3],
    /// Signing time, ms since the Unix epoch.
    pub timestamp: i64,
    /// Ed25519 signature over [`Registration::signed_bytes`], base64.
    pub signature: String,
}

/// A registration that passed every check, with its fields decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedRegistration {
    /// Ed25519 public key.
    pub pubkey_ed25519: [u8; 32],
    /// X25519 public key.
    pub pubkey_x25519: [u8; 32],
    /// IPv4 address.
    pub public_ip: Ipv4Addr,
    /// HTTPS storage port.
    pub storage_port: u16,
    /// Reported OxenMQ port.
    pub storage_lmq_port: u16,
    /// Reported version.
    pub version: [u16; 3],
    /// Signing time (ms).
    pub timestamp: i64,
}

/// The exact bytes a registration signs (see the module docs).
pub fn signed_bytes(
    pubkey_ed25519_hex: &str,
    pubkey_x25519_hex: &str,
    public_ip: &str,
    storage_port: u16,
    storage_lmq_port: u16,
    version: [u16; 3],
    timestamp: i64,
) -> Vec<u8> {
    let [v0, v1, v2] = version;
    format!(
        "{REGISTRATION_DOMAIN}\n{pubkey_ed25519_hex}\n{pubkey_x25519_hex}\n{public_ip}\n\
         {storage_port}\n{storage_lmq_port}\n{v0}.{v1}.{v2}\n{timestamp}"
    )
    .into_bytes()
}

impl Registration {
    /// A registration of `identity` at `public_ip:storage_port`, signed at `timestamp` (ms).
    pub fn sign(
        identity: &NodeIdentity,
        public_ip: Ipv4Addr,
        storage_port: u16,
        storage_lmq_port: u16,
        version: [u16; 3],
        timestamp: i64,
    ) -> Registration {
        let ed = identity.ed25519_hex();
        let x = identity.x25519_hex();
        let ip = public_ip.to_string();
        let msg = signed_bytes(
            &ed,
            &x,
            &ip,
            storage_port,
            storage_lmq_port,
            version,
            timestamp,
        );
        Registration {
            pubkey_ed25519: ed,
            pubkey_x25519: x,
            public_ip: ip,
            storage_port,
            storage_lmq_port,
            version,
            timestamp,
            signature: STANDARD.encode(identity.sign(&msg)),
        }
    }

    /// The bytes this registration's signature covers.
    pub fn signed_bytes(&self) -> Vec<u8> {
        signed_bytes(
            &self.pubkey_ed25519,
            &self.pubkey_x25519,
            &self.public_ip,
            self.storage_port,
            self.storage_lmq_port,
            self.version,
            self.timestamp,
        )
    }

    /// Checks everything except staleness (which needs the registry) against the seed's clock.
    pub fn verify(&self, now_ms: i64) -> Result<VerifiedRegistration, RegistrationError> {
        let ed = decode_key(&self.pubkey_ed25519, "pubkey_ed25519")?;
        let x = decode_key(&self.pubkey_x25519, "pubkey_x25519")?;
        // Only canonical lower-case hex, so the signed string has one spelling.
        if self.pubkey_ed25519 != hex::encode(ed) {
            return Err(RegistrationError::BadKey {
                field: "pubkey_ed25519",
            });
        }
        if self.pubkey_x25519 != hex::encode(x) {
            return Err(RegistrationError::BadKey {
                field: "pubkey_x25519",
            });
        }
        let derived = session_protocol::identity::ed25519_pk_to_x25519(&ed)
            .map_err(|_| RegistrationError::KeyMismatch)?;
        if derived != x {
            return Err(RegistrationError::KeyMismatch);
        }
        let ip: Ipv4Addr = self
            .public_ip
            .parse()
            .map_err(|_| RegistrationError::BadIp(self.public_ip.clone()))?;
        if ip.is_unspecified()
            || ip.is_broadcast()
            || ip.is_multicast()
            || ip.to_string() != self.public_ip
        {
            return Err(RegistrationError::BadIp(self.public_ip.clone()));
        }
        if self.storage_port == 0 {
            return Err(RegistrationError::BadPort);
        }
        let skew_ms = self.timestamp.saturating_sub(now_ms);
        if skew_ms.unsigned_abs() > REGISTRATION_MAX_SKEW_MS.unsigned_abs() {
            return Err(RegistrationError::ClockSkew { skew_ms });
        }
        let sig: [u8; 64] = STANDARD
            .decode(&self.signature)
            .ok()
            .and_then(|s| s.try_into().ok())
            .ok_or(RegistrationError::BadSignature)?;
        session_protocol::identity::verify_ed25519(&ed, &self.signed_bytes(), &sig)
            .map_err(|_| RegistrationError::BadSignature)?;
        Ok(VerifiedRegistration {
            pubkey_ed25519: ed,
            pubkey_x25519: x,
            public_ip: ip,
            storage_port: self.storage_port,
            storage_lmq_port: self.storage_lmq_port,
            version: self.version,
            timestamp: self.timestamp,
        })
    }
}

fn decode_key(text: &str, field: &'static str) -> Result<[u8; 32], RegistrationError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key).map_err(|_| RegistrationError::BadKey { field })?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(n: u8) -> NodeIdentity {
        NodeIdentity::from_seed32(&[n; 32])
    }

    const NOW: i64 = 1_700_000_000_000;

    fn reg() -> Registration {
        Registration::sign(
            &identity(1),
            Ipv4Addr::new(127, 0, 0, 1),
            22010,
            22011,
            [2, 8, 0],
            NOW,
        )
    }

    #[test]
    fn signed_string_is_the_documented_one() {
        let r = reg();
        let text = String::from_utf8(r.signed_bytes()).unwrap();
        let want = format!(
            "session-node-register-v1\n{}\n{}\n127.0.0.1\n22010\n22011\n2.8.0\n{NOW}",
            identity(1).ed25519_hex(),
            identity(1).x25519_hex()
        );
        assert_eq!(text, want);
    }

    #[test]
    fn valid_registration_verifies_and_round_trips_json() {
        let r = reg();
        let json = serde_json::to_string(&r).unwrap();
        let back: Registration = serde_json::from_str(&json).unwrap();
        let v = back.verify(NOW + 59_000).unwrap();
        assert_eq!(v.pubkey_ed25519, identity(1).ed25519_public());
        assert_eq!(v.public_ip, Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(v.storage_port, 22010);
    }

    #[test]
    fn tampering_and_bad_fields_are_refused() {
        let mut r = reg();
        r.storage_port = 1234;
        assert_eq!(r.verify(NOW), Err(RegistrationError::BadSignature));

        let mut r = reg();
        r.pubkey_x25519 = identity(2).x25519_hex();
        assert_eq!(r.verify(NOW), Err(RegistrationError::KeyMismatch));

        let mut r = reg();
        r.pubkey_ed25519 = r.pubkey_ed25519.to_uppercase();
        assert!(matches!(
            r.verify(NOW),
            Err(RegistrationError::BadKey { .. })
        ));

        let r = Registration::sign(&identity(1), Ipv4Addr::UNSPECIFIED, 1, 0, [2, 8, 0], NOW);
        assert!(matches!(r.verify(NOW), Err(RegistrationError::BadIp(_))));

        let r = Registration::sign(&identity(1), Ipv4Addr::LOCALHOST, 0, 0, [2, 8, 0], NOW);
        assert_eq!(r.verify(NOW), Err(RegistrationError::BadPort));

        assert_eq!(
            reg().verify(NOW - 61_000),
            Err(RegistrationError::ClockSkew { skew_ms: 61_000 })
        );

        let mut r = reg();
        r.signature = "not base64!".into();
        assert_eq!(r.verify(NOW), Err(RegistrationError::BadSignature));

        // Another node's signature over the same fields.
        let mut r = reg();
        r.signature = Registration::sign(
            &identity(2),
            Ipv4Addr::LOCALHOST,
            22010,
            22011,
            [2, 8, 0],
            NOW,
        )
        .signature;
        assert_eq!(r.verify(NOW), Err(RegistrationError::BadSignature));
    }
}
