//! The seed's registry of service nodes, persisted as a JSON file.
//!
//! A node keeps its swarm for as long as it stays registered; re-registrations (every minute,
//! like oxend uptime proofs) only refresh its address and liveness. A node that has not
//! re-registered for the seed's inactivity window is listed as inactive (and left out of
//! `active_only` listings) but keeps its swarm slot, so it rejoins the same swarm on return.

use std::collections::BTreeMap;
use std::io;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::registration::{RegistrationError, VerifiedRegistration};
use crate::fsutil;
use crate::swarm::assign_swarm;

/// Errors from the registry.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The registry file could not be read or written.
    #[error("cannot access the seed registry file {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
    /// The registry file is not valid.
    #[error(
        "the seed registry file {path} is damaged ({reason}); restore it or delete it to start \
         an empty network"
    )]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The registration was refused.
    #[error(transparent)]
    Refused(#[from] RegistrationError),
}

/// One registered node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRecord {
    /// Ed25519 public key (the node's name on the network).
    pub pubkey_ed25519: [u8; 32],
    /// X25519 public key.
    pub pubkey_x25519: [u8; 32],
    /// IPv4 address.
    pub public_ip: Ipv4Addr,
    /// HTTPS storage port.
    pub storage_port: u16,
    /// Reported OxenMQ port.
    pub storage_lmq_port: u16,
    /// Reported storage-server version.
    pub version: [u16; 3],
    /// Swarm id.
    pub swarm_id: u64,
    /// Registry revision at which the node first registered (oxend's `registration_height`).
    pub registration_revision: u64,
    /// Timestamp (node clock, ms) of the newest accepted registration.
    pub last_registration_ms: i64,
    /// When the seed last heard from the node (seed clock, ms; not persisted: set to the load
    /// time after a seed restart).
    pub last_seen_ms: i64,
}

/// Result of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RegisterOutcome {
    /// The node's swarm.
    pub swarm_id: u64,
    /// Whether this was the node's first registration.
    pub new_node: bool,
    /// Registry revision after the registration.
    pub revision: u64,
}

/// A consistent view of the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrySnapshot {
    /// Increases whenever the node list changes (reported as oxend's `height`).
    pub revision: u64,
    /// Every registered node with whether it is currently active.
    pub nodes: Vec<(NodeRecord, bool)>,
}

#[derive(Debug, Default)]
struct State {
    revision: u64,
    nodes: BTreeMap<[u8; 32], NodeRecord>,
}

/// The registry: in memory, written through to a JSON file on every change.
#[derive(Debug)]
pub struct Registry {
    path: PathBuf,
    swarm_size: usize,
    inactive_after_ms: i64,
    state: Mutex<State>,
}

#[derive(Serialize, Deserialize)]
struct FileNode {
    pubkey_ed25519: String,
    pubkey_x25519: String,
    public_ip: Ipv4Addr,
    storage_port: u16,
    storage_lmq_port: u16,
    version: [u16; 3],
    swarm_id: u64,
    registration_revision: u64,
    last_registration_ms: i64,
}

#[derive(Serialize, Deserialize)]
struct RegistryFile {
    format: u32,
    revision: u64,
    nodes: Vec<FileNode>,
}

const FILE_FORMAT: u32 = 1;

