//! A whole network in one process: a seed and N nodes on loopback.
//!
//! Port layout for base port P (default 22000):
//!
//! | port | what |
//! |---|---|
//! | P | seed, plain HTTP: `POST /json_rpc`, `POST /register` (the printed seed URL) |
//! | P+1 | seed, HTTPS: the same endpoints |
//! | P+2 … P+9 | reserved |
//! | P+10+2i | node i, HTTPS storage port (`/storage_rpc/v1`, `/onion_req/v2`, `/ping_test/v1`) |
//! | P+11+2i | node i, reported OxenMQ port (nothing listens there) |
//!
//! Base port 0 gives every listener a free port chosen by the OS (tests use this); reported
//! OxenMQ ports are then 0.
//!
//! State lives under DIR (default `./devnet`): `DIR/seed/` (registry, certificate) and
//! `DIR/node-000/`, `DIR/node-001/`, … (identity, certificate, message database). Restarting with
//! the same DIR brings back the same nodes, swarms and messages. Rate limiting is off by default
//! (every client is 127.0.0.1).

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use tracing::Instrument;

use crate::node::{self, NodeConfig, NodeError, NodeHandle};
use crate::seed::{self, SeedConfig, SeedError, SeedHandle};
use crate::shutdown::{Shutdown, ShutdownTrigger};

/// Default first port.
pub const DEFAULT_BASE_PORT: u16 = 22000;
/// Default node count.
pub const DEFAULT_NODES: usize = 15;
/// Default swarm size.
pub const DEFAULT_SWARM_SIZE: usize = 5;
/// Offset of node 0's storage port from the base port.
pub const NODE_PORT_OFFSET: u16 = 10;

/// How long `start` waits for every node to see every other node.
const CONVERGE_TIMEOUT: Duration = Duration::from_secs(20);

/// Devnet settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevnetConfig {
    /// Number of nodes.
    pub nodes: usize,
    /// Nodes per swarm.
    pub swarm_size: usize,
    /// State directory.
    pub dir: PathBuf,
    /// First port (0: free ports chosen by the OS).
    pub base_port: u16,
    /// Per-client rate limiting on the nodes.
    pub rate_limit: bool,
    /// ONS names the seed answers: Session name → Session ID.
    pub ons: BTreeMap<String, String>,
}

impl Default for DevnetConfig {
    fn default() -> DevnetConfig {
        DevnetConfig {
            nodes: DEFAULT_NODES,
            swarm_size: DEFAULT_SWARM_SIZE,
            dir: PathBuf::from("devnet"),
            base_port: DEFAULT_BASE_PORT,
            rate_limit: false,
            ons: BTreeMap::new(),
        }
    }
}

