//! Shared helpers for the black-box node tests and benchmarks: an in-process devnet on free
//! ports, the node list as a client sees it (from the seed), swarm routing, signed request
//! bodies, and a small worker pool for concurrent requests (no `futures` dependency).
//!
//! Included by `tests/*.rs` as `mod support;` and by `benches/node/main.rs` through `#[path]`.

#![allow(dead_code)] // each includer uses a different subset
#![allow(clippy::unwrap_used)] // test support: failing loudly is the point

pub mod garbage;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngCore, SeedableRng};
use serde_json::{json, Value};
use session_node::devnet::{self, Devnet, DevnetConfig};
use session_node::node::STORE_FILE;
use session_node::shutdown::{self, ShutdownTrigger};
use session_protocol::identity::Keypair;
use session_protocol::onion::PathHop;
use session_protocol::rpc::build;
use session_protocol::rpc::response::{GetSwarmResponse, RetrievedMessage};
use session_protocol::rpc::{AccountPubkey, Namespace};

/// A client like Session desktop's: HTTPS with self-signed certificates accepted, keep-alive.
pub fn client(timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(timeout)
        .connect_timeout(Duration::from_secs(10))
        .pool_max_idle_per_host(256)
        .pool_idle_timeout(Duration::from_secs(90))
        .build()
        .unwrap()
}

/// Wall clock in ms, as the request builders want it.
pub fn now_ms() -> u64 {
    u64::try_from(session_node::time::now_ms()).unwrap()
}

/// A deterministic account keypair.
pub fn keypair(rng: &mut StdRng) -> Keypair {
    let mut seed = [0u8; 32];
    rng.fill_bytes(&mut seed);
    Keypair::from_seed32(&seed)
}

/// The account (`pubkey` parameter) of a keypair.
pub fn account(kp: &Keypair) -> AccountPubkey {
    AccountPubkey::from(&kp.session_id())
}

/// A namespace by number.
pub fn ns(n: i16) -> Namespace {
    Namespace::from_i64(i64::from(n)).unwrap()
}

/// A node as the seed lists it.
#[derive(Debug, Clone)]
pub struct NodeInfo {
    /// Index in the devnet (`DIR/node-NNN`).
    pub index: usize,
    /// Ed25519 key.
    pub ed25519: [u8; 32],
    /// X25519 key.
    pub x25519: [u8; 32],
    /// `https://127.0.0.1:PORT`.
    pub url: String,
    /// Storage port.
    pub port: u16,
    /// Swarm id.
    pub swarm_id: u64,
    /// The node's SQLite database.
    pub db_path: PathBuf,
}

impl NodeInfo {
    /// `…/storage_rpc/v1`.
    pub fn rpc_url(&self) -> String {
        format!("{}/storage_rpc/v1", self.url)
    }

    /// `…/onion_req/v2`.
    pub fn onion_url(&self) -> String {
        format!("{}/onion_req/v2", self.url)
    }

    /// The node as an onion path hop.
    pub fn hop(&self) -> PathHop {
        PathHop {
            ed25519: self.ed25519,
            x25519: x25519_dalek::PublicKey::from(self.x25519),
        }
    }
}

/// An in-process devnet in a temporary directory.
pub struct TestNet {
    /// The devnet (seed and nodes).
    pub devnet: Devnet,
    /// Every node, in devnet index order, as the seed lists them.
    pub nodes: Vec<NodeInfo>,
    /// The seed's plain-HTTP URL.
    pub seed_url: String,
    trigger: ShutdownTrigger,
    dir: tempfile::TempDir,
}

impl TestNet {
    /// Starts `nodes` nodes in swarms of `swarm_size` on free loopback ports.
    pub async fn start(nodes: usize, swarm_size: usize) -> TestNet {
        let dir = tempfile::tempdir().unwrap();
        let config = DevnetConfig {
            nodes,
            swarm_size,
            dir: dir.path().to_path_buf(),
            base_port: 0,
            rate_limit: false,
            ons: BTreeMap::new(),
        };
        let (trigger, stop) = shutdown::channel();
        let devnet = tokio::time::timeout(Duration::from_secs(120), devnet::start(&config, stop))
            .await
            .expect("the devnet starts within 120 s")
            .unwrap();
        let seed_url = devnet.seed_url();
        let listed = list_nodes(&client(Duration::from_secs(10)), &seed_url).await;
        let mut infos = Vec::with_capacity(nodes);
        for (index, handle) in devnet.nodes().iter().enumerate() {
            let ed = handle.ed25519_public();
            let entry = listed
                .iter()
                .find(|e| e["pubkey_ed25519"] == hex::encode(ed))
                .unwrap_or_else(|| panic!("node {index} is not in the seed's list"));
            let port = u16::try_from(entry["storage_port"].as_u64().unwrap()).unwrap();
            let ip = entry["public_ip"].as_str().unwrap();
            infos.push(NodeInfo {
                index,
                ed25519: ed,
                x25519: decode32(entry["pubkey_x25519"].as_str().unwrap()),
                url: format!("https://{ip}:{port}"),
                port,
                swarm_id: entry["swarm_id"].as_u64().unwrap(),
                db_path: config.node_dir(index).join(STORE_FILE),
            });
        }
        TestNet {
            devnet,
            nodes: infos,
            seed_url,
            trigger,
            dir,
        }
    }