impl Registry {
    /// Opens the registry stored at `path` (an empty one if the file does not exist). New nodes
    /// fill swarms up to `swarm_size`; nodes silent for `inactive_after_ms` are listed inactive.
    /// Blocking.
    pub fn open(
        path: &Path,
        swarm_size: usize,
        inactive_after_ms: i64,
        now_ms: i64,
    ) -> Result<Registry, RegistryError> {
        let state = match std::fs::read(path) {
            Ok(bytes) => load(path, &bytes, now_ms)?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => State::default(),
            Err(source) => {
                return Err(RegistryError::Io {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Ok(Registry {
            path: path.to_path_buf(),
            swarm_size: swarm_size.max(1),
            inactive_after_ms,
            state: Mutex::new(state),
        })
    }

    /// Records a verified registration at seed time `now_ms`. Blocking (writes the file when the
    /// node list changes).
    pub fn register(
        &self,
        reg: &VerifiedRegistration,
        now_ms: i64,
    ) -> Result<RegisterOutcome, RegistryError> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let existing = state.nodes.get(&reg.pubkey_ed25519).cloned();
        if let Some(old) = &existing {
            if reg.timestamp < old.last_registration_ms {
                return Err(RegistrationError::Stale.into());
            }
        }
        // One address, one node: a node that took over an address (say, a devnet node whose
        // directory was wiped) replaces the old registration.
        let displaced: Vec<[u8; 32]> = state
            .nodes
            .values()
            .filter(|n| {
                n.pubkey_ed25519 != reg.pubkey_ed25519
                    && n.public_ip == reg.public_ip
                    && n.storage_port == reg.storage_port
            })
            .map(|n| n.pubkey_ed25519)
            .collect();
        for key in &displaced {
            state.nodes.remove(key);
        }
        let swarm_id = match &existing {
            Some(old) => old.swarm_id,
            None => {
                let mut sizes: BTreeMap<u64, usize> = BTreeMap::new();
                for n in state.nodes.values() {
                    *sizes.entry(n.swarm_id).or_default() += 1;
                }
                let sizes: Vec<(u64, usize)> = sizes.into_iter().collect();
                assign_swarm(&sizes, self.swarm_size)
            }
        };
        let record = NodeRecord {
            pubkey_ed25519: reg.pubkey_ed25519,
            pubkey_x25519: reg.pubkey_x25519,
            public_ip: reg.public_ip,
            storage_port: reg.storage_port,
            storage_lmq_port: reg.storage_lmq_port,
            version: reg.version,
            swarm_id,
            registration_revision: existing
                .as_ref()
                .map_or(state.revision + 1, |o| o.registration_revision),
            last_registration_ms: reg.timestamp,
            last_seen_ms: now_ms,
        };
        let listing_changed = !displaced.is_empty()
            || existing.as_ref().is_none_or(|old| {
                (
                    old.public_ip,
                    old.storage_port,
                    old.storage_lmq_port,
                    old.version,
                ) != (
                    reg.public_ip,
                    reg.storage_port,
                    reg.storage_lmq_port,
                    reg.version,
                )
            });
        state.nodes.insert(reg.pubkey_ed25519, record);
        // Only listing changes are written: a re-registration that changes nothing but the
        // timestamp is not worth an fsync. After a seed restart the persisted timestamp may be
        // older than the newest accepted one, so a replay in that gap can only re-announce the
        // address the node still has.
        if listing_changed {
            state.revision += 1;
            save(&self.path, &state)?;
        }
        Ok(RegisterOutcome {
            swarm_id,
            new_node: existing.is_none(),
            revision: state.revision,
        })
    }

    /// Every node and whether it is active at `now_ms`.
    pub fn snapshot(&self, now_ms: i64) -> RegistrySnapshot {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        RegistrySnapshot {
            revision: state.revision,
            nodes: state
                .nodes
                .values()
                .map(|n| {
                    let active = now_ms.saturating_sub(n.last_seen_ms) <= self.inactive_after_ms;
                    (n.clone(), active)
                })
                .collect(),
        }
    }
}

fn load(path: &Path, bytes: &[u8], now_ms: i64) -> Result<State, RegistryError> {
    let corrupt = |reason: String| RegistryError::Corrupt {
        path: path.to_path_buf(),
        reason,
    };
    let file: RegistryFile = serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()))?;
    if file.format != FILE_FORMAT {
        return Err(corrupt(format!("unknown format {}", file.format)));
    }
    let mut state = State {
        revision: file.revision,
        nodes: BTreeMap::new(),
    };
    for n in file.nodes {
        let mut ed = [0u8; 32];
        let mut x = [0u8; 32];
        hex::decode_to_slice(&n.pubkey_ed25519, &mut ed)
            .and_then(|()| hex::decode_to_slice(&n.pubkey_x25519, &mut x))
            .map_err(|_| corrupt("a node key is not 64 hex digits".into()))?;
        state.nodes.insert(
            ed,
            NodeRecord {
                pubkey_ed25519: ed,
                pubkey_x25519: x,
                public_ip: n.public_ip,
                storage_port: n.storage_port,
                storage_lmq_port: n.storage_lmq_port,
                version: n.version,
                swarm_id: n.swarm_id,
                registration_revision: n.registration_revision,
                last_registration_ms: n.last_registration_ms,
                last_seen_ms: now_ms,
            },
        );
    }
    Ok(state)
}

fn save(path: &Path, state: &State) -> Result<(), RegistryError> {
    let file = RegistryFile {
        format: FILE_FORMAT,
        revision: state.revision,
        nodes: state
            .nodes
            .values()
            .map(|n| FileNode {
                pubkey_ed25519: hex::encode(n.pubkey_ed25519),
                pubkey_x25519: hex::encode(n.pubkey_x25519),
                public_ip: n.public_ip,
                storage_port: n.storage_port,
                storage_lmq_port: n.storage_lmq_port,
                version: n.version,
                swarm_id: n.swarm_id,
                registration_revision: n.registration_revision,
                last_registration_ms: n.last_registration_ms,
            })
            .collect(),
    };
    let bytes = serde_json::to_vec_pretty(&file).map_err(|e| RegistryError::Corrupt {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    let io_err = |source| RegistryError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        fsutil::ensure_private_dir(dir).map_err(io_err)?;
    }
    fsutil::write_private_file(path, &bytes).map_err(io_err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::NodeIdentity;
    use crate::seed::registration::Registration;

    const NOW: i64 = 1_700_000_000_000;

    fn verified(n: u8, port: u16, ts: i64) -> VerifiedRegistration {
        Registration::sign(
            &NodeIdentity::from_seed32(&[n; 32]),
            Ipv4Addr::LOCALHOST,
            port,
            port + 1,
            [2, 8, 0],
            ts,
        )
        .verify(ts)
        .unwrap()
    }

    #[test]
    fn nodes_fill_swarms_and_persist() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.json");
        let reg = Registry::open(&path, 3, 60_000, NOW).unwrap();
        let mut swarms = BTreeMap::<u64, usize>::new();
        for n in 0..7u8 {
            let out = reg
                .register(&verified(n, 1000 + 2 * u16::from(n), NOW), NOW)
                .unwrap();
            assert!(out.new_node);
            *swarms.entry(out.swarm_id).or_default() += 1;
        }
        assert_eq!(swarms.values().copied().collect::<Vec<_>>().len(), 3);
        assert_eq!(swarms.values().filter(|&&c| c == 3).count(), 2);

        // Re-registration keeps the swarm and is not new; an older one is stale.
        let first = reg.snapshot(NOW).nodes[0].0.clone();
        let again = reg.register(&verified(0, 1000, NOW + 5), NOW + 5).unwrap();
        assert!(!again.new_node);
        let err = reg
            .register(&verified(0, 1000, NOW + 1), NOW + 6)
            .unwrap_err();
        assert!(matches!(
            err,
            RegistryError::Refused(RegistrationError::Stale)
        ));

        let reopened = Registry::open(&path, 3, 60_000, NOW + 10).unwrap();
        let snap = reopened.snapshot(NOW + 10);
        assert_eq!(snap.nodes.len(), 7);
        assert_eq!(snap.revision, reg.snapshot(NOW).revision);
        let same = snap
            .nodes
            .iter()
            .find(|(n, _)| n.pubkey_ed25519 == first.pubkey_ed25519)
            .unwrap();
        assert_eq!(same.0.swarm_id, first.swarm_id);
        assert!(snap.nodes.iter().all(|(_, active)| *active));
        // Silence makes nodes inactive.
        assert!(reopened
            .snapshot(NOW + 10 + 60_001)
            .nodes
            .iter()
            .all(|(_, active)| !*active));
    }

    #[test]
    fn a_new_node_at_an_old_address_replaces_it() {
        let dir = tempfile::tempdir().unwrap();
        let reg = Registry::open(&dir.path().join("r.json"), 5, 60_000, NOW).unwrap();
        reg.register(&verified(1, 2000, NOW), NOW).unwrap();
        reg.register(&verified(2, 2000, NOW), NOW).unwrap();
        let snap = reg.snapshot(NOW);
        assert_eq!(snap.nodes.len(), 1);
        assert_eq!(
            snap.nodes[0].0.pubkey_ed25519,
            NodeIdentity::from_seed32(&[2; 32]).ed25519_public()
        );
    }

    #[test]
    fn damaged_file_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.json");
        std::fs::write(&path, b"{not json").unwrap();
        let err = Registry::open(&path, 5, 60_000, NOW).unwrap_err();
        assert!(matches!(err, RegistryError::Corrupt { .. }), "{err}");
    }
}
