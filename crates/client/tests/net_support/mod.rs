//! Helpers of the network tests: an in-process devnet and a network handle on a fresh store.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use session_client::clock::SharedClock;
use session_client::net::{Network, NetworkConfig, NetworkStatus, PathState, StoreRequest};
use session_client::{SharedStore, Store, SystemClock};
use session_node::devnet::{self, Devnet, DevnetConfig};
use session_node::shutdown::{self, ShutdownTrigger};
use session_protocol::identity::Keypair;
use session_protocol::rpc::Namespace;
use tempfile::TempDir;

/// A running devnet; stops when dropped.
pub struct TestNet {
    pub net: Devnet,
    pub dir: TempDir,
    trigger: ShutdownTrigger,
}

impl Drop for TestNet {
    fn drop(&mut self) {
        self.trigger.trigger();
    }
}

/// Starts a devnet of `nodes` nodes in swarms of `swarm_size`.
pub async fn devnet(nodes: usize, swarm_size: usize) -> TestNet {
    let dir = tempfile::tempdir().unwrap();
    let (trigger, stop) = shutdown::channel();
    let cfg = DevnetConfig {
        nodes,
        swarm_size,
        dir: dir.path().join("devnet"),
        base_port: 0,
        rate_limit: false,
        ons: BTreeMap::new(),
    };
    let net = devnet::start(&cfg, stop).await.unwrap();
    TestNet { net, dir, trigger }
}

/// A config for the test devnet with short timeouts.
pub fn config(seed_url: &str) -> NetworkConfig {
    NetworkConfig {
        request_timeout: Duration::from_secs(5),
        ..NetworkConfig::devnet(seed_url)
    }
}

/// A SQLite store in `dir`.
pub fn shared_store(dir: &TempDir, name: &str) -> SharedStore {
    SharedStore::new(Store::open(&dir.path().join(name)).unwrap())
}

/// A network on a fresh store in the devnet's temp dir, with the system clock.
pub fn network(t: &TestNet, db: &str) -> Network {
    network_with_clock(t, db, Arc::new(SystemClock))
}

/// The same with a chosen clock.
pub fn network_with_clock(t: &TestNet, db: &str, clock: SharedClock) -> Network {
    Network::new(config(&t.net.seed_url()), shared_store(&t.dir, db), clock)
}

/// An unsigned store of `data` into `keypair`'s namespace 0.
pub fn store_request(net: &Network, keypair: &Keypair, data: &[u8]) -> StoreRequest {
    StoreRequest {
        recipient: keypair.session_id(),
        namespace: Namespace(0),
        data_b64: B64.encode(data),
        ttl_ms: 24 * 3600 * 1000,
        timestamp_ms: net.network_now_ms(),
        signer: None,
    }
}

/// Waits (at most 20 s) for a status that satisfies `pred`.
pub async fn wait_status(net: &Network, pred: impl Fn(&NetworkStatus) -> bool) -> NetworkStatus {
    let mut rx = net.watch_status();
    tokio::time::timeout(Duration::from_secs(20), async {
        loop {
            {
                let status = rx.borrow_and_update();
                if pred(&status) {
                    return status.clone();
                }
            }
            rx.changed().await.unwrap();
        }
    })
    .await
    .unwrap_or_else(|_| panic!("status never matched; last: {:?}", net.status()))
}

/// Two healthy, disjoint paths of three distinct nodes.
pub fn paths_healthy(status: &NetworkStatus) -> bool {
    status.paths.len() == 2
        && status
            .paths
            .iter()
            .all(|p| p.state == PathState::Healthy && p.hops.len() == 3)
}
