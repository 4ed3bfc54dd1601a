//! Node benchmarks over real HTTPS on loopback, everything in this one process:
//!
//! * a. signed stores (namespace 2, so the signature is verified) at one node replicating to a
//!   swarm of 5, with 64 concurrent keep-alive connections: stores/s;
//! * b. signed retrieves at one node, 64 connections: retrieves/s;
//! * c. onion overhead: a request through one onion hop (and through a relay plus the
//!   destination) against a raw layer peel plus one loopback HTTPS round trip to `info`;
//! * d. a store through a full 3-hop onion path (guard, 2 relays, destination in the account's
//!   swarm) on a 15-node devnet: p50/p99 over sequential requests.
//!
//! `cargo bench -p session-node --bench node [-- --quick]`. Prints a table and the machine.

#![allow(clippy::unwrap_used)] // a benchmark: failing loudly is fine
#![allow(clippy::print_stdout)] // the table is the output

#[path = "../tests/support/mod.rs"]
mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::Rng;
use session_protocol::identity::Keypair;
use session_protocol::onion::{
    build_onion_request, decode_snode_reply, peel, EncType, OnionDestination, OnionRequest,
    PathHop, SnodeFlags, SnodeTarget, X25519Keypair,
};
use session_protocol::rpc::build;
use support::{
    account, client, keypair, now_ms, ns, post, retrieve_body, rng, run_concurrent, store_body,
    NodeInfo, TestNet,
};

/// Concurrent keep-alive connections for the throughput runs.
const CONNECTIONS: usize = 64;

struct Settings {
    quick: bool,
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
        let quick = std::env::args().any(|a| a == "--quick");
        if quick {
            Settings {
                quick,
                throughput_requests: 3_000,
                rounds: 1,
                latency_requests: 300,
                peels: 2_000,
            }
        } else {
            Settings {
                quick,
                throughput_requests: 20_000,
                rounds: 3,
                latency_requests: 2_000,
                peels: 20_000,
            }
        }
    }
}

/// One row of the result table.
struct Row {
    name: String,
    result: String,
    target: String,
    verdict: &'static str,
}

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

/// Sorted copy and the value at quantile `q`.
fn quantile(samples: &[f64], q: f64) -> f64 {
    if samples.is_empty() {
        return f64::NAN;
    }
    let mut s = samples.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * q).round() as usize]
}

fn median(samples: &[f64]) -> f64 {
    quantile(samples, 0.5)
}

/// Result of one throughput round.
struct Round {
    per_sec: f64,
    latencies_ms: Vec<f64>,
    errors: Vec<String>,
    /// Swarm members reported `"failed": true` (replication timeouts) in 200 answers.
    member_failures: usize,
}

/// POSTs every body with [`CONNECTIONS`] requests in flight; requests/s over the whole round.
async fn throughput(http: &reqwest::Client, url: &str, bodies: Vec<Vec<u8>>) -> Round {
    let bodies = Arc::new(bodies);
    let count = bodies.len();
    let started = Instant::now();
    let results = {
        let http = http.clone();
        let url = url.to_string();
        let bodies = bodies.clone();
        run_concurrent(count, CONNECTIONS, move |i| {
            let http = http.clone();
            let url = url.clone();
            let body = bodies[i].clone();
            async move {
                let t = Instant::now();
                let r = post(&http, &url, body).await;
                (r, t.elapsed().as_secs_f64() * 1e3)
            }
        })
        .await
    };
    let elapsed = started.elapsed().as_secs_f64();
    let mut errors = Vec::new();
    let mut member_failures = 0;
    let mut latencies_ms = Vec::with_capacity(count);
    for (r, ms) in results {
        latencies_ms.push(ms);
        match r {
            Ok((200, body)) => {
                member_failures += String::from_utf8_lossy(&body)
                    .matches("\"failed\":true")
                    .count();
            }
            Ok((status, body)) => errors.push(format!(
                "{status} {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(120)
                    .collect::<String>()
            )),
            Err(e) => errors.push(e),
        }
    }
    Round {
        per_sec: count as f64 / elapsed,
        latencies_ms,
        errors,
        member_failures,
    }
}

