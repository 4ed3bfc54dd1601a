//! Parts a and b: signed stores (replicated to the swarm) and signed retrieves at one node with
//! [`CONNECTIONS`] requests in flight.

use std::sync::Arc;
use std::time::Instant;

use session_protocol::identity::Keypair;
use session_protocol::rpc::build;

use crate::support::{keypair, post, retrieve_body, rng, run_concurrent, store_body, TestNet};
use crate::{failure_text, median, quantile, verdict, Row, Settings};

/// Concurrent keep-alive connections for the throughput runs.
pub(crate) const CONNECTIONS: usize = 64;

/// Result of one throughput round.
pub(crate) struct Round {
    per_sec: f64,
    /// Process CPU time (all threads: nodes, seed and client) per request, in µs.
    cpu_us: f64,
    latencies_ms: Vec<f64>,
    errors: Vec<String>,
    /// Swarm members reported `"failed": true` (replication timeouts) in 200 answers.
    member_failures: usize,
}

/// User + system CPU time of this process so far, in seconds (from `/proc/self/stat`, in clock
/// ticks of 10 ms on Linux).
fn cpu_seconds() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok());
    match (ticks(11), ticks(12)) {
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

/// `"failed":true` markers in an answer (swarm members that did not store). The load generator
/// shares the cores with the nodes, so its own work is kept small: a UTF-8 check and a
/// substring search, not a lossy copy of every answer.
fn count_failures(body: &[u8]) -> usize {
    std::str::from_utf8(body).map_or(0, |text| text.matches("\"failed\":true").count())
}

/// POSTs every body with [`CONNECTIONS`] requests in flight; requests/s over the whole round.
pub(crate) async fn throughput(http: &reqwest::Client, url: &str, bodies: Vec<Vec<u8>>) -> Round {
    let bodies = Arc::new(bodies);
    let count = bodies.len();
    let cpu_before = cpu_seconds();
    let started = Instant::now();
    let results = {
        let http = http.clone();
        // Parsed once: the load generator shares the cores with the nodes.
        let url = reqwest::Url::parse(url).unwrap();
        let bodies = bodies.clone();
        run_concurrent(count, CONNECTIONS, move |i| {
            let http = http.clone();
            let url = url.clone();
            let body = bodies[i].clone();
            async move {
                let t = Instant::now();
                let r = post(&http, url, body).await;
                (r, t.elapsed().as_secs_f64() * 1e3)
            }
        })
        .await
    };
    let elapsed = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu_before;
    let mut errors = Vec::new();
    let mut member_failures = 0;
    let mut latencies_ms = Vec::with_capacity(count);
    for (r, ms) in results {
        latencies_ms.push(ms);
        match r {
            Ok((200, body)) => member_failures += count_failures(&body),
            Ok((status, body)) => errors.push(failure_text(status, &body)),
            Err(e) => errors.push(e),
        }
    }
    Round {
        per_sec: count as f64 / elapsed,
        cpu_us: cpu * 1e6 / count as f64,
        latencies_ms,
        errors,
        member_failures,
    }
}

/// Runs `rounds` rounds built by `make` (before each round's clock starts) and summarises them
/// as a table row.
async fn throughput_row(
    name: &str,
    unit: &str,
    target: f64,
    rounds: usize,
    http: &reqwest::Client,
    url: &str,
    mut make: impl FnMut() -> Vec<Vec<u8>>,
) -> Row {
    let mut done = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        done.push(throughput(http, url, make()).await);
    }
    summary_row(name, unit, target, done)
}

