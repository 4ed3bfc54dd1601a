//! A seed and single nodes: joining, registration checks, ONS, plain HTTP and rate limiting.

#![allow(clippy::unwrap_used)] // tests may unwrap (helpers outside #[test] fns too)

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use session_node::identity::NodeIdentity;
use session_node::node::{self, NodeConfig};
use session_node::seed::registration::Registration;
use session_node::seed::{self, SeedConfig};
use session_node::shutdown;
use session_protocol::ons::{OnsName, OnsResolveResult};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from((Ipv4Addr::LOCALHOST, port))
}

fn seed_config(dir: &std::path::Path, port: u16) -> SeedConfig {
    SeedConfig {
        data_dir: dir.join("seed"),
        listen: loopback(port),
        https_listen: None,
        ..SeedConfig::default()
    }
}

fn node_config(dir: &std::path::Path, seed_url: String) -> NodeConfig {
    NodeConfig {
        data_dir: dir.join("node"),
        listen: loopback(0),
        seed_url,
        rate_limit: false,
        ..NodeConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_retries_until_the_seed_answers() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let probe = TcpListener::bind(loopback(0)).unwrap();
        probe.local_addr().unwrap().port()
    };
    let (trigger, stop) = shutdown::channel();
    let starting = tokio::spawn(node::start(
        node_config(dir.path(), format!("http://127.0.0.1:{port}")),
        stop.clone(),
    ));
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!starting.is_finished(), "the node must wait for the seed");

    let seed = seed::start(seed_config(dir.path(), port), stop)
        .await
        .unwrap();
    let node = tokio::time::timeout(Duration::from_secs(20), starting)
        .await
        .expect("the node joins once the seed is up")
        .unwrap()
        .unwrap();
    assert!(node.context().is_ready());
    let resp = client()
        .post(format!("{}/storage_rpc/v1", node.url()))
        .json(&json!({"method": "info", "params": {}}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(seed.registry().snapshot(0).nodes.len(), 1);
    trigger.trigger();
    node.join().await;
    seed.join().await;
}

#[tokio::test]
async fn node_stops_cleanly_if_shut_down_before_joining() {
    let dir = tempfile::tempdir().unwrap();
    let (trigger, stop) = shutdown::channel();
    // Nothing listens on port 1.
    let starting = tokio::spawn(node::start(
        node_config(dir.path(), "http://127.0.0.1:1".into()),
        stop,
    ));
    tokio::time::sleep(Duration::from_millis(300)).await;
    trigger.trigger();
    let result = tokio::time::timeout(Duration::from_secs(10), starting)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(result, Err(node::NodeError::Cancelled)));
}

#[tokio::test]
async fn seed_refuses_bad_registrations() {
    let dir = tempfile::tempdir().unwrap();
    let (trigger, stop) = shutdown::channel();
    let seed = seed::start(seed_config(dir.path(), 0), stop).await.unwrap();
    let url = format!("{}/register", seed.url());
    let http = client();
    let id = NodeIdentity::from_seed32(&[7; 32]);
    let now = session_node::time::now_ms();
    let sign = |ts: i64| Registration::sign(&id, Ipv4Addr::LOCALHOST, 4000, 4001, [2, 8, 0], ts);

    let post = |body: Value| {
        let http = http.clone();
        let url = url.clone();
        async move { http.post(url).json(&body).send().await.unwrap() }
    };
    let ok = post(serde_json::to_value(sign(now)).unwrap()).await;
    assert_eq!(ok.status(), 200);
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(ok["swarm_id"], 0);
    assert_eq!(ok["new_node"], true);

    let mut forged = sign(now + 1);
    forged.storage_port = 5000;
    let resp = post(serde_json::to_value(&forged).unwrap()).await;
    assert_eq!(resp.status(), 401);
    let resp = post(serde_json::to_value(sign(now - 120_000)).unwrap()).await;
    assert_eq!(resp.status(), 406);
    let resp = post(serde_json::to_value(sign(now - 1_000)).unwrap()).await;
    assert_eq!(resp.status(), 409);
    let resp = post(json!({"pubkey_ed25519": "zz"})).await;
    assert_eq!(resp.status(), 400);
    assert_eq!(seed.registry().snapshot(now).nodes[0].0.storage_port, 4000);
    trigger.trigger();
    seed.join().await;
}

#[tokio::test]
async fn seed_resolves_configured_ons_names() {
    let dir = tempfile::tempdir().unwrap();
    let session_id = "05fb466d312e1666ad1c84c4ee55b7e034151c0e366a313d95d11436a5f36e1e75";
    let mut ons = BTreeMap::new();
    ons.insert("jagerman".to_string(), session_id.to_string());
    let (trigger, stop) = shutdown::channel();
    let seed = seed::start(
        SeedConfig {
            ons,
            ..seed_config(dir.path(), 0)
        },
        stop,
    )
    .await
    .unwrap();
    let name = OnsName::parse("JagerMan").unwrap();
    let resp: Value = client()
        .post(format!("{}/json_rpc", seed.url()))
        .json(&json!({"jsonrpc": "2.0", "id": 1, "method": "ons_resolve",
            "params": {"type": 0, "name_hash": name.name_hash_base64()}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let result: OnsResolveResult = serde_json::from_value(resp["result"].clone()).unwrap();
    assert_eq!(result.decrypt(&name).unwrap().to_hex(), session_id);
    trigger.trigger();
    seed.join().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn plain_http_node_with_rate_limiting() {
    let dir = tempfile::tempdir().unwrap();
    let (trigger, stop) = shutdown::channel();
    let seed = seed::start(seed_config(dir.path(), 0), stop.clone())
        .await
        .unwrap();
    let node = node::start(
        NodeConfig {
            plain_http: true,
            rate_limit: true,
            ..node_config(dir.path(), seed.url())
        },
        stop,
    )
    .await
    .unwrap();
    let url = format!("{}/storage_rpc/v1", node.url());
    assert!(url.starts_with("http://"));
    let http = client();
    // A 600-request bucket refilled at 300/s: hammering it from 8 tasks must hit the limit
    // long before 4,000 requests.
    let limited = Arc::new(AtomicBool::new(false));
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let http = http.clone();
        let url = url.clone();
        let limited = limited.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..500 {
                if limited.load(Ordering::Relaxed) {
                    return;
                }
                let resp = http
                    .post(&url)
                    .body(r#"{"method":"info","params":{}}"#)
                    .send()
                    .await
                    .unwrap();
                match resp.status().as_u16() {
                    200 => {}
                    429 => limited.store(true, Ordering::Relaxed),
                    other => panic!("unexpected status {other}"),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert!(
        limited.load(Ordering::Relaxed),
        "no request was rate limited"
    );
    trigger.trigger();
    node.join().await;
    seed.join().await;
}
