//! What a node knows about the network: its registration with the seed and the seed's node
//! list (which nodes exist, which swarm each is in, which swarm is ours).

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;
use serde_json::json;
use tokio::sync::{watch, Notify};

use crate::identity::NodeIdentity;
use crate::seed::registration::Registration;
use crate::seed::RegisterResponse;
use crate::shutdown::Shutdown;
use crate::swarm::{nearest_swarm, swarm_space, SpaceRange};
use crate::time::now_ms;

/// Errors talking to the seed.
#[derive(Debug, thiserror::Error)]
pub enum SeedClientError {
    /// The seed could not be reached or did not answer in time. (The URL is stripped from the
    /// error so that logs carry no addresses.)
    #[error("the seed did not answer: {0}")]
    Unreachable(reqwest::Error),
    /// The seed refused the request.
    #[error("the seed refused the request ({status}): {reason}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The seed's explanation.
        reason: String,
    },
    /// The seed's answer was not what a seed sends.
    #[error("the seed's answer is malformed: {0}")]
    Malformed(String),
}

/// A service node as listed by the seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceNode {
    /// Ed25519 public key.
    pub pubkey_ed25519: [u8; 32],
    /// X25519 public key.
    pub pubkey_x25519: [u8; 32],
    /// IPv4 address.
    pub ip: Ipv4Addr,
    /// HTTPS storage port.
    pub storage_port: u16,
    /// Reported OxenMQ port.
    pub storage_lmq_port: u16,
    /// Swarm id.
    pub swarm_id: u64,
    /// Whether the seed considers the node live.
    pub active: bool,
    /// Reported storage-server version.
    pub version: [u16; 3],
}

/// The network as this node last saw it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NetworkView {
    /// The seed's registry revision.
    pub revision: u64,
    /// Every listed node (active or not).
    pub nodes: Vec<ServiceNode>,
    /// This node's swarm.
    pub my_swarm: u64,
    /// When the list was fetched (ms).
    pub fetched_at_ms: i64,
}

impl NetworkView {
    /// Distinct swarm ids, ascending.
    pub fn swarm_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.nodes.iter().map(|n| n.swarm_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The swarm an account (32-byte key, prefix dropped) belongs to.
    pub fn swarm_for_key(&self, key: &[u8; 32]) -> Option<u64> {
        nearest_swarm(&self.swarm_ids(), swarm_space(key))
    }

    /// Whether this node's swarm stores the account.
    pub fn is_mine(&self, key: &[u8; 32]) -> bool {
        self.swarm_for_key(key) == Some(self.my_swarm)
    }

    /// Members of a swarm.
    pub fn swarm_members(&self, swarm: u64) -> Vec<&ServiceNode> {
        self.nodes.iter().filter(|n| n.swarm_id == swarm).collect()
    }

    /// The other members of this node's swarm (`me` is this node's Ed25519 key).
    pub fn peers(&self, me: &[u8; 32]) -> Vec<&ServiceNode> {
        self.nodes
            .iter()
            .filter(|n| n.swarm_id == self.my_swarm && &n.pubkey_ed25519 != me)
            .collect()
    }

    /// A node by Ed25519 key (onion forwarding names the next hop this way).
    pub fn node(&self, ed25519: &[u8; 32]) -> Option<&ServiceNode> {
        self.nodes.iter().find(|n| &n.pubkey_ed25519 == ed25519)
    }

    /// The slice of swarm space this node's swarm owns (for catch-up).
    pub fn my_space(&self) -> Option<SpaceRange> {
        crate::swarm::swarm_space_range(&self.swarm_ids(), self.my_swarm)
    }
}

/// Shared, always-current network view; cheap to clone. Subscribers can await changes.
#[derive(Debug, Clone)]
pub struct NetworkState {
    rx: watch::Receiver<Arc<NetworkView>>,
    refresh: Arc<Notify>,
}

impl NetworkState {
    /// The latest view.
    pub fn view(&self) -> Arc<NetworkView> {
        self.rx.borrow().clone()
    }

    /// Asks the node to fetch the node list now rather than at its next scheduled refresh.
    pub fn request_refresh(&self) {
        self.refresh.notify_one();
    }