/// Runs `rounds` rounds built by `make` and summarises them as a table row.
async fn throughput_row(
    name: &str,
    unit: &str,
    target: f64,
    rounds: usize,
    http: &reqwest::Client,
    url: &str,
    mut make: impl FnMut() -> Vec<Vec<u8>>,
) -> Row {
    let mut rates = Vec::new();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let mut member_failures = 0;
    for _ in 0..rounds {
        let round = throughput(http, url, make()).await;
        rates.push(round.per_sec);
        latencies.extend(round.latencies_ms);
        errors.extend(round.errors);
        member_failures += round.member_failures;
    }
    if !errors.is_empty() {
        return Row {
            name: name.into(),
            result: format!(
                "{} of {} requests failed, e.g. {}",
                errors.len(),
                latencies.len(),
                errors[0]
            ),
            target: format!("≥ {target:.0} {unit}/s"),
            verdict: "ERROR",
        };
    }
    let rate = median(&rates);
    Row {
        name: name.into(),
        result: format!(
            "{rate:.0} {unit}/s (median of {rounds}; per request p50 {:.1} ms, p99 {:.1} ms{})",
            median(&latencies),
            quantile(&latencies, 0.99),
            if member_failures > 0 {
                format!("; {member_failures} swarm-member failures in the answers")
            } else {
                String::new()
            }
        ),
        target: format!("≥ {target:.0} {unit}/s"),
        verdict: verdict(rate >= target),
    }
}

fn snode_onion(to: &NodeInfo, path: &[PathHop], payload: &[u8], rng: &mut StdRng) -> OnionRequest {
    let destination = OnionDestination::Snode(SnodeTarget {
        node: to.hop(),
        flags: SnodeFlags::default(),
    });
    build_onion_request(path, &destination, payload, EncType::AesGcm, rng).unwrap()
}

/// Sends `n` onion requests one after another (each built before its clock starts); per
/// request latency in ms, and the first failure if any.
async fn onion_latencies(
    http: &reqwest::Client,
    n: usize,
    mut make: impl FnMut() -> (String, OnionRequest),
) -> (Vec<f64>, Option<String>) {
    let mut out = Vec::with_capacity(n);
    let mut failure = None;
    for _ in 0..n {
        let (url, onion) = make();
        let t = Instant::now();
        let answer = post(http, &url, onion.body).await;
        out.push(t.elapsed().as_secs_f64() * 1e3);
        let problem = match answer {
            Ok((200, body)) => match decode_snode_reply(&onion.reply_key, &body) {
                Ok(reply) if reply.status == 200 => None,
                Ok(reply) => Some(format!(
                    "destination answered {}: {:?}",
                    reply.status, reply.body
                )),
                Err(e) => Some(format!("undecodable reply: {e}")),
            },
            Ok((status, body)) => Some(format!(
                "{status} {}",
                String::from_utf8_lossy(&body)
                    .chars()
                    .take(120)
                    .collect::<String>()
            )),
            Err(e) => Some(e),
        };
        if failure.is_none() {
            failure = problem;
        }
    }
    (out, failure)
}

/// Median time of one raw `peel` of a one-layer onion carrying `payload`, in ms.
fn raw_peel_ms(payload: &[u8], peels: usize, r: &mut StdRng) -> f64 {
    let me = X25519Keypair::generate(r);
    let target = PathHop {
        ed25519: [1; 32],
        x25519: *me.public(),
    };
    let destination = OnionDestination::Snode(SnodeTarget {
        node: target,
        flags: SnodeFlags::default(),
    });
    let onion = build_onion_request(&[], &destination, payload, EncType::AesGcm, r).unwrap();
    // Batches of 100 keep clock reads out of the measurement.
    let mut batches = Vec::new();
    for _ in 0..(peels / 100).max(1) {
        let t = Instant::now();
        for _ in 0..100 {
            std::hint::black_box(peel(&me, std::hint::black_box(&onion.body)).unwrap());
        }
        batches.push(t.elapsed().as_secs_f64() * 1e3 / 100.0);
    }
    median(&batches)
}

