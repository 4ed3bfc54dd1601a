//! Idle cost of polling (config sync issue: "at most 5% more CPU than today's poller on an idle
//! account"): one client of a fresh account with a display name, nothing arriving, its own
//! background poller running every `IDLE_POLL_MS` (default 250 ms, active and idle alike) for
//! `IDLE_SECONDS` (default 30 s) after a warm-up. With config sync each poll is one `batch` of
//! retrieves of namespaces 0, 2, 3, 5 and 4; before it, one `retrieve` of namespace 0.
//!
//! The devnet (seed + 10 nodes, swarms of 5) and the client run in this process on two tokio
//! runtimes with named threads (`devnet…`, `client…`), so the CPU time is split by thread:
//! the client's (its runtime's workers and blocking threads, and the main thread that drives
//! it) and the network's (every other thread: nodes, their SQLite writers, the seed). CPU is
//! each thread's `sum_exec_runtime` from `/proc/self/task/*/schedstat` (nanoseconds; threads
//! are kept alive for the whole run so none is lost).
//!
//! The same file builds against the poller before config sync (it uses only API both have),
//! so the two can be run alternately: see docs/BENCHMARKS.md, session 10.
//!
//! `cargo bench -p session-client --bench e2e_sync_idle`
#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed bench
#![allow(clippy::print_stdout)] // the report

#[path = "../tests/client_support/mod.rs"]
mod client_support;
mod e2e_support;

use std::time::{Duration, Instant};

use client_support::{new_account, start_net};
use e2e_support::{machine_state, wait_ready};
use session_client::{Client, ClientConfig};

/// Time for the first polls (cursors, the first config merge) before measuring.
const WARM_UP: Duration = Duration::from_secs(5);
/// Threads are never retired during a run (their CPU time would vanish with them).
const KEEP_ALIVE: Duration = Duration::from_secs(24 * 3600);

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn named_runtime(name: &str) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(name)
        .thread_keep_alive(KEEP_ALIVE)
        .enable_all()
        .build()
        .unwrap()
}

/// CPU time so far of this process's threads: (the client's, everyone else's), seconds.
fn cpu_by_side() -> (f64, f64) {
    let main = std::process::id().to_string();
    let (mut client, mut network) = (0u64, 0u64);
    for task in std::fs::read_dir("/proc/self/task").unwrap() {
        let path = task.unwrap().path();
        // A thread may end between listing and reading: skip it.
        let (Ok(comm), Ok(stat)) = (
            std::fs::read_to_string(path.join("comm")),
            std::fs::read_to_string(path.join("schedstat")),
        ) else {
            continue;
        };
        let ns: u64 = stat.split_whitespace().next().unwrap().parse().unwrap();
        let tid = path.file_name().unwrap().to_str().unwrap();
        if comm.starts_with("client") || tid == main {
            client += ns;
        } else {
            network += ns;
        }
    }
    (client as f64 / 1e9, network as f64 / 1e9)
}

fn main() {
    let poll = Duration::from_millis(env_u64("IDLE_POLL_MS", 250));
    let period = Duration::from_secs(env_u64("IDLE_SECONDS", 30));
    println!("before: {}", machine_state());
    let network_rt = named_runtime("devnet");
    let client_rt = named_runtime("client");
    let net = network_rt.block_on(start_net());
    let seed = net.seed_url();

    let (client_cpu, network_cpu, wall) = client_rt.block_on(async {
        let (_dir, account) = new_account();
        let mut config = ClientConfig::devnet(&seed);
        config.poll_active = poll;
        config.poll_idle_max = poll;
        let client = Client::start(account, config).await.unwrap();
        wait_ready(&client).await;
        client.set_display_name(Some("Idle".into())).await.unwrap();
        tokio::time::sleep(WARM_UP).await;
        let before = cpu_by_side();
        let started = Instant::now();
        tokio::time::sleep(period).await;
        let after = cpu_by_side();
        let wall = started.elapsed();
        let stats = client.poll_stats();
        assert_eq!(stats.stored + stats.garbage + stats.undecryptable, 0);
        client.shutdown().await;
        (after.0 - before.0, after.1 - before.1, wall)
    });
    let polls = wall.as_secs_f64() / poll.as_secs_f64();
    println!(
        "idle polling every {poll:?} for {:.1} s (about {polls:.0} polls): client CPU {:.1} ms \
         ({:.3} ms per poll interval), network (10 nodes + seed) CPU {:.1} ms, together {:.1} ms",
        wall.as_secs_f64(),
        client_cpu * 1e3,
        client_cpu * 1e3 / polls,
        network_cpu * 1e3,
        (client_cpu + network_cpu) * 1e3,
    );
    println!(
        "IDLE client_ms={:.2} network_ms={:.2} seconds={:.2} poll_ms={}",
        client_cpu * 1e3,
        network_cpu * 1e3,
        wall.as_secs_f64(),
        poll.as_millis()
    );
    println!("after: {}", machine_state());
    network_rt.block_on(net.stop());
}
