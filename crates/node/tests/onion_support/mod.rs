//! Shared helpers for the onion-request tests: an in-process devnet on free loopback ports,
//! path hops from its nodes, and posting to `/onion_req/v2`.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses a subset; tests may unwrap

use std::collections::BTreeMap;
use std::time::Duration;

use axum::body::Bytes;
use session_node::devnet::{self, Devnet, DevnetConfig};
use session_node::node::{self, NodeConfig, NodeHandle};
use session_node::shutdown::{self, ShutdownTrigger};
use session_protocol::onion::PathHop;
use tempfile::TempDir;

/// A running devnet that stops when dropped.
pub struct Net {
    pub devnet: Option<Devnet>,
    trigger: ShutdownTrigger,
    pub dir: TempDir,
}

impl Net {
    pub fn nodes(&self) -> &[NodeHandle] {
        self.devnet.as_ref().unwrap().nodes()
    }

    pub fn seed_url(&self) -> String {
        self.devnet.as_ref().unwrap().seed_url()
    }

    /// Stops everything and waits for it.
    pub async fn stop(mut self) {
        self.trigger.trigger();
        if let Some(net) = self.devnet.take() {
            tokio::time::timeout(Duration::from_secs(15), net.join())
                .await
                .unwrap();
        }
    }
}

impl Drop for Net {
    fn drop(&mut self) {
        self.trigger.trigger();
    }
}

/// `nodes` nodes in swarms of `swarm_size` (a swarm size ≥ nodes puts every node in one swarm,
/// so any node is a valid destination for any account).
pub async fn start(nodes: usize, swarm_size: usize) -> Net {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DevnetConfig {
        nodes,
        swarm_size,
        dir: dir.path().to_path_buf(),
        base_port: 0,
        rate_limit: false,
        ons: BTreeMap::new(),
    };
    let (trigger, stop) = shutdown::channel();
    let devnet = devnet::start(&cfg, stop).await.unwrap();
    Net {
        devnet: Some(devnet),
        trigger,
        dir,
    }
}

/// One more node joining `net`'s seed with its own shutdown trigger and settings, and every
/// devnet node refreshed until it sees the newcomer.
pub async fn extra_node(
    net: &Net,
    tweak: impl FnOnce(&mut NodeConfig),
) -> (NodeHandle, ShutdownTrigger) {
    let mut config = NodeConfig {
        data_dir: net.dir.path().join("extra"),
        listen: "127.0.0.1:0".parse().unwrap(),
        seed_url: net.seed_url(),
        rate_limit: false,
        ..NodeConfig::default()
    };
    tweak(&mut config);
    let (trigger, stop) = shutdown::channel();
    let extra = node::start(config, stop).await.unwrap();
    let ed = extra.ed25519_public();
    for node in net.nodes() {
        let network = &node.context().network;
        tokio::time::timeout(Duration::from_secs(10), async {
            while network.view().node(&ed).is_none() {
                network.request_refresh();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await
        .unwrap();
    }
    (extra, trigger)
}

/// The path hop (keys) of a node.
pub fn hop(node: &NodeHandle) -> PathHop {
    let identity = &node.context().identity;
    PathHop {
        ed25519: identity.ed25519_public(),
        x25519: x25519_dalek::PublicKey::from(identity.x25519_public()),
    }
}

/// A client like Session's: accepts the nodes' self-signed certificates.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// POSTs an onion request body to `node`; returns status and body.
pub async fn post_onion(http: &reqwest::Client, node: &NodeHandle, body: Vec<u8>) -> (u16, Bytes) {
    let response = http
        .post(format!("{}/onion_req/v2", node.url()))
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap())
}

/// A body as text, for assertion messages.
pub fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}