    /// A receiver that wakes on every change (for replication and catch-up).
    pub fn subscribe(&self) -> watch::Receiver<Arc<NetworkView>> {
        self.rx.clone()
    }
}

/// Talks to the seed.
#[derive(Debug, Clone)]
pub struct SeedClient {
    base: String,
    http: reqwest::Client,
}

#[derive(Deserialize)]
struct RpcEnvelope {
    result: Option<NodesResult>,
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct NodesResult {
    #[serde(default)]
    height: u64,
    service_node_states: Vec<NodeEntry>,
}

#[derive(Deserialize)]
struct NodeEntry {
    pubkey_ed25519: String,
    pubkey_x25519: String,
    public_ip: String,
    storage_port: u16,
    #[serde(default)]
    storage_lmq_port: u16,
    swarm_id: u64,
    #[serde(default = "yes")]
    active: bool,
    #[serde(default)]
    storage_server_version: [u16; 3],
}

impl From<reqwest::Error> for SeedClientError {
    fn from(e: reqwest::Error) -> SeedClientError {
        SeedClientError::Unreachable(e.without_url())
    }
}

fn yes() -> bool {
    true
}

fn key32(text: &str) -> Result<[u8; 32], SeedClientError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(text, &mut key)
        .map_err(|_| SeedClientError::Malformed(format!("{text:?} is not a 32-byte hex key")))?;
    Ok(key)
}

impl SeedClient {
    /// A client for the seed at `url` (`http://IP:PORT` or `https://…`).
    pub fn new(url: &str, http: reqwest::Client) -> SeedClient {
        SeedClient {
            base: url.trim_end_matches('/').to_string(),
            http,
        }
    }

    /// Sends a registration.
    pub async fn register(&self, reg: &Registration) -> Result<RegisterResponse, SeedClientError> {
        let resp = self
            .http
            .post(format!("{}/register", self.base))
            .json(reg)
            .send()
            .await?;
        let status = resp.status();
        if !status.is_success() {
            let reason = resp.text().await.unwrap_or_default();
            return Err(SeedClientError::Refused {
                status: status.as_u16(),
                reason,
            });
        }
        resp.json()
            .await
            .map_err(|e| SeedClientError::Malformed(e.to_string()))
    }

    /// Fetches every listed node (active or not) and the registry revision.
    pub async fn fetch_nodes(&self) -> Result<(u64, Vec<ServiceNode>), SeedClientError> {
        let body = json!({
            "jsonrpc": "2.0", "id": 0, "method": "get_n_service_nodes",
            "params": {"active_only": false, "fields": ["pubkey_ed25519", "pubkey_x25519",
                "public_ip", "storage_port", "storage_lmq_port", "swarm_id", "active",
                "storage_server_version", "height"]},
        });
        let resp = self
            .http
            .post(format!("{}/json_rpc", self.base))
            .json(&body)
            .send()
            .await?
            .error_for_status()?;
        let env: RpcEnvelope = resp
            .json()
            .await
            .map_err(|e| SeedClientError::Malformed(e.to_string()))?;
        let result = match (env.result, env.error) {
            (Some(r), _) => r,
            (None, Some(e)) => return Err(SeedClientError::Malformed(e.to_string())),
            (None, None) => return Err(SeedClientError::Malformed("no result".into())),
        };
        let nodes = result
            .service_node_states
            .into_iter()
            .map(|e| {
                Ok(ServiceNode {
                    pubkey_ed25519: key32(&e.pubkey_ed25519)?,
                    pubkey_x25519: key32(&e.pubkey_x25519)?,
                    ip: e.public_ip.parse().map_err(|_| {
                        SeedClientError::Malformed(format!("{:?} is not an IPv4", e.public_ip))
                    })?,
                    storage_port: e.storage_port,
                    storage_lmq_port: e.storage_lmq_port,
                    swarm_id: e.swarm_id,
                    active: e.active,
                    version: e.storage_server_version,
                })
            })
            .collect::<Result<Vec<_>, SeedClientError>>()?;
        Ok((result.height, nodes))
    }
}

/// Registration details that stay fixed for a node's run.
#[derive(Debug, Clone)]
pub(crate) struct Announcement {
    pub(crate) ip: Ipv4Addr,
    pub(crate) storage_port: u16,
    pub(crate) lmq_port: u16,
}

/// Keeps the node registered and its view fresh.
#[derive(Debug)]
pub(crate) struct Membership {
    pub(crate) identity: Arc<NodeIdentity>,
    pub(crate) seed: SeedClient,
    pub(crate) announce: Announcement,
    tx: watch::Sender<Arc<NetworkView>>,
    refresh: Arc<Notify>,
}

/// First and longest delay between retries while the seed does not answer.
const RETRY_MIN: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(10);

impl Membership {
    pub(crate) fn new(
        identity: Arc<NodeIdentity>,
        seed: SeedClient,
        announce: Announcement,
    ) -> (Membership, NetworkState) {
        let (tx, rx) = watch::channel(Arc::new(NetworkView::default()));
        let refresh = Arc::new(Notify::new());
        (
            Membership {
                identity,
                seed,
                announce,
                tx,
                refresh: refresh.clone(),
            },
            NetworkState { rx, refresh },
        )
    }

