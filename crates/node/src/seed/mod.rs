//! The seed: the registry that nodes join with a signed registration, that assigns them to
//! swarms, and that clients bootstrap from.
//!
//! Endpoints (on a plain-HTTP listener, as oxend's RPC port, and on an HTTPS listener, as
//! Session's public seeds):
//! * `POST /json_rpc` — oxend JSON-RPC: `get_service_nodes`/`get_n_service_nodes`,
//!   `ons_resolve` (see [`json_rpc`]).
//! * `POST /register` — a node's signed registration (see [`registration`]); answers
//!   `{"swarm_id": <u64>, "swarm": "<hex>", "new_node": <bool>, "revision": <u64>}`, or an error
//!   status with a plain-text reason: 400 malformed, 401 bad signature, 406 clock skew,
//!   409 stale.
//!
//! State lives in `data_dir`: `registry.json` and the TLS certificate.

pub mod json_rpc;
pub mod ons;
pub mod registration;
pub mod registry;

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use tokio::task::JoinHandle;

use crate::server::{self, Transport};
use crate::shutdown::Shutdown;
use crate::time::now_ms;
use crate::tls::{TlsError, TlsIdentity};
use ons::{OnsConfigError, OnsTable};
use registration::{Registration, RegistrationError};
use registry::{Registry, RegistryError};

/// Registry file name inside the seed's data directory.
pub const REGISTRY_FILE: &str = "registry.json";

/// Seed settings (the `[seed]` part of a config file; every field has a default).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeedConfig {
    /// Where the registry and certificate live.
    pub data_dir: PathBuf,
    /// Plain-HTTP listener (oxend RPC style). Port 0 picks a free port.
    pub listen: SocketAddr,
    /// HTTPS listener (Session public-seed style), if any.
    pub https_listen: Option<SocketAddr>,
    /// Nodes per swarm before a new swarm is started.
    pub swarm_size: usize,
    /// A node silent this long (seconds) is listed as inactive.
    pub inactive_after_secs: u64,
    /// Extra certificate names (host names or IPs) besides `localhost` and the listen IPs.
    pub tls_names: Vec<String>,
    /// ONS names: Session name → Session ID (66 hex).
    pub ons: BTreeMap<String, String>,
}

impl Default for SeedConfig {
    fn default() -> SeedConfig {
        SeedConfig {
            data_dir: PathBuf::from("seed"),
            // oxend's public RPC port and Session's public-seed HTTPS port.
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 22023),
            https_listen: Some(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 4443)),
            swarm_size: session_protocol::swarm::MIN_SWARM_SIZE,
            inactive_after_secs: 300,
            tls_names: Vec::new(),
            ons: BTreeMap::new(),
        }
    }
}

/// Errors starting a seed.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The registry could not be loaded.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The ONS names in the config are invalid.
    #[error(transparent)]
    Ons(#[from] OnsConfigError),
    /// TLS could not be set up.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// A listener could not be bound.
    #[error("the seed cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: io::Error,
    },
    /// A startup task was interrupted.
    #[error("seed startup was interrupted: {0}")]
    Interrupted(String),
}

/// A running seed.
#[derive(Debug)]
pub struct SeedHandle {
    http_addr: SocketAddr,
    https_addr: Option<SocketAddr>,
    registry: Arc<Registry>,
    tasks: Vec<JoinHandle<io::Result<()>>>,
}

struct SeedState {
    registry: Arc<Registry>,
    ons: OnsTable,
}

fn reachable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

impl SeedHandle {
    /// The plain-HTTP listener's bound address.
    pub fn http_addr(&self) -> SocketAddr {
        self.http_addr
    }

    /// The HTTPS listener's bound address, if any.
    pub fn https_addr(&self) -> Option<SocketAddr> {
        self.https_addr
    }

    /// The seed URL clients and nodes use: `http://IP:PORT` (loopback for a wildcard listener).
    pub fn url(&self) -> String {
        format!("http://{}", reachable(self.http_addr))
    }

    /// The HTTPS seed URL, if the HTTPS listener is on.
    pub fn https_url(&self) -> Option<String> {
        self.https_addr.map(|a| format!("https://{}", reachable(a)))
    }

    /// The registry (for tests and the devnet's readiness check).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Waits for the listeners to stop (after shutdown).
    pub async fn join(self) {
        for task in self.tasks {
            match task.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "a seed listener failed"),
                Err(e) => tracing::warn!(error = %e, "a seed listener task failed"),
            }
        }
    }
}