    /// Distinct swarm ids, ascending.
    pub fn swarm_ids(&self) -> Vec<u64> {
        let mut ids: Vec<u64> = self.nodes.iter().map(|n| n.swarm_id).collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The swarm of an account by the swarm maths (PROTOCOL.md §5).
    pub fn swarm_of(&self, account: &AccountPubkey) -> u64 {
        session_protocol::swarm::swarm_for(&self.swarm_ids(), account).unwrap()
    }

    /// The nodes of a swarm.
    pub fn members(&self, swarm: u64) -> Vec<&NodeInfo> {
        self.nodes.iter().filter(|n| n.swarm_id == swarm).collect()
    }

    /// The node with this Ed25519 key (hex).
    pub fn by_ed25519_hex(&self, ed: &str) -> Option<&NodeInfo> {
        self.nodes.iter().find(|n| hex::encode(n.ed25519) == ed)
    }

    /// Stops everything (bounded) and removes the directory.
    pub async fn stop(self) {
        self.trigger.trigger();
        tokio::time::timeout(Duration::from_secs(30), self.devnet.join())
            .await
            .expect("the devnet stops within 30 s");
        drop(self.dir);
    }
}

fn decode32(text: &str) -> [u8; 32] {
    hex::decode(text).unwrap().try_into().unwrap()
}

/// The seed's `service_node_states` (with `swarm_id`), as a client bootstraps.
pub async fn list_nodes(http: &reqwest::Client, seed_url: &str) -> Vec<Value> {
    let body = json!({"jsonrpc": "2.0", "method": "get_n_service_nodes", "params": {
        "active_only": true,
        "fields": {"public_ip": true, "storage_port": true, "pubkey_x25519": true,
                   "pubkey_ed25519": true, "swarm_id": true}}});
    let resp = http
        .post(format!("{seed_url}/json_rpc"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let v: Value = resp.json().await.unwrap();
    v["result"]["service_node_states"]
        .as_array()
        .unwrap()
        .clone()
}

/// POSTs `body`; status and body bytes, or the transport error as text.
pub async fn post(
    http: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    body: Vec<u8>,
) -> Result<(u16, Vec<u8>), String> {
    let resp = http
        .post(url)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(|e| format!("{e:?}"))?;
    Ok((status, Vec::from(bytes)))
}

/// POSTs `body` with extra headers; status and body bytes, or the transport error as text.
pub async fn post_with(
    http: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    headers: &[(String, String)],
) -> Result<(u16, Vec<u8>), String> {
    let mut request = http.post(url).body(body);
    for (name, value) in headers {
        request = request.header(name.as_str(), value.as_str());
    }
    let resp = request.send().await.map_err(|e| format!("{e:?}"))?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(|e| format!("{e:?}"))?;
    Ok((status, Vec::from(bytes)))
}

/// A signed `store` body (the signer's own account).
pub fn store_body(kp: &Keypair, namespace: i16, data: Vec<u8>, ttl_ms: u64) -> Vec<u8> {
    build::store_signed(kp, ns(namespace), data, ttl_ms, now_ms())
        .unwrap()
        .to_body()
}

/// A signed `retrieve` body.
pub fn retrieve_body(kp: &Keypair, namespace: i16, last_hash: Option<String>) -> Vec<u8> {
    build::retrieve(kp, ns(namespace), last_hash, None, now_ms()).to_body()
}

/// Where a 421 says the account lives now.
pub fn misdirected_swarm(body: &[u8]) -> Option<GetSwarmResponse> {
    serde_json::from_slice(body).ok()
}

/// Retrieves every message of (account, namespace) from one node, following `more`.
pub async fn retrieve_all(
    http: &reqwest::Client,
    url: &str,
    kp: &Keypair,
    namespace: i16,
) -> Result<Vec<RetrievedMessage>, String> {
    let mut out = Vec::new();
    let mut last = None;
    for _ in 0..1000 {
        let (status, body) = post(http, url, retrieve_body(kp, namespace, last.clone())).await?;
        if status != 200 {
            return Err(format!(
                "retrieve answered {status}: {}",
                String::from_utf8_lossy(&body)
            ));
        }
        let page: session_protocol::rpc::response::RetrieveResponse =
            serde_json::from_slice(&body).map_err(|e| format!("retrieve answer: {e}"))?;
        let more = page.more;
        if let Some(m) = page.messages.last() {
            last = Some(m.hash.clone());
        }
        let empty = page.messages.is_empty();
        out.extend(page.messages);
        if !more || empty {
            return Ok(out);
        }
    }
    Err("retrieve kept saying more after 1000 pages".into())
}

/// Runs `work(i)` for every `i` in `0..count` on `workers` concurrent tasks; returns the results
/// in index order.
pub async fn run_concurrent<T, F, Fut>(count: usize, workers: usize, work: F) -> Vec<T>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let mut tasks = Vec::with_capacity(workers);
    for _ in 0..workers.max(1) {
        let next = next.clone();
        let work = work.clone();
        tasks.push(tokio::spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return done;
                }
                done.push((i, work(i).await));
            }
        }));
    }
    let mut all = Vec::with_capacity(count);
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, t)| t).collect()
}

/// A seeded RNG.
pub fn rng(seed: u64) -> StdRng {
    StdRng::seed_from_u64(seed)
}
