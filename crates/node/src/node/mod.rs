//! The service-node daemon: identity, message store, HTTPS listener, membership in the network
//! (registration with the seed and a periodically refreshed view), and the expiry sweeper.
//!
//! Startup: load (or create) the identity, open the store, bind the listener (learning the real
//! port), start serving (answering 503 "Snode not ready" until joined), register with the seed
//! and fetch the node list (retrying until the seed answers), then mark the node ready.

pub mod config;
pub mod http;
pub mod network;
pub mod onion;
pub mod peer;
pub mod peer_auth;
pub mod rate_limit;
pub mod rpc;
pub mod sync;

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinHandle;
use tracing::Instrument;

use crate::identity::{IdentityError, NodeIdentity};
use crate::server::{self, Transport};
use crate::shutdown::Shutdown;
use crate::store::{Store, StoreError};
use crate::time::now_ms;
use crate::tls::{TlsError, TlsIdentity};
pub use config::{ConfigError, NodeConfig};
use network::{Announcement, Membership, NetworkState, SeedClient};
use rate_limit::RateLimiter;

/// Message database file name inside a node's data directory.
pub const STORE_FILE: &str = "messages.sqlite";

/// Timeout for node→seed and node→node HTTP requests.
pub const PEER_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors starting a node.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The configuration is invalid.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The identity could not be loaded.
    #[error(transparent)]
    Identity(#[from] IdentityError),
    /// The message store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The listener could not be bound.
    #[error("the node cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot set up the node's HTTP client: {0}")]
    HttpClient(#[from] reqwest::Error),
    /// Shutdown was requested before the node joined the network.
    #[error("the node was stopped before it joined the network")]
    Cancelled,
    /// A startup task was interrupted.
    #[error("node startup was interrupted: {0}")]
    Interrupted(String),
}

/// Everything a request handler needs; shared by all of a node's tasks.
#[derive(Debug)]
pub struct NodeContext {
    /// The node's keys.
    pub identity: Arc<NodeIdentity>,
    /// The message store.
    pub store: Store,
    /// The network as last seen.
    pub network: NetworkState,
    /// Settings.
    pub config: NodeConfig,
    /// Client for requests to other nodes and to the seed.
    pub http: reqwest::Client,
    /// Per-client rate limiter, if enabled.
    pub rate_limiter: Option<RateLimiter>,
    /// Storage-RPC state (revocation lists, swarm peer senders, RPC clock).
    pub rpc: rpc::RpcState,
    /// Onion-request state (layer key, client for external servers).
    pub onion: onion::OnionRelay,
    ready: AtomicBool,
}

impl NodeContext {
    /// Whether the node has joined the network and serves requests.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }
}

/// A running node.
#[derive(Debug)]
pub struct NodeHandle {
    ctx: Arc<NodeContext>,
    addr: SocketAddr,
    swarm_id: u64,
    tasks: Vec<JoinHandle<()>>,
    server: JoinHandle<io::Result<()>>,
}

impl NodeHandle {
    /// The shared context (store, identity, network view).
    pub fn context(&self) -> &Arc<NodeContext> {
        &self.ctx
    }

    /// The bound listen address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The node's base URL (`https://IP:PORT`, or `http://` with `plain_http`).
    pub fn url(&self) -> String {
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            ip => ip,
        };
        let scheme = if self.ctx.config.plain_http {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}", SocketAddr::new(ip, self.addr.port()))
    }

    /// The swarm the seed placed this node in.
    pub fn swarm_id(&self) -> u64 {
        self.swarm_id
    }

    /// Ed25519 public key.
    pub fn ed25519_public(&self) -> [u8; 32] {
        self.ctx.identity.ed25519_public()
    }

    /// Waits for every task to finish (after shutdown).
    pub async fn join(self) {
        for task in self.tasks {
            let _ = task.await;
        }
        match self.server.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the node's listener failed"),
            Err(e) => tracing::warn!(error = %e, "the node's listener task failed"),
        }
    }
}

fn interrupted(e: &tokio::task::JoinError) -> NodeError {
    NodeError::Interrupted(e.to_string())
}