    /// Registers once; returns the swarm id.
    pub(crate) async fn register_once(&self) -> Result<u64, SeedClientError> {
        let reg = Registration::sign(
            &self.identity,
            self.announce.ip,
            self.announce.storage_port,
            self.announce.lmq_port,
            crate::STORAGE_SERVER_VERSION,
            now_ms(),
        );
        Ok(self.seed.register(&reg).await?.swarm_id)
    }

    /// Fetches the node list once and publishes the new view.
    pub(crate) async fn refresh_once(&self, registered_swarm: u64) -> Result<(), SeedClientError> {
        let (revision, nodes) = self.seed.fetch_nodes().await?;
        let me = self.identity.ed25519_public();
        let my_swarm = nodes
            .iter()
            .find(|n| n.pubkey_ed25519 == me)
            .map_or(registered_swarm, |n| n.swarm_id);
        let view = NetworkView {
            revision,
            nodes,
            my_swarm,
            fetched_at_ms: now_ms(),
        };
        self.tx.send_if_modified(|current| {
            let changed = (current.revision, &current.nodes, current.my_swarm)
                != (view.revision, &view.nodes, view.my_swarm);
            *current = Arc::new(view);
            changed
        });
        Ok(())
    }

    async fn refresh_logged(&self, swarm: u64) {
        if let Err(e) = self.refresh_once(swarm).await {
            tracing::warn!(error = %e, "cannot refresh the network view");
        }
    }

    /// Registers and fetches the first view, retrying until the seed answers. `None` if
    /// shutdown came first.
    pub(crate) async fn join(&self, shutdown: &Shutdown) -> Option<u64> {
        let mut delay = RETRY_MIN;
        loop {
            let attempt = async {
                let swarm = self.register_once().await?;
                self.refresh_once(swarm).await?;
                Ok::<u64, SeedClientError>(swarm)
            };
            match attempt.await {
                Ok(swarm) => return Some(swarm),
                Err(e) => tracing::warn!(error = %e, "cannot join the network yet; retrying"),
            }
            tokio::select! {
                () = shutdown.wait() => return None,
                () = tokio::time::sleep(delay) => {}
            }
            delay = (delay * 2).min(RETRY_MAX);
        }
    }

    /// Re-registers every `register_every` and refreshes the view every `refresh_every` until
    /// shutdown.
    pub(crate) async fn maintain(
        self,
        mut swarm: u64,
        register_every: Duration,
        refresh_every: Duration,
        shutdown: Shutdown,
    ) {
        let mut register = tokio::time::interval(register_every);
        let mut refresh = tokio::time::interval(refresh_every);
        register.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        // Both fire at once on the first tick; the join just did that work.
        register.tick().await;
        refresh.tick().await;
        loop {
            tokio::select! {
                () = shutdown.wait() => return,
                _ = register.tick() => match self.register_once().await {
                    Ok(s) => swarm = s,
                    Err(e) => tracing::warn!(error = %e, "re-registration with the seed failed"),
                },
                _ = refresh.tick() => self.refresh_logged(swarm).await,
                () = self.refresh.notified() => {
                    self.refresh_logged(swarm).await;
                    refresh.reset();
                }
            }
        }
    }
}
