//! The network layer: service-node pool, onion paths, swarms and the storage RPCs the client
//! needs (`store`, `retrieve`, and in one request several: `poll_batch`, `store_sequence`),
//! with the clock offset learnt from the nodes.
//!
//! * **Pool.** Loaded from the SQLite cache, else from a seed (`get_n_service_nodes`). Once
//!   older than `pool_refresh` it is re-fetched in the background with `get_service_nodes` from
//!   a random node through a path (falling back to the seeds). Nodes that fail
//!   [`MAX_STRIKES`](state::MAX_STRIKES) times, or that a relay reports as unknown, leave the
//!   pool and its cache.
//! * **Paths.** `path_count` paths of `hops` nodes, disjoint when the pool allows, distinct
//!   IPs preferred (not required: a devnet is all 127.0.0.1). A path is used only after an
//!   onion `info` through its first hops to its last has answered, which also tests the guard.
//! * **Rebuild rules.** A path is blamed only for failures *on the path*: the guard cannot be
//!   reached or times out, a relay answers 502 "Next node not found" (that node leaves the pool),
//!   504, 400 "Invalid ciphertext", 503, or the reply does not decrypt. Its nodes get a strike,
//!   it is marked `Rebuilding` and rebuilt in the background from other nodes, and the request
//!   is tried once more on another path. An answer from the destination, whatever its status
//!   (421, 406, 401, …), never counts against the path.
//! * **Swarms.** `get_swarm` through a path to a random pool node, cached in SQLite. A 421
//!   carries the right swarm: it is cached and the store retried once. The loops that apply
//!   these rules to every RPC are in `rpc_loop`.
//! * **Clock.** `network_now_ms() = clock + offset`. The offset comes from `info` answers (path
//!   tests) and the `t` of answers; after a 406/425 the node's clock is read with `info`,
//!   adopted, and the request retried once with corrected timestamps.

mod batch;
mod ops;
mod paths;
pub(crate) mod prepared_keys;
mod rpc_loop;
mod state;
mod transport;
mod types;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use session_protocol::identity::Keypair;
use session_protocol::rpc::{build, AccountPubkey, Namespace};
use tokio::sync::watch;

use crate::clock::SharedClock;
use crate::shared_store::SharedStore;

use rpc_loop::Answer;
use state::State;
use transport::Transport;

pub use types::{
    ExpireRefresh, NetError, NetworkConfig, NetworkStatus, PathInfo, PathState, RetrieveResult,
    RetrievedMessage, SequenceOutcome, SequenceStore, SnodeInfo, StoreAck, StoreRequest,
};

/// Clock offsets closer than this to the current one are not worth adopting.
const OFFSET_JITTER_MS: i64 = 1_000;

/// The client's handle on the network; cheap to clone, shared by the client's tasks.
#[derive(Clone, Debug)]
pub struct Network {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: NetworkConfig,
    store: SharedStore,
    clock: SharedClock,
    transport: Result<Transport, String>,
    state: Mutex<State>,
    /// Serialises pool loading and path building.
    build_lock: tokio::sync::Mutex<()>,
    status: watch::Sender<NetworkStatus>,
    offset_ms: AtomicI64,
}

impl Network {
    /// A network handle; nothing is contacted until [`Network::bootstrap`] or a request.
    pub fn new(config: NetworkConfig, store: SharedStore, clock: SharedClock) -> Network {
        let (status, _) = watch::channel(NetworkStatus::default());
        let transport = Transport::new(config.request_timeout).map_err(|e| e.to_string());
        Network {
            inner: Arc::new(Inner {
                config,
                store,
                clock,
                transport,
                state: Mutex::new(State::default()),
                build_lock: tokio::sync::Mutex::new(()),
                status,
                offset_ms: AtomicI64::new(0),
            }),
        }
    }

    /// Pool from the SQLite cache or the seeds, then tested paths. Idempotent; other calls do
    /// it lazily.
    pub async fn bootstrap(&self) -> Result<(), NetError> {
        self.ensure_ready().await
    }