/// Starts a node and returns once it has joined the network (or fails, or `shutdown` fires
/// first: [`NodeError::Cancelled`]).
pub async fn start(config: NodeConfig, shutdown: Shutdown) -> Result<NodeHandle, NodeError> {
    config.validate()?;
    let public_ip = config.announced_ip()?;
    let span = tracing::Span::current();
    let dir = config.data_dir.clone();
    let in_span = span.clone();
    let identity = tokio::task::spawn_blocking(move || {
        in_span.in_scope(|| NodeIdentity::load_or_create(&dir))
    })
    .await
    .map_err(|e| interrupted(&e))??;
    let identity = Arc::new(identity);
    let store = Store::open_async(config.data_dir.join(STORE_FILE)).await?;

    let listener = server::bind(config.listen).map_err(|source| NodeError::Bind {
        addr: config.listen,
        source,
    })?;
    let addr = listener.local_addr().map_err(|source| NodeError::Bind {
        addr: config.listen,
        source,
    })?;
    let transport = if config.plain_http {
        tracing::warn!("serving plain HTTP: for debugging only, Session clients need HTTPS");
        Transport::PlainHttp
    } else {
        let dir = config.data_dir.clone();
        let names = vec!["localhost".to_string(), public_ip.to_string()];
        let in_span = span.clone();
        let tls = tokio::task::spawn_blocking(move || {
            in_span.in_scope(|| TlsIdentity::load_or_create(&dir, &names))
        })
        .await
        .map_err(|e| interrupted(&e))??;
        Transport::Https(tls.server_config()?)
    };

    let http = server::http_client(PEER_REQUEST_TIMEOUT)?;
    let (membership, network) = Membership::new(
        identity.clone(),
        SeedClient::new(&config.seed_url, http.clone()),
        Announcement {
            ip: public_ip,
            storage_port: addr.port(),
            lmq_port: config.lmq_port.unwrap_or(0),
        },
    );
    let onion = onion::OnionRelay::new(&identity)?;
    let rpc = rpc::RpcState::open_async(
        config.data_dir.clone(),
        identity.clone(),
        http.clone(),
        config.plain_http,
    )
    .await?;
    let ctx = Arc::new(NodeContext {
        rpc,
        identity,
        store,
        network,
        rate_limiter: config.rate_limit.then(RateLimiter::new),
        onion,
        config,
        http,
        ready: AtomicBool::new(false),
    });
    let server = server::spawn(
        listener,
        transport,
        http::router(ctx.clone()),
        shutdown.clone(),
    );
    // Background tasks log inside the caller's span (the devnet's `node{index}`).
    let mut tasks = vec![tokio::spawn(
        sweep_expired(ctx.clone(), shutdown.clone()).instrument(span.clone()),
    )];
    if ctx.rate_limiter.is_some() {
        tasks.push(tokio::spawn(
            clean_rate_limiter(ctx.clone(), shutdown.clone()).instrument(span.clone()),
        ));
    }

    let Some(swarm_id) = membership.join(&shutdown).await else {
        for task in tasks {
            let _ = task.await;
        }
        let _ = server.await;
        return Err(NodeError::Cancelled);
    };
    ctx.ready.store(true, Ordering::Release);
    tracing::info!(
        swarm = format_args!("{swarm_id:x}"),
        port = addr.port(),
        "node joined the network"
    );
    tasks.push(tokio::spawn(
        sync::run(ctx.clone(), shutdown.clone()).instrument(span.clone()),
    ));
    tasks.push(tokio::spawn(
        membership
            .maintain(
                swarm_id,
                ctx.config.register_interval(),
                ctx.config.refresh_interval(),
                shutdown,
            )
            .instrument(span),
    ));
    Ok(NodeHandle {
        ctx,
        addr,
        swarm_id,
        tasks,
        server,
    })
}

/// Deletes expired messages every `sweep_interval` (10 s by default).
async fn sweep_expired(ctx: Arc<NodeContext>, shutdown: Shutdown) {
    let mut tick = tokio::time::interval(ctx.config.sweep_interval());
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = shutdown.wait() => return,
            _ = tick.tick() => match ctx.store.sweep_expired(now_ms()).await {
                Ok(0) => {}
                Ok(n) => tracing::debug!(count = n, "swept expired messages"),
                Err(e) => tracing::warn!(error = %e, "sweeping expired messages failed"),
            },
        }
    }
}

/// Drops refilled rate-limit buckets every 10 s, as session-storage-server does.
async fn clean_rate_limiter(ctx: Arc<NodeContext>, shutdown: Shutdown) {
    let mut tick = tokio::time::interval(Duration::from_secs(10));
    loop {
        tokio::select! {
            () = shutdown.wait() => return,
            _ = tick.tick() => {
                if let Some(limiter) = &ctx.rate_limiter {
                    limiter.clean(Instant::now());
                }
            }
        }
    }
}
