//! Bootstrap: the pool (SQLite cache, seeds, refresh through a path) and the onion paths
//! (choose, test end to end, rebuild after a failure).

use std::collections::HashSet;
use std::time::{Duration, Instant};

use rand::seq::SliceRandom;
use session_protocol::rpc::build;
use session_protocol::rpc::response::{InfoResponse, OxendResponse};
use session_protocol::rpc::snode::ServiceNodeList;

use super::state::{choose_hops, Path};
use super::transport::{usable_nodes, HopFailure};
use super::types::{NetError, PathState, SnodeInfo};
use super::Network;
use crate::store::SnodeRecord;

/// Tries to build one path before giving up.
const BUILD_ATTEMPTS: usize = 6;
/// Least time between background attempts to rebuild a path whose rebuild failed.
const BACKGROUND_BUILD_INTERVAL: Duration = Duration::from_secs(10);

impl Network {
    /// Pool loaded and every path slot tried; Ok when at least one path is healthy.
    pub(super) async fn ensure_ready(&self) -> Result<(), NetError> {
        if self.with_state(|s| s.online() && !s.pool.is_empty()) {
            self.maybe_refresh_pool();
            self.maybe_rebuild_in_background();
            return Ok(());
        }
        let _build = self.inner.build_lock.lock().await;
        self.ensure_pool().await?;
        let slots = self.inner.config.path_count.max(1);
        self.with_state(|s| {
            while s.paths.len() < slots {
                let id = s.new_id();
                s.paths.push(Path {
                    id,
                    hops: Vec::new(),
                    state: PathState::Building,
                });
            }
        });
        for slot in 0..slots {
            let healthy = self.with_state(|s| {
                s.paths
                    .get(slot)
                    .is_some_and(|p| p.state == PathState::Healthy)
            });
            if !healthy {
                // A slot that cannot be built now is retried at the next request.
                if let Err(e) = self.build_path(slot).await {
                    tracing::debug!(slot, error = %e, "could not build an onion path");
                }
            }
        }
        if self.with_state(|s| s.online()) {
            tracing::info!(paths = slots, "onion paths ready");
            Ok(())
        } else {
            Err(NetError::NoPath)
        }
    }

    /// Loads the pool from the cache, or from the seeds when there is none or it is too small.
    async fn ensure_pool(&self) -> Result<(), NetError> {
        let need = self.inner.config.hops.max(1);
        if self.with_state(|s| s.pool.len() >= need) {
            return Ok(());
        }
        let cached = self.inner.store.run(|s| s.snode_pool()).await?;
        if let Some(pool) = cached {
            let nodes: Vec<SnodeInfo> = pool.nodes.iter().map(SnodeInfo::from_record).collect();
            if nodes.len() >= need {
                tracing::debug!(nodes = nodes.len(), "service-node pool from the cache");
                self.with_state(|s| {
                    s.pool = nodes;
                    s.pool_fetched_at_ms = Some(pool.fetched_at_ms);
                });
                return Ok(());
            }
        }
        let nodes = self.fetch_from_seeds().await?;
        if nodes.len() < need {
            return Err(NetError::PoolTooSmall {
                have: nodes.len(),
                need,
            });
        }
        self.replace_pool(nodes).await
    }

    /// Asks the seeds in random order; the first answer wins.
    async fn fetch_from_seeds(&self) -> Result<Vec<SnodeInfo>, NetError> {
        let mut seeds = self.inner.config.seed_urls.clone();
        seeds.shuffle(&mut rand::thread_rng());
        let mut last = "no seed configured".to_owned();
        for seed in &seeds {
            match self.transport()?.fetch_seed(seed).await {
                Ok(nodes) => {
                    tracing::info!(nodes = nodes.len(), "service-node pool from a seed");
                    return Ok(nodes);
                }
                Err(e) => {
                    tracing::debug!(error = %e, "a seed did not answer");
                    last = e;
                }
            }
        }
        Err(NetError::Bootstrap { detail: last })
    }

    /// Replaces the pool in memory and in the cache.
    async fn replace_pool(&self, nodes: Vec<SnodeInfo>) -> Result<(), NetError> {
        let now = self.inner.clock.now_ms();
        let records: Vec<SnodeRecord> = nodes.iter().filter_map(SnodeInfo::to_record).collect();
        self.inner
            .store
            .run(move |s| s.replace_snode_pool(&records, now))
            .await?;
        self.with_state(|s| {
            s.pool = nodes;
            s.pool_fetched_at_ms = Some(now);
        });
        self.publish();
        Ok(())
    }

