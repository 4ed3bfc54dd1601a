//! Which X25519 keys get a table for fast key agreement.
//!
//! Every onion request seals four layers, each to a node's X25519 key with a fresh ephemeral
//! secret. The nodes repeat: a path's three nodes serve every request until the path is
//! rebuilt, and the swarms polled and stored to are few. Every message to a contact is sealed
//! to that contact's key, also with a fresh ephemeral secret. A key used [`TABLE_AFTER_USES`]
//! times gets a [`PreparedPublicKey`] table (under a millisecond to build, then each agreement
//! costs about a third of the ladder); at most [`MAX_TABLES`] are kept per cache (one for node
//! keys, one for contacts), the least recently used dropped first.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use session_protocol::agreement::PreparedPublicKey;
use x25519_dalek::PublicKey;

/// Uses of a key after which it gets a table (a table pays for itself after about 30).
const TABLE_AFTER_USES: u32 = 8;

/// Tables kept (about 30 KiB each).
const MAX_TABLES: usize = 32;

/// Keys whose uses are counted; beyond this the counts of keys without a table are forgotten.
const MAX_COUNTED: usize = 1024;

/// The cache; shared by every request of one client.
#[derive(Debug, Default)]
pub(crate) struct PreparedKeys {
    inner: Mutex<Counts>,
}

#[derive(Debug, Default)]
struct Counts {
    keys: HashMap<[u8; 32], Slot>,
    clock: u64,
}

#[derive(Debug, Default)]
struct Slot {
    uses: u32,
    last_used: u64,
    prepared: Option<Arc<PreparedPublicKey>>,
}

impl PreparedKeys {
    /// Counts a use of `public`; its table when it has one (building it on the use that earns
    /// it), `None` when the ladder should do.
    pub(crate) fn get(&self, public: &PublicKey) -> Option<Arc<PreparedPublicKey>> {
        {
            let mut counts = self.lock();
            counts.clock += 1;
            let now = counts.clock;
            if counts.keys.len() >= MAX_COUNTED && !counts.keys.contains_key(public.as_bytes()) {
                counts.keys.retain(|_, slot| slot.prepared.is_some());
            }
            let slot = counts.keys.entry(public.to_bytes()).or_default();
            slot.uses = slot.uses.saturating_add(1);
            slot.last_used = now;
            if let Some(prepared) = &slot.prepared {
                return Some(Arc::clone(prepared));
            }
            // Exactly one caller builds: the one whose use reached the threshold.
            if slot.uses != TABLE_AFTER_USES {
                return None;
            }
        }
        let prepared = Arc::new(PreparedPublicKey::with_table(*public));
        let mut counts = self.lock();
        if let Some(slot) = counts.keys.get_mut(public.as_bytes()) {
            slot.prepared = Some(Arc::clone(&prepared));
        }
        if counts.tables() > MAX_TABLES {
            counts.evict_oldest_table();
        }
        Some(prepared)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        // The counts stay consistent at every step; a panic elsewhere cannot spoil them.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    #[cfg(test)]
    fn tables(&self) -> usize {
        self.lock().tables()
    }
}

impl Counts {
    fn tables(&self) -> usize {
        self.keys
            .values()
            .filter(|slot| slot.prepared.is_some())
            .count()
    }

    fn evict_oldest_table(&mut self) {
        let oldest = self
            .keys
            .iter()
            .filter(|(_, slot)| slot.prepared.is_some())
            .min_by_key(|(_, slot)| slot.last_used)
            .map(|(key, _)| *key);
        if let Some(slot) = oldest.and_then(|key| self.keys.get_mut(&key)) {
            slot.prepared = None;
            slot.uses = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use x25519_dalek::StaticSecret;

    use super::*;

    fn key(n: u8) -> PublicKey {
        PublicKey::from(&StaticSecret::from([n; 32]))
    }

    #[test]
    fn a_key_gets_a_table_once_used_often() {
        let cache = PreparedKeys::default();
        let node = key(1);
        for _ in 1..TABLE_AFTER_USES {
            assert!(cache.get(&node).is_none());
        }
        let prepared = cache.get(&node).expect("table on the threshold use");
        assert!(prepared.has_table());
        assert_eq!(prepared.public(), &node);
        assert!(Arc::ptr_eq(&prepared, &cache.get(&node).expect("kept")));
        assert_eq!(cache.tables(), 1);
    }

    #[test]
    fn tables_are_bounded_and_the_least_recently_used_goes() {
        let cache = PreparedKeys::default();
        let keys: Vec<PublicKey> = (0..=MAX_TABLES as u8).map(key).collect();
        for node in &keys {
            for _ in 0..TABLE_AFTER_USES {
                cache.get(node);
            }
            // The first key stays in use.
            cache.get(&keys[0]);
        }
        assert_eq!(cache.tables(), MAX_TABLES);
        assert!(cache.get(&keys[0]).is_some(), "recently used key kept");
        assert!(cache.get(&keys[1]).is_none(), "oldest other key dropped");
    }

    #[test]
    fn counts_of_many_one_off_keys_are_forgotten() {
        let cache = PreparedKeys::default();
        for n in 0..(MAX_COUNTED + 10) {
            let mut bytes = [0u8; 32];
            bytes[..8].copy_from_slice(&(n as u64).to_le_bytes());
            cache.get(&PublicKey::from(bytes));
        }
        assert!(cache.lock().keys.len() <= MAX_COUNTED);
    }
}
