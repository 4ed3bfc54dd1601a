//! Shared pieces of the end-to-end benches: a tokio runtime, process CPU time, percentiles,
//! waiting for a client's updates (filling a swarm is `client_support::fill_swarm`).

#![allow(dead_code)] // each bench uses a different subset

use std::time::Duration;

use session_client::store::{MessageId, MessageStatus};
use session_client::{Client, Update};
use session_node::yardstick::Yardstick;
use tokio::sync::broadcast;

/// The allocator of the binaries (`session`, `session-cli`, `session-node`), so the figures
/// reflect them (every end-to-end bench includes this module).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Kernel clock ticks per second of `/proc/self/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// The runtime the benches run in: the clients and all nodes share it, as in the tests.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// User + system CPU time of the whole process (every thread), seconds.
pub fn process_cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let utime: f64 = fields[11].parse().unwrap();
    let stime: f64 = fields[12].parse().unwrap();
    (utime + stime) / TICKS_PER_SECOND
}

/// The load averages and the speed of one core right now ([`Yardstick`]), printed before and
/// after each bench so runs on different days can be compared.
pub fn machine_state() -> String {
    format!(
        "load average {}; machine speed (one core): {}",
        load_average(),
        Yardstick::measure()
    )
}

/// The machine's load averages, as `uptime` shows them.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The `p`-th percentile (0–100) of `samples` (nearest rank).
pub fn percentile(samples: &[Duration], p: f64) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds, for printing.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Waits on `updates` until message `id` is reported sent (panics if it failed).
pub async fn wait_sent(updates: &mut broadcast::Receiver<Update>, id: MessageId) {
    loop {
        match updates.recv().await {
            Ok(Update::MessageStatus {
                message, status, ..
            }) if message == id => match status {
                MessageStatus::Sent => return,
                MessageStatus::Failed => panic!("message {id} failed"),
                _ => {}
            },
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => panic!("the client stopped"),
        }
    }
}

/// Waits on `updates` until an incoming message with `body` is added.
pub async fn wait_added(updates: &mut broadcast::Receiver<Update>, body: &str) {
    loop {
        match updates.recv().await {
            Ok(Update::MessageAdded { message, .. }) if message.body == body => return,
            Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
            Err(broadcast::error::RecvError::Closed) => panic!("the client stopped"),
        }
    }
}

/// Waits until the client's paths are up and its own swarm is known.
pub async fn wait_ready(client: &Client) {
    for _ in 0..400 {
        let s = client.network_status();
        if s.online && !s.own_swarm.is_empty() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the client did not come online");
}
