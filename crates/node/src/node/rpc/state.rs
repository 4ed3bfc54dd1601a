//! State the storage RPC keeps besides the message store: the subaccount revocation lists,
//! the batching senders to swarm peers, and the node's RPC clock.

use std::path::Path;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::Arc;

use super::keys::SignerKeyCache;
use super::revoke::Revocations;
use crate::identity::NodeIdentity;
use crate::node::peer::Peers;
use crate::store::StoreError;

/// Storage-RPC state shared by all request handlers of a node.
#[derive(Debug)]
pub struct RpcState {
    /// Revoked subaccount tokens per account (persisted).
    pub revocations: Revocations,
    /// Batching senders that forward recursive requests to the other members of the swarm.
    pub peers: Peers,
    /// Checked keys of the accounts (and subaccounts) that sign requests.
    pub signer_keys: SignerKeyCache,
    clock_offset_ms: AtomicI64,
    /// Recursive requests this node is running as the entry node.
    recursive_in_flight: AtomicUsize,
}

/// Counts one recursive request in flight while it lives.
#[derive(Debug)]
pub struct InFlight<'a> {
    count: &'a AtomicUsize,
    /// Others in flight when this one started.
    pub others: usize,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::Relaxed);
    }
}

impl RpcState {
    /// Opens the revocation list in `data_dir` and prepares the peer senders (`plain_http`:
    /// peers serve plain HTTP). Blocking (a small SQLite file); see [`RpcState::open_async`].
    pub fn open(
        data_dir: &Path,
        identity: Arc<NodeIdentity>,
        http: reqwest::Client,
        plain_http: bool,
    ) -> Result<RpcState, StoreError> {
        Ok(RpcState {
            revocations: Revocations::open(data_dir)?,
            peers: Peers::new(identity, http, plain_http),
            signer_keys: SignerKeyCache::new(),
            clock_offset_ms: AtomicI64::new(0),
            recursive_in_flight: AtomicUsize::new(0),
        })
    }

    /// Counts a recursive request as in flight until the returned guard is dropped.
    pub fn recursive_started(&self) -> InFlight<'_> {
        let others = self.recursive_in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight {
            count: &self.recursive_in_flight,
            others,
        }
    }

    /// [`RpcState::open`] on the blocking pool.
    pub async fn open_async(
        data_dir: std::path::PathBuf,
        identity: Arc<NodeIdentity>,
        http: reqwest::Client,
        plain_http: bool,
    ) -> Result<RpcState, StoreError> {
        tokio::task::spawn_blocking(move || RpcState::open(&data_dir, identity, http, plain_http))
            .await
            .map_err(|e| StoreError::Interrupted(e.to_string()))?
    }

    /// The clock the RPC checks timestamps and expiries against: wall-clock ms plus the offset
    /// set with [`RpcState::set_clock_offset_ms`].
    pub fn now_ms(&self) -> i64 {
        crate::time::now_ms().saturating_add(self.clock_offset_ms.load(Ordering::Relaxed))
    }

    /// [`RpcState::now_ms`] as the unsigned value the protocol crate takes.
    pub fn now_u64(&self) -> u64 {
        u64::try_from(self.now_ms()).unwrap_or(0)
    }

    /// Shifts this node's RPC clock (tests: let time pass without sleeping; the expiry sweeper
    /// keeps the wall clock).
    pub fn set_clock_offset_ms(&self, offset_ms: i64) {
        self.clock_offset_ms.store(offset_ms, Ordering::Relaxed);
    }
}