    /// `store` through an onion path to a node of the recipient's swarm: unsigned (someone
    /// else's public inbox) or signed by `signer` (own namespaces). Handles 421 (swarm from the
    /// body, cached, retried once), 406/425 (adopt the node's clock, retry once) and path
    /// failures (rebuild, retry on another path), and tries another swarm member when one does
    /// not answer. Ok once a node accepted and signed the message.
    pub async fn store(&self, req: StoreRequest) -> Result<StoreAck, NetError> {
        let data = B64
            .decode(req.data_b64.as_bytes())
            .map_err(|_| NetError::InvalidRequest("the message is not valid base64".into()))?;
        let ttl = u64::try_from(req.ttl_ms)
            .map_err(|_| NetError::InvalidRequest("negative time to live".into()))?;
        let account = match &req.signer {
            Some(signer) => AccountPubkey::from(&signer.session_id()),
            None => AccountPubkey::from(&req.recipient),
        };
        let build = |now: u64| {
            match &req.signer {
                Some(signer) => build::store_signed(signer, req.namespace, data.clone(), ttl, now),
                None => build::store_unsigned(account, req.namespace, data.clone(), ttl, now),
            }
            .map_err(|e| rpc_loop::invalid(&e))
        };
        let read = |body| {
            let (ack, t) = ops::parse_store(body)?;
            Ok(Answer::Done(ack, t))
        };
        self.swarm_rpc(&account, req.timestamp_ms, build, read)
            .await
    }

    /// A node of `account`'s swarm to poll: sticky until it fails or leaves the swarm. Also
    /// shown as `own_swarm` in the status.
    pub async fn poll_node(&self, account: &AccountPubkey) -> Result<SnodeInfo, NetError> {
        if let Some(node) = self.with_state(|s| s.poll_nodes.get(account).cloned()) {
            return Ok(node);
        }
        self.ensure_ready().await?;
        let mut swarm = self.swarm_of(account).await?;
        if swarm.is_empty() {
            swarm = self.swarm_of(account).await?;
        }
        let node = Self::pick_member(&swarm, &[]).ok_or(NetError::NodeFailed)?;
        self.with_state(|s| {
            s.poll_nodes.insert(*account, node.clone());
            s.own_swarm = swarm;
        });
        self.publish();
        Ok(node)
    }

    /// Signed `retrieve` of `keypair`'s messages in `namespace` after `last_hash` from `node`
    /// through an onion path. A 406/425 is fixed by adopting the node's clock and retried once.
    /// On 421 or node failure returns [`NetError::WrongSwarm`] / [`NetError::NodeFailed`] after
    /// updating the caches, so the next [`Network::poll_node`] picks another node.
    pub async fn retrieve(
        &self,
        node: &SnodeInfo,
        keypair: &Keypair,
        namespace: Namespace,
        last_hash: Option<String>,
    ) -> Result<RetrieveResult, NetError> {
        let account = AccountPubkey::from(&keypair.session_id());
        let build = |now: u64| {
            Ok(build::retrieve(
                keypair,
                namespace,
                last_hash.clone(),
                None,
                now,
            ))
        };
        let read = |body| {
            let (result, t) = ops::parse_retrieve(body)?;
            Ok(Answer::Done(result, t))
        };
        self.node_rpc(node, &account, build, read).await
    }

    /// The current status.
    pub fn status(&self) -> NetworkStatus {
        self.inner.status.borrow().clone()
    }

    /// Status changes (paths built/rebuilt, pool size, clock offset, own swarm).
    pub fn watch_status(&self) -> watch::Receiver<NetworkStatus> {
        self.inner.status.subscribe()
    }

    /// Clock + the offset learnt from nodes (406/425 replies and response timestamps).
    pub fn network_now_ms(&self) -> i64 {
        self.inner
            .clock
            .now_ms()
            .saturating_add(self.inner.offset_ms.load(Ordering::Relaxed))
    }

    /// The HTTP transport (its TLS set-up can fail once, at start).
    fn transport(&self) -> Result<&Transport, NetError> {
        self.inner
            .transport
            .as_ref()
            .map_err(|detail| NetError::Bootstrap {
                detail: detail.clone(),
            })
    }

    /// Runs `f` on the state (never across an await).
    fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(&mut state)
    }

    /// Sends the current status to watchers (only when it changed).
    fn publish(&self) {
        let offset = self.inner.offset_ms.load(Ordering::Relaxed);
        let status = self.with_state(|s| s.status(offset));
        self.inner.status.send_if_modified(|current| {
            if *current == status {
                false
            } else {
                *current = status;
                true
            }
        });
    }

    /// Adopts a node's clock reading: always when `force` (after a 406/425), else only when it
    /// moves the offset by more than [`OFFSET_JITTER_MS`].
    fn learn_node_time(&self, node_ms: u64, force: bool) {
        let node_ms = i64::try_from(node_ms).unwrap_or(i64::MAX);
        let offset = node_ms.saturating_sub(self.inner.clock.now_ms());
        let current = self.inner.offset_ms.load(Ordering::Relaxed);
        if force || (offset - current).abs() > OFFSET_JITTER_MS {
            self.inner.offset_ms.store(offset, Ordering::Relaxed);
            tracing::debug!(offset_ms = offset, "clock offset adopted from a node");
            self.publish();
        }
    }
}
