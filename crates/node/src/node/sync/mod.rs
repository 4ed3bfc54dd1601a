//! Swarm catch-up: a node that was down, or whose swarm changed, converges with its peers.
//!
//! Every member of a swarm should hold every message of the swarm's slice of swarm space.
//! Stores reach the other members by replication when they happen; this module repairs what
//! replication missed (the node was down, a forward failed, the swarm changed):
//!
//! * **Serving** ([`SYNC_PATH`], [`DIGEST_PATH`]): an authenticated node (see
//!   [`super::peer_auth`], domain [`SYNC_DOMAIN`]) may read the messages in any part of *its own* swarm's slice as this
//!   node sees the network — digests per bucket, then pages of messages (cursor-paged, bounded
//!   in count and bytes). See [`wire`] for the bodies.
//! * **Pulling** ([`run`]): at start-up, whenever this node's swarm, its slice or its set of
//!   swarm peers changes, and every `sync_interval_secs` (60 s by default), the node compares
//!   digests with each peer and pulls the slices that differ, inserting with `store_many`
//!   (only hashes not stored yet; a stored message keeps its expiry). At start-up and on membership changes it also asks one
//!   member of each neighbouring swarm: when a swarm is founded or moves, the data of its new
//!   slice sits with the swarm that owned it before. Failed rounds are retried with backoff.
//!   All of this runs in its own task, one request at a time; it never holds up clients.
//!
//! **Deletes** travel as tombstones: a deleted message's hash (and its account's position) is
//! kept until the message would have expired ([`crate::store::Store::tombstones_in_range`]).
//! Pulling never inserts a tombstoned message, and the first page of a slice carries the
//! serving node's tombstones for it, which the puller applies: a member that missed a delete
//! while it was down drops the message at its next catch-up instead of serving it (and the
//! members that applied the delete do not take it back from it meanwhile).

pub mod pull;
mod serve;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use axum::routing::post;
use axum::{Extension, Router};
use tokio::sync::Semaphore;

use super::network::{NetworkView, ServiceNode};
use super::NodeContext;
use crate::shutdown::Shutdown;
use crate::store::StoreError;
use crate::swarm::SpaceRange;
pub use pull::PullStats;
use wire::WireError;

/// Page endpoint.
pub const SYNC_PATH: &str = "/swarm/v1/sync";
/// Digest endpoint.
pub const DIGEST_PATH: &str = "/swarm/v1/sync/digest";
/// Signature domain of catch-up requests, both endpoints (see [`super::peer_auth`]; the bodies
/// differ in shape, so one cannot pass for the other).
pub const SYNC_DOMAIN: &[u8] = b"session-node-sync-v1";

/// First delay before retrying a round in which a peer could not be reconciled.
const RETRY_MIN: Duration = Duration::from_secs(1);

/// Why a reconciliation with one peer failed.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The peer could not be reached or did not answer in time.
    #[error("the peer did not answer: {0}")]
    Unreachable(reqwest::Error),
    /// The peer refused (not ready, busy, does not know us yet, …).
    #[error("the peer refused catch-up ({status}): {reason}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The peer's explanation.
        reason: String,
    },
    /// The peer's answer is malformed.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// The peer's page cursor did not move forward.
    #[error("the peer's catch-up cursor did not move forward")]
    NoProgress,
    /// The local store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Routes of the catch-up endpoints (merged into the node's router).
pub fn routes() -> Router<Arc<NodeContext>> {
    let gate = serve::Gate(Arc::new(Semaphore::new(serve::MAX_CONCURRENT)));
    Router::new()
        .route(SYNC_PATH, post(serve::page))
        .route(DIGEST_PATH, post(serve::digest))
        .layer(Extension(gate))
}

/// What decides whether a full catch-up is due: our swarm, its slice and its other members.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Membership {
    swarm: u64,
    range: SpaceRange,
    peers: Vec<[u8; 32]>,
}

