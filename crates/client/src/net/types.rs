//! Public types of the network layer: configuration, requests, results, status and errors.

use std::fmt;
use std::time::Duration;

use session_protocol::identity::{Keypair, SessionId};
use session_protocol::rpc::Namespace;

use crate::store::SnodeRecord;
use crate::store::StoreError;

/// How the client reaches the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkConfig {
    /// Seed URLs; `POST {url}/json_rpc` `get_n_service_nodes` lists the service nodes.
    pub seed_urls: Vec<String>,
    /// Onion paths kept ready (Session uses 2).
    pub path_count: usize,
    /// Service nodes per path (Session uses 3).
    pub hops: usize,
    /// Time allowed for one onion request (all hops and the answer).
    pub request_timeout: Duration,
    /// Age after which the pool is fetched again.
    pub pool_refresh: Duration,
}

impl NetworkConfig {
    /// A local devnet reached through its seed at `seed_url` (e.g. `http://127.0.0.1:22000`).
    pub fn devnet(seed_url: &str) -> Self {
        NetworkConfig {
            seed_urls: vec![seed_url.to_owned()],
            path_count: 2,
            hops: 3,
            request_timeout: Duration::from_secs(10),
            pool_refresh: Duration::from_secs(3600),
        }
    }

    /// The public Session network (the seeds Session desktop asks).
    pub fn session_mainnet() -> Self {
        NetworkConfig {
            seed_urls: vec![
                "https://seed1.getsession.org:4443".to_owned(),
                "https://seed2.getsession.org:4443".to_owned(),
                "https://seed3.getsession.org:4443".to_owned(),
            ],
            path_count: 2,
            hops: 3,
            request_timeout: Duration::from_secs(15),
            pool_refresh: Duration::from_secs(3600),
        }
    }
}

/// A service node: identity keys and HTTPS address.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SnodeInfo {
    /// Ed25519 key (identity; how relays name the node).
    pub ed25519: [u8; 32],
    /// X25519 key (onion layers are encrypted to it).
    pub x25519: [u8; 32],
    /// IP address as text.
    pub ip: String,
    /// HTTPS storage port.
    pub port: u16,
}

impl SnodeInfo {
    /// The Ed25519 key in hex.
    pub fn ed25519_hex(&self) -> String {
        hex::encode(self.ed25519)
    }

    /// `ip:port`.
    pub fn address(&self) -> String {
        if self.ip.contains(':') {
            format!("[{}]:{}", self.ip, self.port)
        } else {
            format!("{}:{}", self.ip, self.port)
        }
    }

    /// A cache row (the swarm id is not known here).
    pub(crate) fn to_record(&self) -> Option<SnodeRecord> {
        Some(SnodeRecord {
            ed25519: self.ed25519,
            x25519: self.x25519,
            ip: self.ip.parse().ok()?,
            port: self.port,
            swarm_id: None,
        })
    }

    /// From a cache row.
    pub(crate) fn from_record(record: &SnodeRecord) -> SnodeInfo {
        SnodeInfo {
            ed25519: record.ed25519,
            x25519: record.x25519,
            ip: record.ip.to_string(),
            port: record.port,
        }
    }
}

/// A message to store in someone's swarm.
#[derive(Clone, Debug)]
pub struct StoreRequest {
    /// Whose swarm (for a signed store: the signer's own account).
    pub recipient: SessionId,
    /// Target namespace (0 for 1:1 messages).
    pub namespace: Namespace,
    /// The message, base64.
    pub data_b64: String,
    /// Time to live.
    pub ttl_ms: i64,
    /// Store timestamp (network time, ms); replaced by corrected network time after a clock
    /// rejection.
    pub timestamp_ms: i64,
    /// Signs the store (own namespaces); `None` for an unsigned store to a public inbox.
    pub signer: Option<Keypair>,
}

/// The swarm accepted a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoreAck {
    /// The message hash the node computed.
    pub hash: String,
}

/// One message from a `retrieve`.
#[derive(Clone, PartialEq, Eq)]
pub struct RetrievedMessage {
    /// Message hash (the next `last_hash`).
    pub hash: String,
    /// The stored bytes (base64-decoded).
    pub data: Vec<u8>,
    /// When it was stored (ms).
    pub timestamp_ms: i64,
    /// When the node drops it (ms).
    pub expires_at_ms: i64,
}

impl fmt::Debug for RetrievedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RetrievedMessage")
            .field("hash", &self.hash)
            .field("data_len", &self.data.len())
            .field("timestamp_ms", &self.timestamp_ms)
            .field("expires_at_ms", &self.expires_at_ms)
            .finish()
    }
}

/// A page of retrieved messages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RetrieveResult {
    /// Messages after `last_hash`, oldest first.
    pub messages: Vec<RetrievedMessage>,
    /// More messages are waiting (retrieve again with the last hash).
    pub more: bool,
}

