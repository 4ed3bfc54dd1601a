//! The mutable state of a network handle (pool, failure counts, paths) and the pure choices
//! made on it: which nodes make a path. Kept free of I/O so it is tested directly.

use std::collections::{HashMap, HashSet};

use rand::seq::SliceRandom;
use rand::Rng;
use session_protocol::rpc::AccountPubkey;

use super::types::{NetworkStatus, PathInfo, PathState, SnodeInfo};

/// Failures after which a node leaves the pool.
pub(crate) const MAX_STRIKES: u32 = 3;

/// One onion path slot.
#[derive(Debug, Clone)]
pub(crate) struct Path {
    /// Changes whenever the slot gets new hops, so late failure reports of an old path are
    /// ignored.
    pub id: u64,
    /// Guard first; empty while the first build has not chosen nodes.
    pub hops: Vec<SnodeInfo>,
    /// Building, healthy or rebuilding.
    pub state: PathState,
}

/// A swarm held in memory.
#[derive(Debug, Clone)]
pub(crate) struct KnownSwarm {
    /// Its nodes; may be empty (every node failed, or nothing was cached).
    pub nodes: Vec<SnodeInfo>,
    /// When it was fetched (ms, local clock).
    pub fetched_at_ms: i64,
}

/// Everything behind the network handle's mutex. Never held across an `.await`.
#[derive(Debug, Default)]
pub(crate) struct State {
    /// Known service nodes.
    pub pool: Vec<SnodeInfo>,
    /// When the pool was fetched (ms, local clock); `None` before it is loaded.
    pub pool_fetched_at_ms: Option<i64>,
    /// A pool refresh is running.
    pub refreshing: bool,
    /// Recent failures per node (Ed25519).
    pub strikes: HashMap<[u8; 32], u32>,
    /// Path slots (`path_count` of them once bootstrapped).
    pub paths: Vec<Path>,
    /// Next path id.
    pub next_id: u64,
    /// Round-robin position over healthy paths.
    pub next_path: usize,
    /// Sticky poll node per account.
    pub poll_nodes: HashMap<AccountPubkey, SnodeInfo>,
    /// The swarm of the account last polled (status only).
    pub own_swarm: Vec<SnodeInfo>,
    /// Swarms in memory (SQLite is written through when they change, and read once per
    /// account), so a store does not read the database to find its destination.
    pub swarms: HashMap<AccountPubkey, KnownSwarm>,
    /// The database's `data_version` when `swarms` was last checked against it.
    pub swarms_data_version: Option<i64>,
    /// When a failed path was last retried in the background.
    pub last_background_build: Option<std::time::Instant>,
}

impl State {
    /// A fresh path id.
    pub fn new_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// Healthy paths, round-robin, skipping the ids in `exclude`.
    pub fn pick_path(&mut self, exclude: &[u64]) -> Option<Path> {
        let healthy: Vec<&Path> = self
            .paths
            .iter()
            .filter(|p| p.state == PathState::Healthy && !exclude.contains(&p.id))
            .collect();
        if healthy.is_empty() {
            return None;
        }
        let index = self.next_path % healthy.len();
        let chosen = healthy.get(index).map(|p| (*p).clone());
        self.next_path = self.next_path.wrapping_add(1);
        chosen
    }

    /// Whether any path is healthy.
    pub fn online(&self) -> bool {
        self.paths.iter().any(|p| p.state == PathState::Healthy)
    }

    /// Counts a failure of `node`; returns true when it reached [`MAX_STRIKES`] and was
    /// dropped from the pool.
    pub fn strike(&mut self, node: &[u8; 32]) -> bool {
        let count = self.strikes.entry(*node).or_insert(0);
        *count += 1;
        if *count >= MAX_STRIKES {
            self.drop_node(node);
            return true;
        }
        false
    }

    /// Removes a node from the pool (and forgets its strikes and sticky uses).
    pub fn drop_node(&mut self, node: &[u8; 32]) {
        self.pool.retain(|n| &n.ed25519 != node);
        self.strikes.remove(node);
        self.poll_nodes.retain(|_, n| &n.ed25519 != node);
    }

    /// Nodes of other path slots than `slot` (to keep paths disjoint).
    pub fn hops_outside(&self, slot: usize) -> HashSet<[u8; 32]> {
        self.paths
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != slot)
            .flat_map(|(_, p)| p.hops.iter().map(|h| h.ed25519))
            .collect()
    }

    /// The status the UI sees.
    pub fn status(&self, clock_offset_ms: i64) -> NetworkStatus {
        NetworkStatus {
            pool_size: self.pool.len(),
            paths: self
                .paths
                .iter()
                .map(|p| PathInfo {
                    hops: p.hops.clone(),
                    state: p.state,
                })
                .collect(),
            own_swarm: self.own_swarm.clone(),
            clock_offset_ms,
            online: self.online(),
        }
    }
}