/// Errors starting a devnet.
#[derive(Debug, thiserror::Error)]
pub enum DevnetError {
    /// The node count or ports do not fit.
    #[error("{0}")]
    Layout(String),
    /// The seed failed to start.
    #[error("the devnet seed failed to start: {0}")]
    Seed(#[from] SeedError),
    /// A node failed to start.
    #[error("devnet node {index} failed to start: {source}")]
    Node {
        /// Node index.
        index: usize,
        /// Why.
        source: NodeError,
    },
    /// A node task panicked or was cancelled.
    #[error("devnet node {index} was interrupted: {reason}")]
    Interrupted {
        /// Node index.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// Ports of one devnet member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
    /// Listening port (0 = chosen by the OS).
    pub listen: u16,
    /// Reported OxenMQ port (nodes only).
    pub lmq: u16,
}

impl DevnetConfig {
    /// Seed plain-HTTP and HTTPS ports.
    pub fn seed_ports(&self) -> (u16, u16) {
        if self.base_port == 0 {
            (0, 0)
        } else {
            (self.base_port, self.base_port.saturating_add(1))
        }
    }

    /// Ports of node `index`, or an error if they would pass 65535.
    pub fn node_ports(&self, index: usize) -> Result<Ports, DevnetError> {
        if self.base_port == 0 {
            return Ok(Ports { listen: 0, lmq: 0 });
        }
        let listen = u32::try_from(index)
            .ok()
            .and_then(|i| i.checked_mul(2))
            .and_then(|i| i.checked_add(u32::from(self.base_port) + u32::from(NODE_PORT_OFFSET)));
        let ports = listen.and_then(|listen| {
            Some(Ports {
                listen: u16::try_from(listen).ok()?,
                lmq: u16::try_from(listen + 1).ok()?,
            })
        });
        ports.ok_or_else(|| {
            DevnetError::Layout(format!(
                "{} nodes from base port {} would need ports above 65535; use a lower \
                 --base-port or fewer --nodes",
                self.nodes, self.base_port
            ))
        })
    }

    /// Data directory of node `index`.
    pub fn node_dir(&self, index: usize) -> PathBuf {
        self.dir.join(format!("node-{index:03}"))
    }

    /// Data directory of the seed.
    pub fn seed_dir(&self) -> PathBuf {
        self.dir.join("seed")
    }
}

/// A running devnet.
#[derive(Debug)]
pub struct Devnet {
    seed: SeedHandle,
    nodes: Vec<NodeHandle>,
    /// One stop switch per node (fired with the devnet's, or alone by [`Devnet::stop_node`]).
    stops: Vec<ShutdownTrigger>,
}

impl Devnet {
    /// The seed URL (`http://127.0.0.1:PORT`).
    pub fn seed_url(&self) -> String {
        self.seed.url()
    }

    /// The seed.
    pub fn seed(&self) -> &SeedHandle {
        &self.seed
    }

    /// The nodes, in index order.
    pub fn nodes(&self) -> &[NodeHandle] {
        &self.nodes
    }

    /// Stops node `index` alone (tests of failing nodes); the seed still lists it. Returns
    /// false when there is no such node.
    pub fn stop_node(&self, index: usize) -> bool {
        self.stops
            .get(index)
            .map(ShutdownTrigger::trigger)
            .is_some()
    }

    /// Waits for everything to stop (after shutdown).
    pub async fn join(self) {
        for node in self.nodes {
            node.join().await;
        }
        self.seed.join().await;
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port)
}

/// Starts the seed and every node; returns once all nodes have registered and each sees the
/// whole network.
pub async fn start(config: &DevnetConfig, shutdown: Shutdown) -> Result<Devnet, DevnetError> {
    if config.nodes == 0 {
        return Err(DevnetError::Layout(
            "a devnet needs at least one node".into(),
        ));
    }
    for i in 0..config.nodes {
        config.node_ports(i)?;
    }
    let (http_port, https_port) = config.seed_ports();
    let seed = seed::start(
        SeedConfig {
            data_dir: config.seed_dir(),
            listen: loopback(http_port),
            https_listen: Some(loopback(https_port)),
            swarm_size: config.swarm_size,
            ons: config.ons.clone(),
            ..SeedConfig::default()
        },
        shutdown.clone(),
    )
    .instrument(tracing::info_span!("seed"))
    .await?;
    let seed_url = seed.url();

    let mut starting = Vec::with_capacity(config.nodes);
    let mut stops = Vec::with_capacity(config.nodes);
    for index in 0..config.nodes {
        let (stop, node_shutdown) = crate::shutdown::channel();
        let (all, forward) = (shutdown.clone(), stop.clone());
        tokio::spawn(async move {
            all.wait().await;
            forward.trigger();
        });
        stops.push(stop);
        let ports = config.node_ports(index)?;
        let node_config = NodeConfig {
            data_dir: config.node_dir(index),
            listen: loopback(ports.listen),
            public_ip: None,
            lmq_port: Some(ports.lmq),
            seed_url: seed_url.clone(),
            plain_http: false,
            rate_limit: config.rate_limit,
            ..NodeConfig::default()
        };
        starting.push(tokio::spawn(
            node::start(node_config, node_shutdown).instrument(tracing::info_span!("node", index)),
        ));
    }
    let mut nodes = Vec::with_capacity(config.nodes);
    for (index, task) in starting.into_iter().enumerate() {
        let node = task
            .await
            .map_err(|e| DevnetError::Interrupted {
                index,
                reason: e.to_string(),
            })?
            .map_err(|source| DevnetError::Node { index, source })?;
        nodes.push(node);
    }
    converge(&nodes, &shutdown).await;
    tracing::info!(nodes = nodes.len(), "devnet is up");
    Ok(Devnet { seed, nodes, stops })
}

/// Has every node refresh its view until it lists every node (bounded by a timeout: a node
/// that keeps a partial view still works and catches up at its next scheduled refresh).
async fn converge(nodes: &[NodeHandle], shutdown: &Shutdown) {
    let want = nodes.len();
    let deadline = tokio::time::Instant::now() + CONVERGE_TIMEOUT;
    for node in nodes {
        let network = &node.context().network;
        let mut changes = network.subscribe();
        network.request_refresh();
        loop {
            if changes.borrow_and_update().nodes.len() >= want || shutdown.is_triggered() {
                break;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) | Err(_) => {
                    tracing::warn!("a devnet node has not seen the whole network yet");
                    break;
                }
            }
        }
    }
}

/// Whether `dir` looks like a devnet state directory from an earlier run.
pub fn has_state(dir: &Path) -> bool {
    dir.join("seed").join(seed::REGISTRY_FILE).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_layout_matches_the_docs() {
        let cfg = DevnetConfig::default();
        assert_eq!(cfg.seed_ports(), (22000, 22001));
        assert_eq!(
            cfg.node_ports(0).unwrap(),
            Ports {
                listen: 22010,
                lmq: 22011
            }
        );
        assert_eq!(
            cfg.node_ports(14).unwrap(),
            Ports {
                listen: 22038,
                lmq: 22039
            }
        );
        let high = DevnetConfig {
            base_port: 65500,
            ..DevnetConfig::default()
        };
        assert!(high.node_ports(12).unwrap().lmq == 65535);
        assert!(matches!(high.node_ports(13), Err(DevnetError::Layout(_))));
        let free = DevnetConfig {
            base_port: 0,
            ..DevnetConfig::default()
        };
        assert_eq!(free.node_ports(3).unwrap(), Ports { listen: 0, lmq: 0 });
    }
}