/// Summarises throughput rounds as a table row (median rate and CPU, latency quantiles).
pub(crate) fn summary_row(name: &str, unit: &str, target: f64, rounds: Vec<Round>) -> Row {
    let mut rates = Vec::new();
    let mut cpu = Vec::new();
    let mut latencies = Vec::new();
    let mut errors = Vec::new();
    let mut member_failures = 0;
    for round in rounds {
        rates.push(round.per_sec);
        cpu.push(round.cpu_us);
        latencies.extend(round.latencies_ms);
        errors.extend(round.errors);
        member_failures += round.member_failures;
    }
    let target_text = format!("≥ {target:.0} {unit}/s");
    if let Some(first) = errors.first() {
        return Row {
            name: name.into(),
            result: format!(
                "{} of {} requests failed, e.g. {first}",
                errors.len(),
                latencies.len(),
            ),
            target: target_text,
            verdict: "ERROR",
        };
    }
    let rate = median(&rates);
    let rates_text: Vec<String> = rates.iter().map(|r| format!("{r:.0}")).collect();
    Row {
        name: name.into(),
        result: format!(
            "{rate:.0} {unit}/s (median of [{}]; process CPU {:.0} µs/request; per request p50 {:.1} ms, p99 {:.1} ms{})",
            rates_text.join(", "),
            median(&cpu),
            median(&latencies),
            quantile(&latencies, 0.99),
            if member_failures > 0 {
                format!("; {member_failures} swarm-member failures in the answers")
            } else {
                String::new()
            }
        ),
        target: target_text,
        verdict: verdict(rate >= target),
    }
}

/// Parts a (stores, plus sequential stores for comparison) and b (retrieves).
pub(crate) async fn stores_and_retrieves(
    settings: &Settings,
    net: &TestNet,
    http: &reqwest::Client,
    rows: &mut Vec<Row>,
) {
    let url = net.nodes[0].rpc_url();
    let mut r = rng(3);
    let accounts: Vec<Keypair> = (0..1_000).map(|_| keypair(&mut r)).collect();

    // Warm the connection pool.
    let warm: Vec<Vec<u8>> = (0..CONNECTIONS * 4)
        .map(|_| build::info().to_body())
        .collect();
    let _ = throughput(http, &url, warm).await;

    // a. Signed stores into namespace 2, replicated to the swarm. Always run: b retrieves
    // what a stored.
    let mut counter = 0u64;
    let per_round = settings.throughput_requests;
    let row = throughput_row(
        "a. signed store (ns 2), 1 node → swarm of 5, 64 conns",
        "stores",
        5_000.0,
        settings.rounds,
        http,
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

    if settings.runs('a') {
        sequential_stores(settings, http, &url, &accounts, rows).await;
    }
    if !settings.runs('b') {
        return;
    }

    // b. Polling clients: each keeps its cursor (`last_hash`) and gets 0–few new messages.
    let polls = crate::polling::Polling::start(http, &url, &accounts).await;
    rows.push(polls.run(settings, http, &url).await);

    // b (heavy case). Signed retrieves without `last_hash` of the same accounts: every answer
    // holds the whole mailbox (a few dozen messages), as for a client's first poll.
    let sequential = if settings.runs('a') {
        settings.latency_requests
    } else {
        0
    };
    // Stores of part a, the sequential stores and the polling rounds' 0–2 (mean 1) per account.
    let mailbox =
        (per_round * settings.rounds + sequential).div_ceil(accounts.len()) + settings.rounds;
    let mut counter = 0usize;
    let row = throughput_row(
        &format!("b. signed retrieve, full mailbox (~{mailbox} msgs/answer), 1 node, 64 conns"),
        "retrieves",
        10_000.0,
        settings.rounds,
        http,
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
}

/// For comparison: one store at a time on one connection (latency, not throughput).
async fn sequential_stores(
    settings: &Settings,
    http: &reqwest::Client,
    url: &str,
    accounts: &[Keypair],
    rows: &mut Vec<Row>,
) {
    let mut latencies = Vec::new();
    let mut failure = None;
    for i in 0..settings.latency_requests {
        let mut data = (i as u64).to_le_bytes().to_vec();
        data.resize(120, 0xa5);
        let body = store_body(&accounts[i % accounts.len()], 2, data, 3_600_000);
        let t = Instant::now();
        let answer = post(http, url, body).await;
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
}