/// Chooses `hops` distinct nodes from `pool` for a path: never a node in `exclude`; nodes in
/// `avoid` (other paths) only when there are not enough others; fewest strikes first; distinct
/// IPs when the candidates have enough of them. `None` when the pool is too small.
pub(crate) fn choose_hops(
    pool: &[SnodeInfo],
    exclude: &HashSet<[u8; 32]>,
    avoid: &HashSet<[u8; 32]>,
    strikes: &HashMap<[u8; 32], u32>,
    hops: usize,
    rng: &mut impl Rng,
) -> Option<Vec<SnodeInfo>> {
    let mut candidates: Vec<&SnodeInfo> = pool
        .iter()
        .filter(|n| !exclude.contains(&n.ed25519))
        .collect();
    if candidates.len() < hops {
        return None;
    }
    candidates.shuffle(rng);
    // Stable: random order within the same (avoided, strikes) rank.
    candidates.sort_by_key(|n| {
        (
            avoid.contains(&n.ed25519),
            strikes.get(&n.ed25519).copied().unwrap_or(0),
        )
    });
    let mut chosen: Vec<SnodeInfo> = Vec::with_capacity(hops);
    let mut ips: HashSet<&str> = HashSet::new();
    // First pass: distinct IPs; second pass: fill up regardless (devnets share one IP).
    for node in &candidates {
        if chosen.len() == hops {
            break;
        }
        if ips.insert(node.ip.as_str()) {
            chosen.push((*node).clone());
        }
    }
    for node in &candidates {
        if chosen.len() == hops {
            break;
        }
        if !chosen.iter().any(|c| c.ed25519 == node.ed25519) {
            chosen.push((*node).clone());
        }
    }
    (chosen.len() == hops).then_some(chosen)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(i: u8, ip: &str) -> SnodeInfo {
        SnodeInfo {
            ed25519: [i; 32],
            x25519: [i; 32],
            ip: ip.to_owned(),
            port: 1000 + u16::from(i),
        }
    }

    #[test]
    fn paths_avoid_other_paths_and_struck_nodes_when_possible() {
        let pool: Vec<SnodeInfo> = (0..8).map(|i| node(i, "127.0.0.1")).collect();
        let avoid: HashSet<[u8; 32]> = [[0; 32], [1; 32], [2; 32]].into_iter().collect();
        let strikes: HashMap<[u8; 32], u32> = [([3; 32], 1), ([4; 32], 1)].into_iter().collect();
        for _ in 0..50 {
            let hops = choose_hops(
                &pool,
                &HashSet::new(),
                &avoid,
                &strikes,
                3,
                &mut rand::thread_rng(),
            )
            .unwrap();
            let keys: HashSet<u8> = hops.iter().map(|h| h.ed25519[0]).collect();
            assert_eq!(keys, [5, 6, 7].into_iter().collect());
        }
    }

    #[test]
    fn distinct_ips_are_preferred_and_small_pools_still_work() {
        let pool = vec![
            node(0, "10.0.0.1"),
            node(1, "10.0.0.1"),
            node(2, "10.0.0.1"),
            node(3, "10.0.0.2"),
            node(4, "10.0.0.3"),
        ];
        for _ in 0..50 {
            let hops = choose_hops(
                &pool,
                &HashSet::new(),
                &HashSet::new(),
                &HashMap::new(),
                3,
                &mut rand::thread_rng(),
            )
            .unwrap();
            let ips: HashSet<&str> = hops.iter().map(|h| h.ip.as_str()).collect();
            assert_eq!(ips.len(), 3);
        }
        let exclude: HashSet<[u8; 32]> = [[3; 32], [4; 32]].into_iter().collect();
        let hops = choose_hops(
            &pool,
            &exclude,
            &HashSet::new(),
            &HashMap::new(),
            3,
            &mut rand::thread_rng(),
        )
        .unwrap();
        assert_eq!(hops.len(), 3);
        let exclude: HashSet<[u8; 32]> = [[0; 32], [3; 32], [4; 32]].into_iter().collect();
        assert!(choose_hops(
            &pool,
            &exclude,
            &HashSet::new(),
            &HashMap::new(),
            3,
            &mut rand::thread_rng()
        )
        .is_none());
    }

    #[test]
    fn strikes_drop_a_node_after_the_limit() {
        let mut state = State {
            pool: vec![node(1, "a"), node(2, "b")],
            ..State::default()
        };
        assert!(!state.strike(&[1; 32]));
        assert!(!state.strike(&[1; 32]));
        assert!(state.strike(&[1; 32]));
        assert_eq!(state.pool.len(), 1);
    }
}