/// The TTL refresh sent with a [`super::Network::poll_batch`]: an `expire` of `hashes` to
/// `expiry_ms` (network time), e.g. the current config messages to now + 30 days.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpireRefresh {
    /// Hashes whose expiry is set; nothing is sent when empty.
    pub hashes: Vec<String>,
    /// The new expiry (ms).
    pub expiry_ms: u64,
}

/// One signed store of a [`super::Network::store_sequence`] into the signer's own account.
#[derive(Clone, PartialEq, Eq)]
pub struct SequenceStore {
    /// Target namespace (2 to 5 for the user configs).
    pub namespace: Namespace,
    /// The message bytes.
    pub data: Vec<u8>,
    /// Time to live (ms).
    pub ttl_ms: u64,
}

impl fmt::Debug for SequenceStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SequenceStore")
            .field("namespace", &self.namespace)
            .field("data_len", &self.data.len())
            .field("ttl_ms", &self.ttl_ms)
            .finish()
    }
}

/// A [`super::Network::store_sequence`] that ran to its end.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SequenceOutcome {
    /// The hash of each store, in order, each signed by a swarm member.
    pub hashes: Vec<String>,
    /// The delete ran and a swarm member signed its result (false when there was none).
    pub deleted: bool,
}

/// The state of one onion path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathState {
    /// Being built and tested for the first time.
    Building,
    /// Tested and in use.
    Healthy,
    /// A hop failed; a replacement is being built.
    Rebuilding,
}

/// One onion path as shown to the user.
#[derive(Clone, Debug, PartialEq)]
pub struct PathInfo {
    /// Guard first.
    pub hops: Vec<SnodeInfo>,
    /// Its state.
    pub state: PathState,
}

/// What the network layer is doing, for the UI.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkStatus {
    /// Service nodes known.
    pub pool_size: usize,
    /// The onion paths.
    pub paths: Vec<PathInfo>,
    /// The swarm of the account last polled.
    pub own_swarm: Vec<SnodeInfo>,
    /// Network time minus local clock (ms).
    pub clock_offset_ms: i64,
    /// At least one path is healthy.
    pub online: bool,
}

/// Errors of the network layer.
#[derive(Debug, thiserror::Error)]
pub enum NetError {
    /// No seed answered and no pool is cached.
    #[error("cannot reach the network: no seed node answered ({detail})")]
    Bootstrap {
        /// What went wrong (no addresses).
        detail: String,
    },
    /// Too few service nodes to build paths.
    #[error("the network lists {have} usable service nodes; at least {need} are needed")]
    PoolTooSmall {
        /// Nodes known.
        have: usize,
        /// Nodes needed.
        need: usize,
    },
    /// No onion path could be built or every path failed.
    #[error("no working onion path; check the internet connection")]
    NoPath,
    /// A relay on the path failed (the path is being rebuilt).
    #[error("the onion path failed: {detail}")]
    PathFailed {
        /// Classification, without keys or addresses.
        detail: String,
    },
    /// The destination node did not answer (through two paths) or is gone.
    #[error("the storage node did not answer")]
    NodeFailed,
    /// The node is not in the account's swarm (421); the cache was updated.
    #[error("the storage node is not in the account's swarm any more; try again")]
    WrongSwarm,
    /// The node rejected the request time even after adopting its clock.
    #[error("the storage node rejected the request time; check the computer's clock")]
    ClockOutOfSync,
    /// The node answered an error for the request itself.
    #[error("the storage node refused the request (HTTP {status}): {text}")]
    Rejected {
        /// HTTP status of the RPC.
        status: u16,
        /// The node's error text (cut short).
        text: String,
    },
    /// A `sequence` stopped at a step that failed; the steps after it were not run (the ones
    /// before it were, and may be sent again: stores and deletes are idempotent).
    #[error("the storage node stopped the update at step {step} of {total} ({what}): {cause}")]
    SequenceStopped {
        /// The failed step, from 1.
        step: usize,
        /// Steps in the sequence.
        total: usize,
        /// What the step was, e.g. "store into namespace 3".
        what: String,
        /// Why it failed.
        cause: Box<NetError>,
    },
    /// The request could not be built (bad input).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// A node answered something that is not the expected format.
    #[error("a storage node answered in an unexpected format: {0}")]
    BadResponse(String),
    /// The local database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl NetError {
    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        match self {
            NetError::Bootstrap { .. }
            | NetError::PoolTooSmall { .. }
            | NetError::NoPath
            | NetError::PathFailed { .. }
            | NetError::NodeFailed
            | NetError::WrongSwarm
            | NetError::ClockOutOfSync
            | NetError::BadResponse(_) => true,
            NetError::Rejected { status, .. } => *status >= 500 || *status == 429,
            NetError::SequenceStopped { cause, .. } => cause.is_retryable(),
            NetError::InvalidRequest(_) | NetError::Store(_) => false,
        }
    }
}