/// Starts a seed: loads the registry, binds the listeners and serves until `shutdown`.
pub async fn start(config: SeedConfig, shutdown: Shutdown) -> Result<SeedHandle, SeedError> {
    let registry_path = config.data_dir.join(REGISTRY_FILE);
    let swarm_size = config.swarm_size;
    let inactive_ms =
        i64::try_from(config.inactive_after_secs.saturating_mul(1000)).unwrap_or(i64::MAX);
    let registry = tokio::task::spawn_blocking(move || {
        Registry::open(&registry_path, swarm_size, inactive_ms, now_ms())
    })
    .await
    .map_err(|e| SeedError::Interrupted(e.to_string()))??;
    let registry = Arc::new(registry);
    let ons = OnsTable::from_config(&config.ons)?;
    let state = Arc::new(SeedState {
        registry: registry.clone(),
        ons,
    });
    let router = Router::new()
        .route("/json_rpc", post(json_rpc_handler))
        .route("/register", post(register_handler))
        .with_state(state);

    let bind =
        |addr: SocketAddr| server::bind(addr).map_err(|source| SeedError::Bind { addr, source });
    let http = bind(config.listen)?;
    let http_addr = http.local_addr().map_err(|source| SeedError::Bind {
        addr: config.listen,
        source,
    })?;
    let mut tasks = vec![server::spawn(
        http,
        Transport::PlainHttp,
        router.clone(),
        shutdown.clone(),
    )];
    let mut https_addr = None;
    if let Some(addr) = config.https_listen {
        let mut names = vec!["localhost".to_string()];
        names.extend(
            [config.listen.ip(), addr.ip()]
                .iter()
                .filter(|ip| !ip.is_unspecified())
                .map(ToString::to_string),
        );
        names.extend(config.tls_names.iter().cloned());
        names.dedup();
        let dir = config.data_dir.clone();
        let tls = tokio::task::spawn_blocking(move || TlsIdentity::load_or_create(&dir, &names))
            .await
            .map_err(|e| SeedError::Interrupted(e.to_string()))??;
        let listener = bind(addr)?;
        https_addr = Some(
            listener
                .local_addr()
                .map_err(|source| SeedError::Bind { addr, source })?,
        );
        tasks.push(server::spawn(
            listener,
            Transport::Https(tls.server_config()?),
            router,
            shutdown,
        ));
    }
    tracing::info!(
        nodes = registry.snapshot(now_ms()).nodes.len(),
        "seed listening"
    );
    Ok(SeedHandle {
        http_addr,
        https_addr,
        registry,
        tasks,
    })
}

async fn json_rpc_handler(
    State(state): State<Arc<SeedState>>,
    body: Bytes,
) -> Json<serde_json::Value> {
    let registry = state.registry.clone();
    Json(json_rpc::handle(
        &body,
        || registry.snapshot(now_ms()),
        &state.ons,
    ))
}

/// The seed's answer to a registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterResponse {
    /// The node's swarm id.
    pub swarm_id: u64,
    /// The same in hex.
    pub swarm: String,
    /// Whether this was the node's first registration.
    pub new_node: bool,
    /// Registry revision after the registration.
    pub revision: u64,
}

async fn register_handler(State(state): State<Arc<SeedState>>, body: Bytes) -> Response {
    let reg: Registration = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("invalid registration: {e}"),
            )
                .into_response()
        }
    };
    let verified = match reg.verify(now_ms()) {
        Ok(v) => v,
        Err(e) => return refusal(&e),
    };
    let registry = state.registry.clone();
    let outcome = tokio::task::spawn_blocking(move || registry.register(&verified, now_ms())).await;
    match outcome {
        Ok(Ok(out)) => {
            if out.new_node {
                tracing::info!(
                    swarm = format_args!("{:x}", out.swarm_id),
                    "a new node joined"
                );
            }
            tracing::debug!(node = %reg.pubkey_ed25519, swarm = out.swarm_id, "registration accepted");
            Json(RegisterResponse {
                swarm_id: out.swarm_id,
                swarm: format!("{:x}", out.swarm_id),
                new_node: out.new_node,
                revision: out.revision,
            })
            .into_response()
        }
        Ok(Err(RegistryError::Refused(e))) => refusal(&e),
        Ok(Err(e)) => {
            tracing::error!(error = %e, "cannot record a registration");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the seed cannot save its registry",
            )
                .into_response()
        }
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

fn refusal(e: &RegistrationError) -> Response {
    let status = match e {
        RegistrationError::BadSignature => StatusCode::UNAUTHORIZED,
        RegistrationError::ClockSkew { .. } => StatusCode::NOT_ACCEPTABLE,
        RegistrationError::Stale => StatusCode::CONFLICT,
        _ => StatusCode::BAD_REQUEST,
    };
    tracing::debug!(error = %e, "registration refused");
    (status, e.to_string()).into_response()
}