fn membership(view: &NetworkView, me: &[u8; 32]) -> Option<Membership> {
    let range = view.my_space()?;
    let mut peers: Vec<[u8; 32]> = view.peers(me).iter().map(|n| n.pubkey_ed25519).collect();
    peers.sort_unstable();
    Some(Membership {
        swarm: view.my_swarm,
        range,
        peers,
    })
}

/// One member of each swarm next to ours in swarm space (candidates, in order of preference:
/// active ones first).
fn neighbour_candidates(view: &NetworkView) -> Vec<Vec<ServiceNode>> {
    let ids = view.swarm_ids();
    let Some(idx) = ids.iter().position(|&id| id == view.my_swarm) else {
        return Vec::new();
    };
    if ids.len() < 2 {
        return Vec::new();
    }
    let left = ids
        .get(idx.checked_sub(1).unwrap_or(ids.len() - 1))
        .copied();
    let right = ids.get((idx + 1) % ids.len()).copied();
    let mut swarms: Vec<u64> = left.into_iter().chain(right).collect();
    swarms.dedup();
    swarms
        .into_iter()
        .map(|swarm| {
            let mut members: Vec<ServiceNode> =
                view.swarm_members(swarm).into_iter().cloned().collect();
            members.sort_by_key(|n| !n.active);
            members
        })
        .collect()
}

/// Result of one catch-up round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RoundReport {
    /// Swarm peers reconciled with.
    pub peers_ok: usize,
    /// Swarm peers that could not be reconciled with.
    pub peers_failed: usize,
    /// Totals over every peer.
    pub stats: PullStats,
}

/// Reconciles with every swarm peer and, if `with_neighbours`, with one member of each
/// neighbouring swarm. Peers are asked one at a time.
pub async fn catch_up_once(ctx: &NodeContext, with_neighbours: bool) -> RoundReport {
    let view = ctx.network.view();
    let me = ctx.identity.ed25519_public();
    let mut report = RoundReport::default();
    let Some(range) = view.my_space() else {
        return report;
    };
    let mut local = pull::LocalDigest::default();
    for peer in view.peers(&me) {
        match pull::reconcile(ctx, peer, range, &mut local).await {
            Ok(stats) => {
                report.peers_ok += 1;
                report.stats.add(stats);
            }
            Err(e) => {
                report.peers_failed += 1;
                tracing::debug!(peer = %hex::encode(peer.pubkey_ed25519), error = %e,
                    "catch-up with a swarm peer failed");
            }
        }
    }
    if with_neighbours {
        for members in neighbour_candidates(&view) {
            for node in members.iter().filter(|n| n.pubkey_ed25519 != me) {
                match pull::reconcile(ctx, node, range, &mut local).await {
                    Ok(stats) => {
                        report.stats.add(stats);
                        break;
                    }
                    Err(e) => tracing::debug!(error = %e, "catch-up with a neighbour failed"),
                }
            }
        }
    }
    if report.stats.inserted > 0 {
        tracing::info!(
            inserted = report.stats.inserted,
            peers = report.peers_ok,
            "caught up with swarm peers"
        );
    }
    if report.stats.rejected > 0 {
        tracing::warn!(
            count = report.stats.rejected,
            "peers sent messages that failed checks (wrong hash, range or size)"
        );
    }
    report
}

fn sync_interval(ctx: &NodeContext) -> Duration {
    Duration::from_secs(ctx.config.sync_interval_secs.max(1))
}

