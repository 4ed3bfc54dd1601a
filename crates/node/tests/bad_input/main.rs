//! Hostile input against a live in-process devnet (real HTTPS, real SQLite in a temp dir):
//! malformed JSON, missing and mistyped parameters, oversized bodies, then 10,000 seeded random
//! or mutated bodies per endpoint. A node must answer every one with a 2xx or 4xx (never a 5xx,
//! never a dropped connection), keep answering `info`, keep its database intact and keep the
//! messages it stored before.
//!
//! A failing fuzz input is reported with its endpoint and index; `fuzz::garbage_input`
//! regenerates it (the RNG is seeded per input).
//!
//! Layout: `malformed.rs` (hand-made bad requests with the exact status upstream answers),
//! `fuzz.rs` (random and mutated bodies), shared helpers here.

#![allow(clippy::unwrap_used)] // tests may unwrap

#[path = "../support/mod.rs"]
mod support;

mod fuzz;
mod malformed;

use std::time::Duration;

use rand::rngs::StdRng;
use rand::Rng;
use serde_json::Value;
use session_node::seed::registration::Registration;
use session_protocol::onion::{
    build_onion_request, EncType, OnionDestination, OnionRequest, PathHop, SnodeFlags, SnodeTarget,
};
use support::{client, keypair, post, NodeInfo, TestNet};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn malformed_requests_get_the_upstream_status() {
    let net = TestNet::start(5, 5).await;
    let mut bad = malformed::storage_rpc(&net).await;
    bad.extend(malformed::onion(&net).await);
    bad.extend(malformed::seed(&net).await);
    assert!(
        bad.is_empty(),
        "{} bad answers:\n{}",
        bad.len(),
        bad.join("\n")
    );
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn random_garbage_never_breaks_a_node() {
    fuzz::run().await;
}

fn http() -> reqwest::Client {
    client(Duration::from_secs(60))
}

/// What a malformed request must get.
#[derive(Debug, Clone, Copy)]
enum Want {
    /// This status.
    Status(u16),
    /// This status, and a body containing this text.
    Text(u16, &'static str),
}

/// Sends one hand-made bad request; returns a description of the mismatch, if any.
async fn expect(
    http: &reqwest::Client,
    url: &str,
    name: &str,
    body: Vec<u8>,
    want: Want,
) -> Option<String> {
    let (status, answer) = match post(http, url, body).await {
        Ok(r) => r,
        Err(e) => return Some(format!("{name}: connection failed: {e}")),
    };
    let text = String::from_utf8_lossy(&answer);
    let ok = match want {
        Want::Status(s) => status == s,
        Want::Text(s, needle) => status == s && text.contains(needle),
    };
    (!ok).then(|| {
        format!(
            "{name}: got {status} {:?}, want {want:?}",
            text.chars().take(200).collect::<String>()
        )
    })
}

fn to_value(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap()
}

/// A copy of a request with `params` edited.
fn edit(request: &Value, f: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Vec<u8> {
    let mut v = request.clone();
    f(v["params"].as_object_mut().unwrap());
    v.to_string().into_bytes()
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn snode_onion(to: &NodeInfo, path: &[PathHop], payload: &[u8], rng: &mut StdRng) -> OnionRequest {
    let destination = OnionDestination::Snode(SnodeTarget {
        node: to.hop(),
        flags: SnodeFlags::default(),
    });
    build_onion_request(path, &destination, payload, EncType::AesGcm, rng).unwrap()
}

/// A node nobody runs (random keys, never registered).
fn fake_node(rng: &mut StdRng) -> NodeInfo {
    let kp = keypair(rng);
    NodeInfo {
        index: usize::MAX,
        ed25519: kp.ed25519_public(),
        x25519: kp.x25519_public(),
        url: "https://127.0.0.1:1".into(),
        port: 1,
        swarm_id: 0,
        db_path: "/nonexistent".into(),
    }
}

/// A well-formed registration whose signature is by another key: no mutation of it can be
/// accepted, so fuzzing it never adds a phantom node to the network.
fn forged_registration(rng: &mut StdRng) -> Vec<u8> {
    let mut seed = [0u8; 32];
    rng.fill(&mut seed);
    let node = session_node::identity::NodeIdentity::from_seed32(&seed);
    rng.fill(&mut seed);
    let other = session_node::identity::NodeIdentity::from_seed32(&seed);
    let now = session_node::time::now_ms();
    let ip = std::net::Ipv4Addr::new(127, 0, 0, 1);
    let mut reg = Registration::sign(&node, ip, 1, 0, [2, 8, 0], now);
    reg.signature = Registration::sign(&other, ip, 1, 0, [2, 8, 0], now).signature;
    serde_json::to_vec(&reg).unwrap()
}
