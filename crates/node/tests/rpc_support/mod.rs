//! Helpers for the storage-RPC tests (`tests/rpc_*.rs`): an in-process devnet on free ports,
//! requests sent like a client, and accounts that land in a chosen swarm.

#![allow(dead_code)] // each test file uses a different subset
#![allow(clippy::unwrap_used)] // tests may unwrap

use std::collections::BTreeMap;
use std::time::Duration;

use rand::RngCore;
use serde_json::Value;
use session_node::devnet::{self, Devnet, DevnetConfig};
use session_node::node::NodeHandle;
use session_node::shutdown::{self, ShutdownTrigger};
use session_protocol::identity::Keypair;
use session_protocol::rpc::{AccountPubkey, Request};
use tempfile::TempDir;

/// A running devnet with its directory and stop switch.
pub struct Net {
    /// The devnet.
    pub net: Devnet,
    /// Stops it.
    pub trigger: ShutdownTrigger,
    /// Its state directory.
    pub dir: TempDir,
    /// HTTPS client accepting self-signed certificates.
    pub http: reqwest::Client,
}

/// An HTTPS client like Session desktop's (self-signed certificates accepted).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// Starts `nodes` nodes in swarms of `swarm_size` on free loopback ports.
pub async fn start(nodes: usize, swarm_size: usize) -> Net {
    start_with(nodes, swarm_size, BTreeMap::new()).await
}

/// [`start`] with ONS names.
pub async fn start_with(nodes: usize, swarm_size: usize, ons: BTreeMap<String, String>) -> Net {
    let dir = tempfile::tempdir().unwrap();
    let cfg = DevnetConfig {
        nodes,
        swarm_size,
        dir: dir.path().to_path_buf(),
        base_port: 0,
        rate_limit: false,
        ons,
    };
    let (trigger, stop) = shutdown::channel();
    let net = devnet::start(&cfg, stop).await.unwrap();
    Net {
        net,
        trigger,
        dir,
        http: client(),
    }
}

impl Net {
    /// Stops the devnet and waits for it.
    pub async fn stop(self) {
        self.trigger.trigger();
        let _ = tokio::time::timeout(Duration::from_secs(15), self.net.join()).await;
    }

    /// The nodes.
    pub fn nodes(&self) -> &[NodeHandle] {
        self.net.nodes()
    }

    /// The members of a swarm.
    pub fn members(&self, swarm: u64) -> Vec<&NodeHandle> {
        self.nodes()
            .iter()
            .filter(|n| n.swarm_id() == swarm)
            .collect()
    }

    /// The swarm an account belongs to, as node 0 sees the network.
    pub fn swarm_of(&self, account: &AccountPubkey) -> u64 {
        self.nodes()[0]
            .context()
            .network
            .view()
            .swarm_for_key(account.key())
            .unwrap()
    }

    /// A node of the account's swarm, and one of another swarm (if there is one).
    pub fn home_and_away(&self, account: &AccountPubkey) -> (&NodeHandle, Option<&NodeHandle>) {
        let swarm = self.swarm_of(account);
        let home = self.nodes().iter().find(|n| n.swarm_id() == swarm).unwrap();
        let away = self.nodes().iter().find(|n| n.swarm_id() != swarm);
        (home, away)
    }

    /// Sends a request to `node`; returns the status and the body (JSON, or the text as a JSON
    /// string).
    pub async fn rpc(&self, node: &NodeHandle, request: &Request) -> (u16, Value) {
        self.raw(node, request.to_body()).await
    }

    /// Sends a raw body to `node`'s `/storage_rpc/v1`.
    pub async fn raw(&self, node: &NodeHandle, body: Vec<u8>) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/storage_rpc/v1", node.url()))
            .body(body)
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        (status, body)
    }
}

/// Wall clock in ms.
pub fn now_ms() -> u64 {
    u64::try_from(session_node::time::now_ms()).unwrap()
}

/// A random user keypair.
pub fn keypair() -> Keypair {
    let mut seed = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut seed);
    Keypair::from_seed32(&seed)
}

/// The `05` account of a keypair.
pub fn account(kp: &Keypair) -> AccountPubkey {
    AccountPubkey::from(&kp.session_id())
}

/// A random keypair whose account the given swarm stores.
pub fn keypair_in(net: &Net, swarm: u64) -> Keypair {
    loop {
        let kp = keypair();
        if net.swarm_of(&account(&kp)) == swarm {
            return kp;
        }
    }
}

/// The text of a plain-text error body.
pub fn text(body: &Value) -> &str {
    body.as_str()
        .unwrap_or_else(|| panic!("not a text body: {body}"))
}
