//! End to end on a real in-process devnet (10 nodes, swarms of 5, loopback HTTPS, three-hop
//! onion paths) with two real clients (SQLite in temporary directories):
//!
//! * **latency**: from `Client::send_text` until the recipient's `Client::poll_now` has
//!   decrypted and stored the message (the sender's worker encrypts it and stores it through
//!   an onion path; the recipient polls at once when the sender reports it sent). Target
//!   (issue #4): p50 < 5 ms, p99 < 25 ms.
//! * **CPU per delivered message**, all parties together (both clients and every node run in
//!   this process): process user + system time over the latency loop, and over a stream of
//!   messages queued at once and fetched by polling. Target: ≤ 3 ms. Also the CPU of a poll
//!   that finds nothing new (the fixed part of each one-at-a-time message: a poll costs it
//!   whether or not a message is waiting).
//!
//! `cargo bench -p session-client --bench e2e_latency` (`E2E_ITERATIONS` overrides the 500
//! iterations).
#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed bench
#![allow(clippy::print_stdout)] // the report

#[path = "../tests/client_support/mod.rs"]
mod client_support;
mod e2e_support;

use std::time::{Duration, Instant};

use client_support::{fast_config, new_account, start_net};
use e2e_support::{
    machine_state, ms, percentile, process_cpu_seconds, runtime, wait_ready, wait_sent,
};
use session_client::Client;

const WARM_UP: usize = 20;
const STREAM: usize = 500;
/// Polls that find nothing new, measured after the stream.
const EMPTY_POLLS: usize = 300;

fn main() {
    let iterations = std::env::var("E2E_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    runtime().block_on(run(iterations));
}

async fn run(iterations: usize) {
    println!("before: {}", machine_state());
    let net = start_net().await;
    // Only the measured polls run: the background pollers wait an hour.
    let config = || {
        let mut config = fast_config(&net.seed_url());
        config.poll_active = Duration::from_secs(3600);
        config.poll_idle_max = Duration::from_secs(3600);
        config
    };
    let (_a_dir, alice) = new_account();
    let (_b_dir, bob) = new_account();
    let alice = Client::start(alice, config()).await.unwrap();
    let bob = Client::start(bob, config()).await.unwrap();
    wait_ready(&alice).await;
    wait_ready(&bob).await;
    bob.poll_now().await.unwrap();
    let b_id = *bob.session_id();
    let mut updates = alice.updates();

    // Latency: one message at a time, sent and then polled.
    let mut samples = Vec::with_capacity(iterations);
    let mut sent_part = Vec::with_capacity(iterations);
    let mut extra_polls = 0;
    let mut cpu_start = 0.0;
    let mut wall_start = Instant::now();
    for i in 0..WARM_UP + iterations {
        if i == WARM_UP {
            cpu_start = process_cpu_seconds();
            wall_start = Instant::now();
        }
        let started = Instant::now();
        let message = alice
            .send_text(b_id, format!("latency sample {i:04}: see you at eight"))
            .await
            .unwrap();
        wait_sent(&mut updates, message.id).await;
        let sent = started.elapsed();
        while bob.poll_now().await.unwrap() == 0 {
            extra_polls += 1;
            assert!(started.elapsed() < Duration::from_secs(10), "never arrived");
        }
        if i >= WARM_UP {
            samples.push(started.elapsed());
            sent_part.push(sent);
        }
    }
    let cpu = process_cpu_seconds() - cpu_start;
    let wall = wall_start.elapsed();
    println!(
        "latency send_text -> stored at the recipient ({iterations} messages): \
         p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms \
         (of which send_text -> sent: p50 {:.2} ms, p99 {:.2} ms; polls that found nothing: {extra_polls})",
        ms(percentile(&samples, 50.0)),
        ms(percentile(&samples, 90.0)),
        ms(percentile(&samples, 99.0)),
        ms(percentile(&samples, 100.0)),
        ms(percentile(&sent_part, 50.0)),
        ms(percentile(&sent_part, 99.0)),
    );
    println!(
        "cpu per delivered message, one at a time (one store + one poll each): {:.2} ms \
         ({cpu:.2} s CPU over {:.2} s wall)",
        cpu * 1e3 / iterations as f64,
        wall.as_secs_f64()
    );

    // A stream: everything queued at once, sent by the worker, fetched by polls.
    let cpu_start = process_cpu_seconds();
    let wall_start = Instant::now();
    for i in 0..STREAM {
        alice
            .send_text(b_id, format!("stream message {i:04}: on my way"))
            .await
            .unwrap();
    }
    alice
        .wait_queue_empty(Duration::from_secs(120))
        .await
        .unwrap();
    let mut stored = 0;
    while stored < STREAM {
        stored += bob.poll_now().await.unwrap();
        assert!(
            wall_start.elapsed() < Duration::from_secs(120),
            "stream incomplete"
        );
    }
    let cpu = process_cpu_seconds() - cpu_start;
    let wall = wall_start.elapsed();
    println!(
        "cpu per delivered message, a stream of {STREAM} queued at once: {:.2} ms \
         ({cpu:.2} s CPU over {:.2} s wall, {:.0} messages/s)",
        cpu * 1e3 / STREAM as f64,
        wall.as_secs_f64(),
        STREAM as f64 / wall.as_secs_f64()
    );
    // A poll with nothing new: onion request, signed retrieve, empty answer.
    let cpu_start = process_cpu_seconds();
    for _ in 0..EMPTY_POLLS {
        assert_eq!(bob.poll_now().await.unwrap(), 0);
    }
    let cpu = process_cpu_seconds() - cpu_start;
    println!(
        "cpu of a poll that finds nothing ({EMPTY_POLLS} polls): {:.2} ms",
        cpu * 1e3 / EMPTY_POLLS as f64
    );
    let stats = bob.poll_stats();
    assert_eq!(
        stats.stored,
        (WARM_UP + iterations + STREAM) as u64,
        "{stats:?}"
    );
    assert_eq!(stats.garbage + stats.undecryptable + stats.tampered, 0);
    println!("after: {}", machine_state());

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}
