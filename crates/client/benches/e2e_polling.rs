//! End to end with normal polling: from `Client::send_text` until the recipient's
//! `Update::MessageAdded` (what the window shows), with both clients on their default
//! settings (the recipient polls every `DEFAULT_POLL_ACTIVE`, 2 s, while active). Each sample
//! is sent after a random pause, so it lands at a random point of the recipient's poll cycle.
//! Real in-process devnet (10 nodes, swarms of 5, loopback HTTPS, three-hop onion paths),
//! real SQLite in temporary directories. Target (issue #4): median < 1.5 s.
//!
//! `cargo bench -p session-client --bench e2e_polling` (`E2E_SAMPLES` overrides the 40
//! samples; about 2 s each).
#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed bench
#![allow(clippy::print_stdout)] // the report

#[path = "../tests/client_support/mod.rs"]
mod client_support;
mod e2e_support;

use std::time::{Duration, Instant};

use client_support::{new_account, start_net};
use e2e_support::{machine_state, ms, percentile, runtime, wait_added, wait_ready};
use rand::Rng;
use session_client::client::DEFAULT_POLL_ACTIVE;
use session_client::{Client, ClientConfig};

fn main() {
    let samples = std::env::var("E2E_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    runtime().block_on(run(samples));
}

async fn run(count: usize) {
    println!("before: {}", machine_state());
    let net = start_net().await;
    let (_a_dir, alice) = new_account();
    let (_b_dir, bob) = new_account();
    let alice = Client::start(alice, ClientConfig::devnet(&net.seed_url()))
        .await
        .unwrap();
    let bob = Client::start(bob, ClientConfig::devnet(&net.seed_url()))
        .await
        .unwrap();
    wait_ready(&alice).await;
    wait_ready(&bob).await;
    let b_id = *bob.session_id();
    let mut arrivals = bob.updates();
    let poll_ms = u64::try_from(DEFAULT_POLL_ACTIVE.as_millis()).unwrap();

    let started = Instant::now();
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let pause = rand::thread_rng().gen_range(0..poll_ms);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let body = format!("polling sample {i:03}: are you there?");
        let sent = Instant::now();
        alice.send_text(b_id, body.clone()).await.unwrap();
        tokio::time::timeout(Duration::from_secs(30), wait_added(&mut arrivals, &body))
            .await
            .unwrap();
        samples.push(sent.elapsed());
    }
    println!(
        "send_text -> MessageAdded at the recipient, polling every {:?} ({count} samples, \
         {:.0} s): median {:.0} ms, p90 {:.0} ms, min {:.0} ms, max {:.0} ms",
        DEFAULT_POLL_ACTIVE,
        started.elapsed().as_secs_f64(),
        ms(percentile(&samples, 50.0)),
        ms(percentile(&samples, 90.0)),
        ms(percentile(&samples, 0.0)),
        ms(percentile(&samples, 100.0)),
    );
    assert_eq!(bob.poll_stats().stored, count as u64);
    println!("after: {}", machine_state());

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}