async fn single_swarm(settings: &Settings, rows: &mut Vec<Row>) {
    let net = TestNet::start(5, 5).await;
    let http = client(Duration::from_secs(60));
    let node = net.nodes[0].clone();
    let url = node.rpc_url();
    let mut r = rng(3);
    let accounts: Vec<Keypair> = (0..1_000).map(|_| keypair(&mut r)).collect();

    // Warm the connection pool.
    let warm: Vec<Vec<u8>> = (0..CONNECTIONS * 4)
        .map(|_| build::info().to_body())
        .collect();
    let _ = throughput(&http, &url, warm).await;

    // a. Signed stores into namespace 2, replicated to the swarm.
    let mut counter = 0u64;
    let per_round = settings.throughput_requests;
    let row = throughput_row(
        "a. signed store (ns 2), 1 node → swarm of 5, 64 conns",
        "stores",
        5_000.0,
        settings.rounds,
        &http,
        &url,
        || {
            (0..per_round)
                .map(|_| {
                    counter += 1;
                    let kp = &accounts[counter as usize % accounts.len()];
                    let mut data = counter.to_le_bytes().to_vec();
                    data.resize(120, 0x5a);
                    store_body(kp, 2, data, 3_600_000)
                })
                .collect()
        },
    )
    .await;
    rows.push(row);

    // For comparison: one store at a time on one connection (latency, not throughput).
    let mut latencies = Vec::new();
    let mut failure = None;
    for i in 0..settings.latency_requests {
        let mut data = (i as u64).to_le_bytes().to_vec();
        data.resize(120, 0xa5);
        let body = store_body(&accounts[i % accounts.len()], 2, data, 3_600_000);
        let t = Instant::now();
        let answer = post(&http, &url, body).await;
        latencies.push(t.elapsed().as_secs_f64() * 1e3);
        if !matches!(answer, Ok((200, _))) && failure.is_none() {
            failure = Some(format!("{answer:?}"));
        }
    }
    rows.push(Row {
        name: "a. (for comparison) sequential signed stores".into(),
        result: match failure {
            Some(f) => format!("failed: {f}"),
            None => format!(
                "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {} requests",
                median(&latencies),
                quantile(&latencies, 0.99),
                quantile(&latencies, 1.0),
                latencies.len()
            ),
        },
        target: "—".into(),
        verdict: "",
    });

    // b. Signed retrieves of the same accounts (each now holds a few dozen messages).
    let mut counter = 0usize;
    let row = throughput_row(
        "b. signed retrieve (ns 2), 1 node, 64 conns",
        "retrieves",
        10_000.0,
        settings.rounds,
        &http,
        &url,
        || {
            (0..per_round)
                .map(|_| {
                    counter += 1;
                    retrieve_body(&accounts[counter % accounts.len()], 2, None)
                })
                .collect()
        },
    )
    .await;
    rows.push(row);

    // c. Onion overhead against its floor: a raw peel plus a loopback round trip.
    let info = build::info().to_body();
    let peel_ms = raw_peel_ms(&info, settings.peels, &mut r);
    let mut rtts = Vec::new();
    let mut rtt_failure = None;
    for _ in 0..settings.latency_requests {
        let t = Instant::now();
        let answer = post(&http, &url, info.clone()).await;
        rtts.push(t.elapsed().as_secs_f64() * 1e3);
        if !matches!(answer, Ok((200, _))) && rtt_failure.is_none() {
            rtt_failure = Some(format!("{answer:?}"));
        }
    }
    let rtt_ms = median(&rtts);
    // A fresh connection per request (TCP + TLS handshake + info), as a client's first request.
    let mut fresh = Vec::new();
    for _ in 0..50 {
        let one_shot = client(Duration::from_secs(10));
        let t = Instant::now();
        let answer = post(&one_shot, &url, info.clone()).await;
        fresh.push(t.elapsed().as_secs_f64() * 1e3);
        if !matches!(answer, Ok((200, _))) && rtt_failure.is_none() {
            rtt_failure = Some(format!("{answer:?}"));
        }
    }
    rows.push(Row {
        name: "c. (for comparison) info on a fresh connection".into(),
        result: format!(
            "p50 {:.2} ms, min {:.2} ms, max {:.2} ms over {} new TLS connections",
            median(&fresh),
            quantile(&fresh, 0.0),
            quantile(&fresh, 1.0),
            fresh.len()
        ),
        target: "—".into(),
        verdict: "",
    });
    let relay = net.nodes[1].clone();
    let onion_url = node.onion_url();
    let relay_url = relay.onion_url();
    let (direct, direct_failure) = onion_latencies(&http, settings.latency_requests, || {
        (onion_url.clone(), snode_onion(&node, &[], &info, &mut r))
    })
    .await;
    let (relayed, relayed_failure) = onion_latencies(&http, settings.latency_requests, || {
        (
            relay_url.clone(),
            snode_onion(&node, &[relay.hop()], &info, &mut r),
        )
    })
    .await;
    let floor = peel_ms + rtt_ms;
    rows.push(Row {
        name: "c. floor: raw peel + loopback HTTPS info".into(),
        result: format!("peel {peel_ms:.3} ms + round trip {rtt_ms:.3} ms = {floor:.3} ms"),
        target: "—".into(),
        verdict: if rtt_failure.is_some() { "ERROR" } else { "" },
    });
    for (name, samples, failure, floors) in [
        (
            "c. onion, 1 hop (destination only)",
            &direct,
            direct_failure,
            1.0,
        ),
        (
            "c. onion, relay + destination",
            &relayed,
            relayed_failure,
            2.0,
        ),
    ] {
        let p50 = median(samples);
        let ratio = p50 / (floor * floors);
        rows.push(match failure {
            Some(f) => Row {
                name: name.into(),
                result: format!("failed: {f}"),
                target: "≤ 1.5x".into(),
                verdict: "ERROR",
            },
            None => Row {
                name: name.into(),
                result: format!(
                    "p50 {p50:.3} ms, p99 {:.3} ms; {ratio:.2}x {}floor",
                    quantile(samples, 0.99),
                    if floors > 1.0 { "2× " } else { "" }
                ),
                target: "≤ 1.5x".into(),
                verdict: verdict(ratio <= 1.5),
            },
        });
    }
    net.stop().await;
}