    /// While one path serves requests, retries slots whose rebuild failed (at most every
    /// [`BACKGROUND_BUILD_INTERVAL`]).
    fn maybe_rebuild_in_background(&self) {
        let start = self.with_state(|s| {
            let missing = s.paths.iter().any(|p| p.state != PathState::Healthy);
            let due = s
                .last_background_build
                .is_none_or(|at| at.elapsed() >= BACKGROUND_BUILD_INTERVAL);
            if missing && due {
                s.last_background_build = Some(Instant::now());
            }
            missing && due
        });
        if start {
            let net = self.clone();
            tokio::spawn(async move {
                let _build = net.inner.build_lock.lock().await;
                let slots = net.with_state(|s| s.paths.len());
                for slot in 0..slots {
                    let bad = net.with_state(|s| {
                        s.paths
                            .get(slot)
                            .is_some_and(|p| p.state != PathState::Healthy)
                    });
                    if bad {
                        if let Err(e) = net.build_path(slot).await {
                            tracing::debug!(slot, error = %e, "background path build failed");
                        }
                    }
                }
            });
        }
    }

    /// Starts a background refresh when the pool is older than `pool_refresh`.
    fn maybe_refresh_pool(&self) {
        let refresh_ms =
            i64::try_from(self.inner.config.pool_refresh.as_millis()).unwrap_or(i64::MAX);
        let now = self.inner.clock.now_ms();
        let start = self.with_state(|s| {
            let stale = s
                .pool_fetched_at_ms
                .is_some_and(|at| now.saturating_sub(at) >= refresh_ms);
            if stale && !s.refreshing {
                s.refreshing = true;
                true
            } else {
                false
            }
        });
        if start {
            let net = self.clone();
            tokio::spawn(async move {
                if let Err(e) = net.refresh_pool().await {
                    tracing::debug!(error = %e, "pool refresh failed");
                }
                net.with_state(|s| s.refreshing = false);
            });
        }
    }

    /// Re-fetches the pool: `get_service_nodes` from a random node through a path (the seeds
    /// do not learn our address), else from the seeds.
    pub(super) async fn refresh_pool(&self) -> Result<(), NetError> {
        let via_node = async {
            let node = self.random_pool_node(&[]).ok_or(NetError::NoPath)?;
            let reply = self
                .onion_rpc(&node, &build::get_service_nodes().to_body())
                .await?;
            let body = Self::ok_json(&reply)?;
            let answer: OxendResponse = serde_json::from_value(body)
                .map_err(|e| NetError::BadResponse(format!("service-node list: {e}")))?;
            let list: ServiceNodeList = serde_json::from_value(answer.result)
                .map_err(|e| NetError::BadResponse(format!("service-node list: {e}")))?;
            Ok::<_, NetError>(usable_nodes(&list.service_node_states))
        };
        let need = self.inner.config.hops.max(1);
        let nodes = match via_node.await {
            Ok(nodes) if nodes.len() >= need => nodes,
            Ok(_) | Err(_) => self.fetch_from_seeds().await?,
        };
        if nodes.len() < need {
            return Err(NetError::PoolTooSmall {
                have: nodes.len(),
                need,
            });
        }
        self.replace_pool(nodes).await
    }

    /// A random pool node not in `exclude`, preferring nodes outside the paths.
    pub(super) fn random_pool_node(&self, exclude: &[[u8; 32]]) -> Option<SnodeInfo> {
        self.with_state(|s| {
            let in_paths: HashSet<[u8; 32]> = s
                .paths
                .iter()
                .flat_map(|p| p.hops.iter().map(|h| h.ed25519))
                .collect();
            let candidates: Vec<&SnodeInfo> = s
                .pool
                .iter()
                .filter(|n| !exclude.contains(&n.ed25519))
                .collect();
            let outside: Vec<&SnodeInfo> = candidates
                .iter()
                .copied()
                .filter(|n| !in_paths.contains(&n.ed25519))
                .collect();
            let from = if outside.is_empty() {
                candidates
            } else {
                outside
            };
            from.choose(&mut rand::thread_rng()).map(|n| (*n).clone())
        })
    }

