//! A bounded cache of checked signer keys ([`SignerKey`]: the decompressed Ed25519 point and
//! its X25519 conversion), so the per-key work of signature checks (point decompression, the
//! subgroup checks of the Ed25519→X25519 conversion) runs once per account instead of once
//! per request. Every signature is still verified.

use std::collections::HashMap;
use std::sync::Mutex;

use session_protocol::rpc::verify::{SignerKey, SignerKeys};

/// Keys kept (about 250 bytes each).
pub const MAX_SIGNER_KEYS: usize = 8_192;

/// Cached [`SignerKey`]s by their 32 key bytes (`None`: not a curve point).
#[derive(Debug, Default)]
pub struct SignerKeyCache {
    keys: Mutex<HashMap<[u8; 32], Option<SignerKey>>>,
}

impl SignerKeyCache {
    /// An empty cache.
    pub fn new() -> SignerKeyCache {
        SignerKeyCache::default()
    }

    /// Keys cached now.
    pub fn len(&self) -> usize {
        self.keys.lock().map_or(0, |k| k.len())
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl SignerKeys for SignerKeyCache {
    fn signer_key(&self, ed: &[u8; 32]) -> Option<SignerKey> {
        if let Some(known) = self.keys.lock().ok().and_then(|k| k.get(ed).copied()) {
            return known;
        }
        // Computed outside the lock: a second thread may do the same work once, harmlessly.
        let key = SignerKey::new(ed);
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= MAX_SIGNER_KEYS {
                // Drop an arbitrary eighth (hash order): bounded memory, and keys in active
                // use come straight back.
                let drop: Vec<[u8; 32]> = keys.keys().take(MAX_SIGNER_KEYS / 8).copied().collect();
                for k in drop {
                    keys.remove(&k);
                }
            }
            keys.insert(*ed, key);
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use session_protocol::identity::Keypair;

    #[test]
    fn caches_and_stays_bounded() {
        let cache = SignerKeyCache::new();
        let kp = Keypair::from_seed32(&[7; 32]);
        let ed = kp.ed25519_public();
        let first = cache.signer_key(&ed).unwrap();
        let again = cache.signer_key(&ed).unwrap();
        assert_eq!(first.x25519(), again.x25519());
        assert_eq!(first.x25519(), Some(&kp.session_id().x25519_public()));
        assert_eq!(cache.len(), 1);
        for i in 0..(MAX_SIGNER_KEYS as u32 + 10) {
            let mut k = [0u8; 32];
            k[..4].copy_from_slice(&i.to_le_bytes());
            let _ = cache.signer_key(&k);
        }
        assert!(cache.len() <= MAX_SIGNER_KEYS);
        assert!(cache.len() > MAX_SIGNER_KEYS / 2);
    }
}