async fn three_hops(settings: &Settings, rows: &mut Vec<Row>) {
    let net = TestNet::start(15, 5).await;
    let http = client(Duration::from_secs(60));
    let mut r = rng(5);
    let recipients: Vec<Keypair> = (0..50).map(|_| keypair(&mut r)).collect();
    let nodes = net.nodes.clone();
    // A random account, a random member of its swarm as destination, and 3 other random nodes
    // as the path; the payload stores a 200-byte DM, or (for comparison) asks for `info`.
    let mut make = |store: bool| {
        let to = &recipients[r.gen_range(0..recipients.len())];
        let acct = account(to);
        let members = net.members(net.swarm_of(&acct));
        let destination = members[r.gen_range(0..members.len())].clone();
        let mut path: Vec<NodeInfo> = Vec::new();
        while path.len() < 3 {
            let hop = &nodes[r.gen_range(0..nodes.len())];
            if hop.index != destination.index && path.iter().all(|p| p.index != hop.index) {
                path.push(hop.clone());
            }
        }
        let payload = if store {
            let mut data = vec![0u8; 200];
            r.fill(data.as_mut_slice());
            build::store_unsigned(acct, ns(0), data, 3_600_000, now_ms())
                .unwrap()
                .to_body()
        } else {
            build::info().to_body()
        };
        let hops: Vec<PathHop> = path.iter().map(NodeInfo::hop).collect();
        (
            path[0].onion_url(),
            snode_onion(&destination, &hops, &payload, &mut r),
        )
    };
    // Warm the guard connections (and the relays' connections to each other) first. The
    // destinations' connections to their swarm peers (store replication) open during the first
    // pass of stores, whose latencies are reported separately from a second, warm pass.
    let _ = onion_latencies(&http, 100, || make(false)).await;
    for (name, store) in [
        (
            "d. (first pass: peer connections opening) DM store via 3-hop onion",
            true,
        ),
        ("d. DM store (ns 0) via 3-hop onion, 15 nodes", true),
        ("d. (for comparison) info via 3-hop onion", false),
    ] {
        let (samples, failure) =
            onion_latencies(&http, settings.latency_requests, || make(store)).await;
        let (p50, p99) = (median(&samples), quantile(&samples, 0.99));
        // BENCH_DEBUG=1 lists the slow requests (index: ms), e.g. to spot connection set-up.
        if std::env::var_os("BENCH_DEBUG").is_some() {
            let slow: Vec<String> = samples
                .iter()
                .enumerate()
                .filter(|(_, &x)| x > 10.0)
                .map(|(i, x)| format!("#{i}:{x:.1}"))
                .collect();
            eprintln!("{name}: {} slow: {}", slow.len(), slow.join(" "));
        }
        let headline = name.starts_with("d. DM");
        let target = if headline {
            "p50 < 5 ms, p99 < 25 ms"
        } else {
            "—"
        };
        rows.push(match failure {
            Some(f) => Row {
                name: name.into(),
                result: format!("failed: {f}"),
                target: target.into(),
                verdict: "ERROR",
            },
            None => Row {
                name: name.into(),
                result: format!(
                    "p50 {p50:.2} ms, p99 {p99:.2} ms, max {:.2} ms over {} sequential requests",
                    quantile(&samples, 1.0),
                    samples.len()
                ),
                target: target.into(),
                verdict: if headline {
                    verdict(p50 < 5.0 && p99 < 25.0)
                } else {
                    ""
                },
            },
        });
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
    let started = Instant::now();
    runtime.block_on(async {
        single_swarm(&settings, &mut rows).await;
        three_hops(&settings, &mut rows).await;
    });
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
    println!("total {:.1?}", started.elapsed());
}
