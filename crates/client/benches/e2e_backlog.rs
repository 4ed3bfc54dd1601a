//! A backlog of 10,000 real encrypted messages waiting on the recipient's swarm (stored
//! directly on a swarm node, which replicates them to the rest of the swarm), fetched through
//! an onion path, decrypted, verified and stored in SQLite. Real in-process devnet (10 nodes,
//! swarms of 5, loopback HTTPS). Target (issue #4): ≥ 5,000 messages/s.
//!
//! * **drain**: a running client's `poll_now` takes the whole backlog;
//! * **cold start**: from `Client::start` (pool, paths, swarm lookup included) until all are
//!   stored.
//!
//! `cargo bench -p session-client --bench e2e_backlog` (`E2E_BACKLOG` overrides 10,000).
#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed bench
#![allow(clippy::print_stdout)] // the report

#[path = "../tests/client_support/mod.rs"]
mod client_support;
mod e2e_support;

use std::time::{Duration, Instant};

use client_support::{all_messages, fast_config, fill_swarm, new_account, start_net, Net};
use e2e_support::{machine_state, process_cpu_seconds, runtime, wait_ready};
use session_client::protocol::identity::Keypair;
use session_client::Client;

fn main() {
    let count = std::env::var("E2E_BACKLOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    runtime().block_on(run(count));
}

/// Only the measured poll fetches: the background poller waits an hour after its first poll.
fn config(net: &Net) -> session_client::ClientConfig {
    let mut config = fast_config(&net.seed_url());
    config.poll_active = Duration::from_secs(3600);
    config.poll_idle_max = Duration::from_secs(3600);
    config
}

async fn run(count: usize) {
    println!("before: {}", machine_state());
    let net = start_net().await;
    let (_, alice) = Keypair::generate();

    // Drain: a running, online client polls once.
    let (_b_dir, bob) = new_account();
    let bob = Client::start(bob, config(&net)).await.unwrap();
    wait_ready(&bob).await;
    bob.poll_now().await.unwrap();
    fill_swarm(net.net.nodes(), &alice, *bob.session_id(), count).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let cpu_start = process_cpu_seconds();
    let started = Instant::now();
    let mut stored = 0;
    while stored < count {
        stored += bob.poll_now().await.unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "backlog incomplete"
        );
    }
    let elapsed = started.elapsed();
    let cpu = process_cpu_seconds() - cpu_start;
    println!(
        "drain: {count} waiting messages stored by poll_now in {:.2} s: {:.0} messages/s \
         ({:.3} ms CPU per message, all parties)",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64(),
        cpu * 1e3 / count as f64
    );
    check(&bob, count).await;
    bob.shutdown().await;

    // Cold start: the client starts with the backlog waiting.
    let (_c_dir, carol) = new_account();
    fill_swarm(net.net.nodes(), &alice, carol.session_id(), count).await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let started = Instant::now();
    let carol = Client::start(carol, config(&net)).await.unwrap();
    while carol.poll_stats().stored < count as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "backlog incomplete"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    println!(
        "cold start: Client::start -> {count} messages stored in {:.2} s: {:.0} messages/s",
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
    check(&carol, count).await;
    carol.shutdown().await;
    println!("after: {}", machine_state());
    net.stop().await;
}

/// Every message is there once, in order, and nothing was rejected.
async fn check(client: &Client, count: usize) {
    let stats = client.poll_stats();
    assert_eq!(stats.stored, count as u64, "{stats:?}");
    assert_eq!(
        stats.garbage + stats.undecryptable + stats.tampered + stats.dropped,
        0
    );
    let requests = client.message_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let all = all_messages(client, requests[0].conversation.id).await;
    assert_eq!(all.len(), count);
    assert!(all
        .iter()
        .enumerate()
        .all(|(i, m)| m.body == format!("backlog message {i:05}")));
}
