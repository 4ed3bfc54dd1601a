//! Rough storage-RPC throughput on one machine: a swarm of five nodes in this process, signed
//! stores (each replicated to the four peers) and signed retrieves through one node, from
//! many concurrent HTTPS clients. Ignored by default; run with
//! `cargo test --release -p session-node --test rpc_throughput -- --ignored --nocapture`
//! (`RPC_THROUGHPUT_STORE_ONLY=1` skips the retrieve phase, e.g. for profiling;
//! `RPC_THROUGHPUT_CLIENTS` and `RPC_THROUGHPUT_NODES` change the client count and swarm size).

#![allow(clippy::unwrap_used)] // tests may unwrap
#![allow(clippy::print_stdout)] // the point is to print the numbers

mod rpc_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rpc_support::{keypair, now_ms, start};
use session_protocol::rpc::{build, Namespace};

/// Concurrent clients (`RPC_THROUGHPUT_CLIENTS` overrides).
fn clients() -> usize {
    std::env::var("RPC_THROUGHPUT_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(64)
}
const RUN: Duration = Duration::from_secs(6);

/// Sends every body in `bodies` from [`clients`] concurrent tasks until they run out or `RUN`
/// passes; returns (successes, failures, elapsed).
async fn blast(url: String, bodies: Vec<Vec<u8>>) -> (usize, usize, Duration) {
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(clients())
        .build()
        .unwrap();
    let queue = Arc::new(Mutex::new(bodies));
    let ok = Arc::new(AtomicUsize::new(0));
    let bad = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..clients() {
        let (http, url, queue) = (http.clone(), url.clone(), queue.clone());
        let (ok, bad) = (ok.clone(), bad.clone());
        tasks.push(tokio::spawn(async move {
            while started.elapsed() < RUN {
                let Some(body) = queue.lock().unwrap().pop() else {
                    break;
                };
                match http.post(&url).body(body).send().await {
                    Ok(r) if r.status() == 200 => {
                        let _ = r.bytes().await;
                        ok.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        bad.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    (
        ok.load(Ordering::Relaxed),
        bad.load(Ordering::Relaxed),
        started.elapsed(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement; run in release mode with --ignored --nocapture"]
async fn store_and_retrieve_throughput() {
    let nodes = std::env::var("RPC_THROUGHPUT_NODES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let net = start(nodes, 5).await;
    let url = format!("{}/storage_rpc/v1", net.nodes()[0].url());
    let accounts: Vec<_> = (0..200).map(|_| keypair()).collect();

    // Signed stores (signing done before the clock starts).
    let bodies: Vec<Vec<u8>> = (0..60_000)
        .map(|i| {
            let kp = &accounts[i % accounts.len()];
            let data = format!("message {i:08} {}", "x".repeat(80)).into_bytes();
            build::store_signed(kp, Namespace(2), data, 3_600_000, now_ms())
                .unwrap()
                .to_body()
        })
        .collect();
    let (ok, bad, took) = blast(url.clone(), bodies).await;
    println!(
        "store: {ok} ok, {bad} failed in {took:.2?}: {:.0} stores/s (each on 5 nodes)",
        ok as f64 / took.as_secs_f64()
    );
    // Let replication settle, then check a peer has what the entry node has.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let entry = net.nodes()[0].context().store.count().await.unwrap();
    let peer = net.nodes()[3].context().store.count().await.unwrap();
    println!("messages: entry node {entry}, a peer {peer}");
    if std::env::var("RPC_THROUGHPUT_STORE_ONLY").is_ok() {
        net.stop().await;
        return;
    }

    let bodies: Vec<Vec<u8>> = (0..60_000)
        .map(|i| {
            let kp = &accounts[i % accounts.len()];
            let mut req = build::retrieve(kp, Namespace(2), None, None, now_ms());
            if let session_protocol::rpc::Request::Retrieve(p) = &mut req {
                p.max_count = Some(10);
            }
            req.to_body()
        })
        .collect();
    let (ok, bad, took) = blast(url, bodies).await;
    println!(
        "retrieve (10 messages): {ok} ok, {bad} failed in {took:.2?}: {:.0} retrieves/s",
        ok as f64 / took.as_secs_f64()
    );

    net.stop().await;
}
