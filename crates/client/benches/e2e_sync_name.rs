//! A display name changed on one device, until the account's other device shows it (config
//! sync issue: "in a median of at most 1.5 poll intervals"). Two running clients of one
//! account (the second restored from the first's recovery phrase), each polling on its own
//! every `SYNC_POLL_MS` (default 1,000 ms, active and idle alike). Each sample waits a random
//! part of a poll interval, then calls `set_display_name` on device one (its pusher sends the
//! UserProfile config about 100 ms later) and reads device two's `display_name()` every 10 ms
//! until it shows the new name; device two is never told to poll. Real in-process devnet (10
//! nodes, swarms of 5, loopback HTTPS, three-hop onion paths), real SQLite.
//!
//! `cargo bench -p session-client --bench e2e_sync_name` (`SYNC_SAMPLES` overrides the 15
//! samples, about 1.5 s each).
#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed bench
#![allow(clippy::print_stdout)] // the report

#[path = "../tests/client_support/mod.rs"]
mod client_support;
mod e2e_support;

use std::time::{Duration, Instant};

use client_support::{new_account, start_net};
use e2e_support::{machine_state, ms, percentile, runtime, wait_ready};
use rand::Rng;
use session_client::{Account, Client, ClientConfig, DataDir};

/// How often device two's name is read.
const CHECK_EVERY: Duration = Duration::from_millis(10);
/// A sample that takes this long means sync is broken, not slow.
const HANG: Duration = Duration::from_secs(60);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let samples = usize::try_from(env_u64("SYNC_SAMPLES", 15)).unwrap();
    let poll = Duration::from_millis(env_u64("SYNC_POLL_MS", 1_000));
    runtime().block_on(run(samples, poll));
}

/// Reads `client`'s display name every [`CHECK_EVERY`] until it is `name`.
async fn shows(client: &Client, name: &str) {
    let started = Instant::now();
    while client.display_name().await.unwrap().as_deref() != Some(name) {
        assert!(started.elapsed() < HANG, "device two never showed {name:?}");
        tokio::time::sleep(CHECK_EVERY).await;
    }
}

async fn run(count: usize, poll: Duration) {
    println!("before: {}", machine_state());
    let net = start_net().await;
    let config = || {
        let mut config = ClientConfig::devnet(&net.seed_url());
        config.poll_active = poll;
        config.poll_idle_max = poll;
        config
    };
    let (_one_dir, account) = new_account();
    let two_dir = tempfile::tempdir().unwrap();
    let restored = Account::restore(
        DataDir::new(two_dir.path().join("data")),
        account.recovery_phrase().as_str(),
    )
    .unwrap();
    let one = Client::start(account, config()).await.unwrap();
    let two = Client::start(restored, config()).await.unwrap();
    wait_ready(&one).await;
    wait_ready(&two).await;
    // Warm-up: the first name (both devices' first config merges, the first push).
    one.set_display_name(Some("warm-up".into())).await.unwrap();
    shows(&two, "warm-up").await;

    let poll_ms = u64::try_from(poll.as_millis()).unwrap();
    let started = Instant::now();
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let pause = rand::thread_rng().gen_range(0..poll_ms);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let name = format!("Alice {i:03}");
        let changed = Instant::now();
        one.set_display_name(Some(name.clone())).await.unwrap();
        shows(&two, &name).await;
        samples.push(changed.elapsed());
    }
    let intervals = |d: Duration| d.as_secs_f64() / poll.as_secs_f64();
    let (median, p90) = (percentile(&samples, 50.0), percentile(&samples, 90.0));
    println!(
        "set_display_name on device one -> display_name() on device two, both polling every \
         {poll:?} ({count} samples, {:.0} s): median {:.0} ms = {:.2} poll intervals, p90 \
         {:.0} ms = {:.2} intervals, min {:.0} ms, max {:.0} ms (target: median <= 1.5 \
         intervals)",
        started.elapsed().as_secs_f64(),
        ms(median),
        intervals(median),
        ms(p90),
        intervals(p90),
        ms(percentile(&samples, 0.0)),
        ms(percentile(&samples, 100.0)),
    );
    println!("after: {}", machine_state());

    one.shutdown().await;
    two.shutdown().await;
    net.stop().await;
}
