//! Node benchmarks over real HTTPS on loopback, everything in this one process:
//!
//! * a. signed stores (namespace 2, so the signature is verified) at one node replicating to a
//!   swarm of 5, with 64 concurrent keep-alive connections: stores/s;
//! * b. signed retrieves at one node, 64 connections: retrieves/s, twice: polling clients that
//!   send their cursor (`last_hash`) and get 0–few new messages (the common case), and
//!   retrieves of a whole mailbox (~60 messages per answer, the heavy case);
//! * c. onion overhead: a request through one onion hop (and through a relay plus the
//!   destination) against a raw layer peel plus one loopback HTTPS round trip to `info`;
//! * d. a store through a full 3-hop onion path (guard, 2 relays, destination in the account's
//!   swarm) on a 15-node devnet: p50/p99 over sequential requests.
//!
//! `cargo bench -p session-node --bench node [-- --quick] [-- --only a|b|c|d]` (`--only` runs
//! the named parts, e.g. `--only ab`, for profiling). Prints a table, the machine, and the
//! machine's speed before and after ([`session_node::yardstick`]), so days can be compared.
//!
//! The throughput parts measure the node: request bodies are built and signed by the
//! benchmark before each round's clock starts (a client signs its own requests on its own
//! machine), while the node still verifies every signature. The HTTPS client, the other swarm
//! members and the seed do run on the same cores during the timed section.

#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is fine
#![allow(clippy::print_stdout)] // the table is the output

#[path = "../../tests/support/mod.rs"]
mod support;

mod onion;
mod polling;
mod throughput;

use std::time::{Duration, Instant};

use session_node::yardstick::Yardstick;
use support::{client, TestNet};

/// The daemon's allocator, so the figures reflect it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// What to run and how much.
struct Settings {
    /// `--quick`: fewer requests.
    quick: bool,
    /// Parts to run (`a`–`d`).
    only: String,
    /// Requests per throughput round.
    throughput_requests: usize,
    /// Throughput rounds (the median is reported).
    rounds: usize,
    /// Sequential requests per latency measurement.
    latency_requests: usize,
    /// Peels in the raw-peel loop.
    peels: usize,
}

impl Settings {
    fn from_args() -> Settings {
        let args: Vec<String> = std::env::args().collect();
        let quick = args.iter().any(|a| a == "--quick");
        let only = args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| "abcd".into());
        let mut s = if quick {
            Settings {
                quick,
                only,
                throughput_requests: 3_000,
                rounds: 1,
                latency_requests: 300,
                peels: 2_000,
            }
        } else {
            Settings {
                quick,
                only,
                throughput_requests: 20_000,
                rounds: 3,
                latency_requests: 2_000,
                peels: 20_000,
            }
        };
        if let Some(n) = std::env::var("BENCH_REQUESTS")
            .ok()
            .and_then(|n| n.parse().ok())
        {
            s.throughput_requests = n;
        }
        s
    }

    /// Whether part `p` runs.
    fn runs(&self, p: char) -> bool {
        self.only.contains(p)
    }
}

/// One row of the result table.
struct Row {
    name: String,
    result: String,
    target: String,
    verdict: &'static str,
}

/// The verdict column for a target.
fn verdict(ok: bool) -> &'static str {
    if ok {
        "meets"
    } else {
        "MISSES"
    }
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism().map_or(0, usize::from);
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!(
        "{cpus} CPUs (available_parallelism), {model}; {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    )
}

/// The value at quantile `q` of `samples` (sorted copy).
fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * q).round() as usize]
}

/// The median of `samples`.
fn median(samples: &[f64]) -> f64 {
    quantile(samples, 0.5)
}

/// A short text of a failed answer.
fn failure_text(status: u16, body: &[u8]) -> String {
    format!(
        "{status} {}",
        String::from_utf8_lossy(body)
            .chars()
            .take(120)
            .collect::<String>()
    )
}

/// Parts a–c on one swarm of 5 nodes.
async fn single_swarm(settings: &Settings, rows: &mut Vec<Row>) {
    let net = TestNet::start(5, 5).await;
    let http = client(Duration::from_secs(60));
    if settings.runs('a') || settings.runs('b') {
        throughput::stores_and_retrieves(settings, &net, &http, rows).await;
    }
    if settings.runs('c') {
        onion::overhead(settings, &net, &http, rows).await;
    }
    net.stop().await;
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let settings = Settings::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut rows = Vec::new();
    let load_before = load_average();
    let speed_before = Yardstick::measure();
    let started = Instant::now();
    runtime.block_on(async {
        if settings.runs('a') || settings.runs('b') || settings.runs('c') {
            single_swarm(&settings, &mut rows).await;
        }
        if settings.runs('d') {
            onion::three_hops(&settings, &mut rows).await;
        }
    });
    let elapsed = started.elapsed();
    let speed_after = Yardstick::measure();
    println!();
    println!(
        "session-node benchmarks{}",
        if settings.quick { " (--quick)" } else { "" }
    );
    println!("machine: {}", machine());
    println!(
        "load average (1/5/15 min) before: {load_before}, after: {} (other processes share these CPUs)",
        load_average()
    );
    println!("machine speed (one core) before: {speed_before}");
    println!("machine speed (one core) after:  {speed_after}");
    println!();
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for row in &rows {
        println!(
            "{:<width$}  {:<7} {}  [target {}]",
            row.name, row.verdict, row.result, row.target
        );
    }
    println!();
    println!("total {elapsed:.1?}");
}
