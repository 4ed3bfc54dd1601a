//! A node's persisted identity: an Ed25519 key pair (with its X25519 twin) kept as a 32-byte
//! seed file that is created on first start.
//!
//! Service nodes are addressed by these keys: clients encrypt onion layers to the X25519 key and
//! the network lists nodes by their Ed25519 key, so the file must survive restarts.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use hmac::{Hmac, Mac};
use rand::RngCore;
use session_protocol::identity::{ed25519_pk_to_x25519, Keypair};
use sha2::Sha256;
use x25519_dalek::PublicKey;
use zeroize::Zeroizing;

use crate::fsutil;

/// File name of the seed inside a node's data directory.
pub const IDENTITY_FILE: &str = "identity.key";

/// Errors loading or creating a node identity.
#[derive(Debug, thiserror::Error)]
pub enum IdentityError {
    /// The identity file could not be read or written.
    #[error("cannot access the node identity file {path}: {source}")]
    Io {
        /// The identity file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The identity file exists but is not a 32-byte seed.
    #[error(
        "the node identity file {path} holds {len} bytes, not a 32-byte seed; restore it from a \
         backup or delete it to give this node a new identity"
    )]
    BadLength {
        /// The identity file.
        path: PathBuf,
        /// Its length.
        len: usize,
    },
}

/// Domain of the pairwise keys that authenticate node-to-node requests.
const PAIR_KEY_DOMAIN: &[u8] = b"session-node-pair-key-v1";

/// Pairwise keys kept (32 bytes each, plus the map's overhead): far more than a node's peers.
const MAX_PAIR_KEYS: usize = 4_096;

/// A pairwise key by the other node's Ed25519 key (`None`: not a valid node key).
type PairKeys = HashMap<[u8; 32], Option<Zeroizing<[u8; 32]>>>;

/// A node's key pair.
pub struct NodeIdentity {
    keypair: Keypair,
    /// [`NodeIdentity::pair_key`] results.
    pair_keys: Mutex<PairKeys>,
}

impl NodeIdentity {
    /// Loads the identity from `dir/identity.key`, creating the directory and a fresh random
    /// seed (owner-only permissions) if there is none yet.
    pub fn load_or_create(dir: &Path) -> Result<NodeIdentity, IdentityError> {
        let path = dir.join(IDENTITY_FILE);
        let io_err = |source| IdentityError::Io {
            path: path.clone(),
            source,
        };
        match fs::read(&path) {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                let seed: Zeroizing<[u8; 32]> =
                    Zeroizing::new(bytes.as_slice().try_into().map_err(|_| {
                        IdentityError::BadLength {
                            path: path.clone(),
                            len: bytes.len(),
                        }
                    })?);
                if fsutil::is_readable_by_others(&path) {
                    tracing::warn!(
                        "the node identity file is readable by other users; chmod 600 it"
                    );
                }
                Ok(NodeIdentity::from_seed32(&seed))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fsutil::ensure_private_dir(dir).map_err(io_err)?;
                let mut seed = Zeroizing::new([0u8; 32]);
                rand::rngs::OsRng.fill_bytes(seed.as_mut());
                fsutil::write_private_file(&path, seed.as_ref()).map_err(io_err)?;
                tracing::info!("created a new node identity");
                Ok(NodeIdentity::from_seed32(&seed))
            }
            Err(e) => Err(io_err(e)),
        }
    }

    /// The identity for a given 32-byte Ed25519 seed.
    pub fn from_seed32(seed: &[u8; 32]) -> NodeIdentity {
        NodeIdentity {
            keypair: Keypair::from_seed32(seed),
            pair_keys: Mutex::new(HashMap::new()),
        }
    }

    /// The key pair (for signing and onion decryption).
    pub fn keypair(&self) -> &Keypair {
        &self.keypair
    }

    /// Ed25519 public key: the node's name on the network.
    pub fn ed25519_public(&self) -> [u8; 32] {
        self.keypair.ed25519_public()
    }

    /// X25519 public key, derived from the Ed25519 key.
    pub fn x25519_public(&self) -> [u8; 32] {
        self.keypair.x25519_public()
    }

    /// Ed25519 public key in lower-case hex.
    pub fn ed25519_hex(&self) -> String {
        hex::encode(self.ed25519_public())
    }

    /// X25519 public key in lower-case hex.
    pub fn x25519_hex(&self) -> String {
        hex::encode(self.x25519_public())
    }

    /// Ed25519 signature of `msg`.
    pub fn sign(&self, msg: &[u8]) -> [u8; 64] {
        self.keypair.sign(msg)
    }

    /// The key this node shares with the node whose Ed25519 key is `other` (the same on both
    /// sides): HMAC-SHA256 keyed with their X25519 agreement (each node's X25519 key is its
    /// Ed25519 key converted) over a fixed domain. `None` when `other` is not a valid node key.
    /// Computed once per peer and kept, so authenticating a request costs an HMAC, not a
    /// signature.
    pub fn pair_key(&self, other: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
        if let Some(known) = self
            .pair_keys
            .lock()
            .ok()
            .and_then(|k| k.get(other).cloned())
        {
            return known;
        }
        // Computed outside the lock: two threads may both do it once, harmlessly.
        let key = self.derive_pair_key(other);
        if let Ok(mut keys) = self.pair_keys.lock() {
            if keys.len() >= MAX_PAIR_KEYS {
                keys.clear();
            }
            keys.insert(*other, key.clone());
        }
        key
    }

    fn derive_pair_key(&self, other: &[u8; 32]) -> Option<Zeroizing<[u8; 32]>> {
        let other_x25519 = ed25519_pk_to_x25519(other).ok()?;
        let shared = self
            .keypair
            .x25519_secret()
            .diffie_hellman(&PublicKey::from(other_x25519));
        if !shared.was_contributory() {
            return None;
        }
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(shared.as_bytes()).ok()?;
        mac.update(PAIR_KEY_DOMAIN);
        Some(Zeroizing::new(mac.finalize().into_bytes().into()))
    }
}

impl fmt::Debug for NodeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NodeIdentity")
            .field("ed25519", &self.ed25519_hex())
            .field("secret", &"<redacted>")
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reloaded() {
        let dir = tempfile::tempdir().unwrap();
        let node_dir = dir.path().join("node");
        let first = NodeIdentity::load_or_create(&node_dir).unwrap();
        let second = NodeIdentity::load_or_create(&node_dir).unwrap();
        assert_eq!(first.ed25519_public(), second.ed25519_public());
        assert_eq!(first.x25519_public(), second.x25519_public());
        assert!(!fsutil::is_readable_by_others(
            &node_dir.join(IDENTITY_FILE)
        ));
        let other = NodeIdentity::load_or_create(&dir.path().join("other")).unwrap();
        assert_ne!(first.ed25519_public(), other.ed25519_public());
        // X25519 is the Ed25519 key's birational image.
        let derived =
            session_protocol::identity::ed25519_pk_to_x25519(&first.ed25519_public()).unwrap();
        assert_eq!(derived, first.x25519_public());
        assert!(!format!("{first:?}").contains(&hex::encode(first.keypair().seed32())));
    }

    #[test]
    fn bad_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(IDENTITY_FILE), b"short").unwrap();
        let err = NodeIdentity::load_or_create(dir.path()).unwrap_err();
        assert!(
            matches!(err, IdentityError::BadLength { len: 5, .. }),
            "{err}"
        );
    }
}
