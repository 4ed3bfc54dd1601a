//! A devnet in-process on free loopback ports: real HTTPS, real SQLite in a temp dir.

#![allow(clippy::unwrap_used)] // tests may unwrap (helpers outside #[test] fns too)

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{json, Value};
use session_node::devnet::{self, DevnetConfig};
use session_node::shutdown;
use session_node::store::{NewMessage, RetrieveQuery};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn config(dir: &std::path::Path) -> DevnetConfig {
    DevnetConfig {
        nodes: 10,
        swarm_size: 5,
        dir: dir.to_path_buf(),
        base_port: 0,
        rate_limit: false,
        ons: BTreeMap::new(),
    }
}

async fn list_nodes(http: &reqwest::Client, seed_url: &str) -> Value {
    // The request session-desktop sends (SeedNodeAPI.ts), plus swarm_id.
    let body = json!({"jsonrpc": "2.0", "method": "get_n_service_nodes", "params": {
        "active_only": true,
        "fields": {"public_ip": true, "storage_port": true, "pubkey_x25519": true,
                   "pubkey_ed25519": true, "storage_server_version": true, "swarm_id": true,
                   "storage_lmq_port": true}}});
    let resp = http
        .post(format!("{seed_url}/json_rpc"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["content-type"].to_str().unwrap(),
        "application/json"
    );
    resp.json().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn devnet_lists_nodes_answers_info_and_survives_restart() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path());
    let http = client();

    let (trigger, stop) = shutdown::channel();
    let net = devnet::start(&cfg, stop).await.unwrap();
    let seed_url = net.seed_url();
    assert!(seed_url.starts_with("http://127.0.0.1:"));

    // The seed lists every node with the right fields, over plain HTTP and HTTPS.
    let listing = list_nodes(&http, &seed_url).await;
    let https_listing = list_nodes(&http, &net.seed().https_url().unwrap()).await;
    let states = listing["result"]["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 10);
    assert_eq!(
        https_listing["result"]["service_node_states"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    let mut swarms: BTreeMap<u64, usize> = BTreeMap::new();
    for node in net.nodes() {
        let ed = hex::encode(node.ed25519_public());
        let entry = states
            .iter()
            .find(|s| s["pubkey_ed25519"] == ed)
            .unwrap_or_else(|| panic!("node {ed} not listed"));
        assert_eq!(entry["public_ip"], "127.0.0.1");
        assert_eq!(entry["storage_port"], node.addr().port());
        assert_eq!(entry["storage_lmq_port"], 0);
        assert_eq!(
            entry["pubkey_x25519"],
            hex::encode(node.context().identity.x25519_public())
        );
        assert_eq!(entry["storage_server_version"], json!([2, 8, 0]));
        assert_eq!(entry["swarm_id"], node.swarm_id());
        *swarms.entry(node.swarm_id()).or_default() += 1;
        // Every node sees the whole network and its own swarm.
        let view = node.context().network.view();
        assert_eq!(view.nodes.len(), 10);
        assert_eq!(view.my_swarm, node.swarm_id());
        assert_eq!(view.peers(&node.ed25519_public()).len(), 4);
    }
    // Swarms have the requested size.
    assert_eq!(swarms.len(), 2);
    assert!(swarms.values().all(|&n| n == 5), "{swarms:?}");

    // `info` over HTTPS; bad requests 400.
    for node in net.nodes() {
        let url = format!("{}/storage_rpc/v1", node.url());
        assert!(url.starts_with("https://"));
        let resp = http
            .post(&url)
            .json(&json!({"method": "info", "params": {}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        let info: Value = resp.json().await.unwrap();
        assert_eq!(info["version"], json!([2, 8, 0]));
        let now = session_node::time::now_ms();
        assert!((info["timestamp"].as_i64().unwrap() - now).abs() < 10_000);
        assert!(info["hf"].is_array());
    }
    let url = format!("{}/storage_rpc/v1", net.nodes()[0].url());
    let resp = http
        .post(&url)
        .json(&json!({"method": "store", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let resp = http.post(&url).body("{nope").send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let resp = http
        .post(&url)
        .json(&json!({"method": "frobnicate", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    assert_eq!(resp.text().await.unwrap(), "no method frobnicate");
    let ping = http
        .post(format!("{}/ping_test/v1", net.nodes()[0].url()))
        .send()
        .await
        .unwrap();
    assert_eq!(ping.status(), 200);
    assert!(ping.headers().contains_key("x-oxen-snode-pubkey"));

    // Put a message in node 0's store to check persistence.
    let account = [5u8; 33];
    net.nodes()[0]
        .context()
        .store
        .store(NewMessage {
            pubkey: account,
            namespace: 0,
            hash: "kept-across-restarts".into(),
            timestamp_ms: 1,
            expiry_ms: i64::MAX,
            data: b"hello".to_vec(),
        })
        .await
        .unwrap();

    let before: Vec<([u8; 32], u64)> = net
        .nodes()
        .iter()
        .map(|n| (n.ed25519_public(), n.swarm_id()))
        .collect();
    trigger.trigger();
    tokio::time::timeout(Duration::from_secs(15), net.join())
        .await
        .expect("devnet stops within 15 s");

    // Same directory: same identities, same swarms, same messages.
    let (trigger, stop) = shutdown::channel();
    let net = devnet::start(&cfg, stop).await.unwrap();
    let after: Vec<([u8; 32], u64)> = net
        .nodes()
        .iter()
        .map(|n| (n.ed25519_public(), n.swarm_id()))
        .collect();
    assert_eq!(before, after);
    let listing = list_nodes(&http, &net.seed_url()).await;
    let states = listing["result"]["service_node_states"].as_array().unwrap();
    assert_eq!(states.len(), 10);
    for node in net.nodes() {
        let ed = hex::encode(node.ed25519_public());
        let entry = states.iter().find(|s| s["pubkey_ed25519"] == ed).unwrap();
        // New ephemeral ports were re-announced.
        assert_eq!(entry["storage_port"], node.addr().port());
    }
    let got = net.nodes()[0]
        .context()
        .store
        .retrieve(RetrieveQuery {
            pubkey: account,
            namespace: 0,
            last_hash: None,
            max_count: None,
            max_size: None,
            per_message_overhead: 0,
            size_as_base64: false,
            now_ms: session_node::time::now_ms(),
        })
        .await
        .unwrap();
    assert_eq!(got.messages.len(), 1);
    assert_eq!(got.messages[0].data, b"hello");
    trigger.trigger();
    tokio::time::timeout(Duration::from_secs(15), net.join())
        .await
        .expect("devnet stops within 15 s");
}