/// The catch-up task: a full round at start and on every membership change, a light one (swarm
/// peers only) every `sync_interval_secs`, retries with backoff after failures, until shutdown.
pub async fn run(ctx: Arc<NodeContext>, shutdown: Shutdown) {
    let interval = sync_interval(&ctx);
    let me = ctx.identity.ed25519_public();
    let mut changes = ctx.network.subscribe();
    let mut known = membership(&changes.borrow_and_update(), &me);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut backoff = RETRY_MIN;
    // Start-up counts as a membership change.
    let mut due_full = true;
    let mut retry_at: Option<tokio::time::Instant> = None;
    loop {
        if due_full || retry_at.is_some_and(|at| at <= tokio::time::Instant::now()) {
            let full = due_full;
            due_full = false;
            retry_at = None;
            let report = tokio::select! {
                () = shutdown.wait() => return,
                r = catch_up_once(&ctx, full) => r,
            };
            if report.peers_failed > 0 {
                retry_at = Some(tokio::time::Instant::now() + backoff);
                backoff = (backoff * 2).min(interval);
            } else {
                backoff = RETRY_MIN;
            }
            tick.reset();
        }
        let retry = async {
            match retry_at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            () = shutdown.wait() => return,
            changed = changes.changed() => {
                if changed.is_err() {
                    return;
                }
                let now = membership(&changes.borrow_and_update(), &me);
                if now != known {
                    tracing::debug!("swarm membership changed; catching up");
                    known = now;
                    due_full = true;
                }
            }
            _ = tick.tick() => {
                let report = tokio::select! {
                    () = shutdown.wait() => return,
                    r = catch_up_once(&ctx, false) => r,
                };
                if report.peers_failed > 0 && retry_at.is_none() {
                    retry_at = Some(tokio::time::Instant::now() + backoff);
                    backoff = (backoff * 2).min(interval);
                }
            }
            () = retry => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn node(key: u8, swarm: u64, active: bool) -> ServiceNode {
        ServiceNode {
            pubkey_ed25519: [key; 32],
            pubkey_x25519: [key; 32],
            ip: Ipv4Addr::LOCALHOST,
            storage_port: u16::from(key),
            storage_lmq_port: 0,
            swarm_id: swarm,
            active,
            version: [2, 8, 0],
        }
    }

    #[test]
    fn neighbours_are_the_adjacent_swarms_active_first() {
        let view = NetworkView {
            revision: 1,
            nodes: vec![
                node(1, 100, true),
                node(2, 200, true),
                node(3, 300, false),
                node(4, 300, true),
                node(5, 400, true),
            ],
            my_swarm: 100,
            fetched_at_ms: 0,
        };
        let n = neighbour_candidates(&view);
        let keys: Vec<Vec<u8>> = n
            .iter()
            .map(|m| m.iter().map(|x| x.pubkey_ed25519[0]).collect())
            .collect();
        assert_eq!(keys, vec![vec![5], vec![2]]);
        let view = NetworkView {
            my_swarm: 300,
            ..view
        };
        let keys: Vec<Vec<u8>> = neighbour_candidates(&view)
            .iter()
            .map(|m| m.iter().map(|x| x.pubkey_ed25519[0]).collect())
            .collect();
        assert_eq!(keys, vec![vec![2], vec![5]]);
        let alone = NetworkView {
            nodes: vec![node(1, 100, true), node(3, 300, false), node(4, 300, true)],
            my_swarm: 300,
            ..NetworkView::default()
        };
        let keys: Vec<Vec<u8>> = neighbour_candidates(&alone)
            .iter()
            .map(|m| m.iter().map(|x| x.pubkey_ed25519[0]).collect())
            .collect();
        assert_eq!(keys, vec![vec![1]]);
    }

    #[test]
    fn membership_ignores_addresses_but_not_peers() {
        let mut view = NetworkView {
            revision: 1,
            nodes: vec![node(1, 100, true), node(2, 100, true), node(3, 200, true)],
            my_swarm: 100,
            fetched_at_ms: 0,
        };
        let a = membership(&view, &[1; 32]).unwrap();
        assert_eq!(a.peers, vec![[2; 32]]);
        view.nodes[1].storage_port = 999;
        view.revision = 2;
        assert_eq!(membership(&view, &[1; 32]), Some(a.clone()));
        view.nodes.push(node(4, 100, true));
        assert_ne!(membership(&view, &[1; 32]), Some(a));
    }
}