    /// Builds (or rebuilds) path slot `slot`: choose nodes, test the whole path with an onion
    /// `info` through its first hops to its last, retry with other nodes on failure.
    async fn build_path(&self, slot: usize) -> Result<(), NetError> {
        let hops = self.inner.config.hops.max(1);
        let mut exclude: HashSet<[u8; 32]> = HashSet::new();
        for _ in 0..BUILD_ATTEMPTS {
            let chosen = self.with_state(|s| {
                let avoid = s.hops_outside(slot);
                let chosen = choose_hops(
                    &s.pool,
                    &exclude,
                    &avoid,
                    &s.strikes,
                    hops,
                    &mut rand::thread_rng(),
                )?;
                let id = s.new_id();
                let path = s.paths.get_mut(slot)?;
                path.id = id;
                path.hops.clone_from(&chosen);
                if path.state == PathState::Healthy {
                    path.state = PathState::Rebuilding;
                }
                Some((id, chosen))
            });
            let Some((id, chosen)) = chosen else {
                let have = self.with_state(|s| s.pool.len());
                return Err(NetError::PoolTooSmall { have, need: hops });
            };
            self.publish();
            match self.test_path(&chosen).await {
                Ok(()) => {
                    self.with_state(|s| {
                        for hop in &chosen {
                            s.strikes.remove(&hop.ed25519);
                        }
                        if let Some(path) = s.paths.get_mut(slot).filter(|p| p.id == id) {
                            path.state = PathState::Healthy;
                        }
                    });
                    self.publish();
                    tracing::debug!(slot, "onion path built and tested");
                    return Ok(());
                }
                Err(failure) => {
                    tracing::debug!(slot, error = %failure.detail(), "path test failed");
                    let dropped = self.blame(&chosen, &failure);
                    self.forget_nodes(dropped).await;
                    // Never retry the same combination; single bad nodes are struck.
                    for hop in &chosen {
                        exclude.insert(hop.ed25519);
                    }
                    if self.with_state(|s| s.pool.len().saturating_sub(exclude.len()) < hops) {
                        exclude.clear();
                    }
                }
            }
        }
        Err(NetError::NoPath)
    }

    /// Sends an `info` through `hops[..n-1]` to `hops[n-1]`; learns the node clock.
    async fn test_path(&self, hops: &[SnodeInfo]) -> Result<(), HopFailure> {
        let Some((last, relays)) = hops.split_last() else {
            return Err(HopFailure::Guard("empty path".to_owned()));
        };
        let transport = self
            .transport()
            .map_err(|e| HopFailure::Guard(e.to_string()))?;
        let reply = transport
            .onion(relays, last, &build::info().to_body())
            .await?;
        if reply.status != 200 {
            return Err(HopFailure::Relay(format!(
                "path test answered HTTP {}",
                reply.status
            )));
        }
        let info: InfoResponse = reply
            .body_json()
            .ok()
            .and_then(|v| serde_json::from_value(v).ok())
            .ok_or_else(|| HopFailure::BadReply("path test answer is not node info".to_owned()))?;
        self.learn_node_time(info.timestamp, false);
        Ok(())
    }

    /// Counts a failure against the nodes it implicates; returns nodes dropped from the pool.
    fn blame(&self, hops: &[SnodeInfo], failure: &HopFailure) -> Vec<[u8; 32]> {
        self.with_state(|s| match failure {
            HopFailure::NodeNotFound(node) => {
                s.drop_node(node);
                vec![*node]
            }
            HopFailure::Guard(_) => match hops.first() {
                Some(guard) if s.strike(&guard.ed25519) => vec![guard.ed25519],
                _ => Vec::new(),
            },
            HopFailure::Relay(_) | HopFailure::BadReply(_) => hops
                .iter()
                .filter(|h| s.strike(&h.ed25519))
                .map(|h| h.ed25519)
                .collect(),
        })
    }

    /// Removes dropped nodes from the SQLite pool too.
    pub(super) async fn forget_nodes(&self, nodes: Vec<[u8; 32]>) {
        if nodes.is_empty() {
            return;
        }
        let result = self
            .inner
            .store
            .run(move |s| {
                for node in &nodes {
                    s.remove_snode(node)?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = result {
            tracing::warn!(error = %e, "could not update the cached pool");
        }
        self.publish();
    }

    /// A request on path `id` failed on the path: blame its nodes, mark it rebuilding and
    /// rebuild it in the background.
    pub(super) async fn path_failed(&self, id: u64, failure: &HopFailure) {
        let found = self.with_state(|s| {
            let (slot, path) = s.paths.iter_mut().enumerate().find(|(_, p)| p.id == id)?;
            path.state = PathState::Rebuilding;
            Some((slot, path.hops.clone()))
        });
        let Some((slot, hops)) = found else {
            return; // already replaced
        };
        tracing::info!(slot, "an onion path failed; rebuilding it");
        let dropped = self.blame(&hops, failure);
        self.forget_nodes(dropped).await;
        let net = self.clone();
        tokio::spawn(async move {
            let _build = net.inner.build_lock.lock().await;
            let still_bad = net.with_state(|s| {
                s.paths
                    .get(slot)
                    .is_some_and(|p| p.state != PathState::Healthy)
            });
            if still_bad {
                if let Err(e) = net.build_path(slot).await {
                    tracing::debug!(slot, error = %e, "path rebuild failed; retried on demand");
                }
            }
        });
    }
}
