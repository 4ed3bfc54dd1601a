//! Load on a live in-process devnet: 200 clients, each with its own account and HTTP client,
//! loop for 30 s over signed `store`s (namespace 0 and the private namespace 2) and signed
//! `retrieve`s of their own account at a node of the account's swarm (found from the seed's
//! list and the swarm maths; every tenth client starts at a wrong node and must follow the
//! 421). No request may fail, and at the end every acknowledged message must be retrievable
//! from every member of its swarm.
//!
//! Swarm members that did not confirm a store in time (replication timeouts under load) are
//! counted and printed, not failed: the entry node stored the message, and the final check
//! proves catch-up brought every member level.

#![allow(clippy::unwrap_used)] // tests may unwrap

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rand::Rng;
use session_protocol::identity::Keypair;
use session_protocol::rpc::message_hash_for;
use session_protocol::rpc::response::{RetrieveResponse, StoreNodeResult};
use session_protocol::rpc::{NodeResult, SwarmResponse};
use support::{
    account, client, keypair, misdirected_swarm, ns, post, retrieve_all, retrieve_body, rng,
    run_concurrent, store_body, TestNet,
};

const CLIENTS: usize = 200;
const RUN_FOR: Duration = Duration::from_secs(30);
/// 10 nodes in swarms of 5: two swarms, so routing matters, light enough for a debug build.
const NODES: usize = 10;
const SWARM_SIZE: usize = 5;
/// How long replication (or, for forwards that timed out, catch-up) gets to bring every swarm
/// member level after the run.
const SETTLE: Duration = Duration::from_secs(150);
const NAMESPACES: [i16; 2] = [0, 2];
/// One client in this many starts at the wrong swarm.
const MISROUTED_EVERY: usize = 10;

/// What one client did.
#[derive(Default)]
struct Outcome {
    stores: usize,
    retrieves: usize,
    reroutes: usize,
    errors: Vec<String>,
    /// Swarm members that did not confirm a store (timeouts under load): not errors, since the
    /// entry node stored the message and catch-up must bring the others level, which the final
    /// check verifies.
    member_failures: Vec<String>,
    /// Acknowledged hashes per namespace.
    acked: BTreeMap<i16, Vec<String>>,
    latencies_ms: Vec<f64>,
}

/// Sends `body` to the client's node, following 421 answers to another member of the swarm
/// they name (at most 3 times). Returns the final status and body.
async fn send(
    http: &reqwest::Client,
    net: &TestNet,
    target: &mut String,
    body: &[u8],
    out: &mut Outcome,
) -> Result<(u16, Vec<u8>), String> {
    for _ in 0..4 {
        let started = Instant::now();
        let (status, answer) =
            post(http, &format!("{target}/storage_rpc/v1"), body.to_vec()).await?;
        out.latencies_ms.push(started.elapsed().as_secs_f64() * 1e3);
        if status != 421 {
            return Ok((status, answer));
        }
        out.reroutes += 1;
        let swarm = misdirected_swarm(&answer).ok_or("421 without a swarm body")?;
        let next = swarm
            .snodes
            .iter()
            .find_map(|s| net.by_ed25519_hex(&s.pubkey_ed25519))
            .ok_or("421 naming no known node")?;
        *target = next.url.clone();
    }
    Err("still 421 after 3 re-routes".into())
}

async fn run_client(net: Arc<TestNet>, index: usize, kp: Keypair, deadline: Instant) -> Outcome {
    let http = client(Duration::from_secs(30));
    let acct = account(&kp);
    let swarm = net.swarm_of(&acct);
    let members = net.members(swarm);
    // Every tenth client starts at a node of another swarm, as a client with a stale swarm
    // would, and must follow the 421 it gets.
    let mut target = if index.is_multiple_of(MISROUTED_EVERY) {
        let strangers: Vec<_> = net.nodes.iter().filter(|n| n.swarm_id != swarm).collect();
        strangers[index % strangers.len()].url.clone()
    } else {
        members[index % members.len()].url.clone()
    };
    let mut out = Outcome::default();
    let mut r = rng(1000 + index as u64);
    let mut last_seen: BTreeMap<i16, Option<String>> = BTreeMap::new();
    let mut seq = 0u64;
    while Instant::now() < deadline {
        seq += 1;
        let namespace = NAMESPACES[(seq as usize / 2) % NAMESPACES.len()];
        if seq % 2 == 1 {
            // Store.
            let mut data = vec![0u8; r.gen_range(32..600)];
            r.fill(data.as_mut_slice());
            data[..8].copy_from_slice(&seq.to_le_bytes());
            let hash = message_hash_for(&acct, ns(namespace), &data);
            let body = store_body(&kp, namespace, data, 3_600_000);
            match send(&http, &net, &mut target, &body, &mut out).await {
                Ok((200, answer)) => {
                    match serde_json::from_slice::<SwarmResponse<StoreNodeResult>>(&answer) {
                        Ok(resp) => {
                            out.stores += 1;
                            if resp.hash.as_deref() != Some(hash.as_str()) {
                                out.errors.push(format!(
                                    "store answered hash {:?}, want {hash}",
                                    resp.hash
                                ));
                            }
                            for (node, result) in &resp.swarm {
                                match result {
                                    NodeResult::Ok(ok) => {
                                        // Node signatures are checked on each client's first store
                                        // (verifying all of them would dominate a debug build).
                                        if out.stores == 1 {
                                            if let Err(e) = ok.verify(node) {
                                                out.errors
                                                    .push(format!("store result of {node}: {e}"));
                                            }
                                        }
                                    }
                                    NodeResult::Failed(f) => {
                                        out.member_failures.push(format!(
                                            "{node}: {}",
                                            f.reason.as_deref().unwrap_or("no reason given")
                                        ));
                                    }
                                }
                            }
                            if resp.successes().next().is_none() {
                                out.errors.push("store confirmed by no swarm member".into());
                            }
                            if resp.swarm.len() != SWARM_SIZE {
                                out.errors.push(format!(
                                    "store answered for {} nodes, want {SWARM_SIZE}",
                                    resp.swarm.len()
                                ));
                            }
                            out.acked.entry(namespace).or_default().push(hash);
                        }
                        Err(e) => out.errors.push(format!("store answer: {e}")),
                    }
                }
                Ok((status, answer)) => out.errors.push(format!(
                    "store answered {status}: {}",
                    String::from_utf8_lossy(&answer)
                        .chars()
                        .take(200)
                        .collect::<String>()
                )),
                Err(e) => out.errors.push(format!("store: {e}")),
            }
        } else {
            // Retrieve what is new since the last retrieve in this namespace.
            let last = last_seen.entry(namespace).or_default();
            let body = retrieve_body(&kp, namespace, last.clone());
            match send(&http, &net, &mut target, &body, &mut out).await {
                Ok((200, answer)) => match serde_json::from_slice::<RetrieveResponse>(&answer) {
                    Ok(page) => {
                        out.retrieves += 1;
                        if let Some(m) = page.messages.last() {
                            *last = Some(m.hash.clone());
                        }
                    }
                    Err(e) => out.errors.push(format!("retrieve answer: {e}")),
                },
                Ok((status, answer)) => out.errors.push(format!(
                    "retrieve answered {status}: {}",
                    String::from_utf8_lossy(&answer)
                        .chars()
                        .take(200)
                        .collect::<String>()
                )),
                Err(e) => out.errors.push(format!("retrieve: {e}")),
            }
        }
    }
    out
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_clients_lose_nothing() {
    let net = Arc::new(TestNet::start(NODES, SWARM_SIZE).await);
    assert_eq!(net.swarm_ids().len(), NODES / SWARM_SIZE);
    let mut r = rng(42);
    let keys: Vec<Keypair> = (0..CLIENTS).map(|_| keypair(&mut r)).collect();

    let started = Instant::now();
    let deadline = started + RUN_FOR;
    let mut tasks = Vec::with_capacity(CLIENTS);
    for (i, kp) in keys.iter().cloned().enumerate() {
        tasks.push(tokio::spawn(run_client(net.clone(), i, kp, deadline)));
    }
    let mut outcomes = Vec::with_capacity(CLIENTS);
    for task in tasks {
        // Bounded: the run lasts 30 s and each request at most 30 s (plus re-routes).
        let outcome = tokio::time::timeout(RUN_FOR + Duration::from_secs(150), task)
            .await
            .expect("a client finishes within its deadline")
            .unwrap();
        outcomes.push(outcome);
    }
    let elapsed = started.elapsed();

    let stores: usize = outcomes.iter().map(|o| o.stores).sum();
    let retrieves: usize = outcomes.iter().map(|o| o.retrieves).sum();
    let reroutes: usize = outcomes.iter().map(|o| o.reroutes).sum();
    let mut latencies: Vec<f64> = outcomes
        .iter()
        .flat_map(|o| o.latencies_ms.iter().copied())
        .collect();
    latencies.sort_by(f64::total_cmp);
    eprintln!(
        "{CLIENTS} clients, {elapsed:.1?}: {stores} stores, {retrieves} retrieves ({:.0} req/s), \
         {reroutes} re-routes; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        (stores + retrieves) as f64 / elapsed.as_secs_f64(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN),
    );
    let member_failures: Vec<&String> = outcomes.iter().flat_map(|o| &o.member_failures).collect();
    if !member_failures.is_empty() {
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for f in &member_failures {
            *reasons
                .entry(f.split_once(": ").map_or("", |x| x.1))
                .or_default() += 1;
        }
        eprintln!(
            "{} swarm-member confirmations missing from store answers: {reasons:?}",
            member_failures.len()
        );
    }
    let errors: Vec<String> = outcomes
        .iter()
        .enumerate()
        .flat_map(|(i, o)| o.errors.iter().map(move |e| format!("client {i}: {e}")))
        .collect();
    assert!(
        errors.is_empty(),
        "{} errors under load, first ones:\n{}",
        errors.len(),
        errors
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(stores >= CLIENTS, "only {stores} stores in {RUN_FOR:?}");
    assert!(
        reroutes >= CLIENTS / MISROUTED_EVERY,
        "only {reroutes} re-routes for {} misrouted clients",
        CLIENTS / MISROUTED_EVERY
    );

    // Every acknowledged message, on every member of its swarm (replication may trail the
    // acknowledgement, and forwards that timed out wait for catch-up: poll, bounded by SETTLE).
    let http = client(Duration::from_secs(30));
    let settle_deadline = Instant::now() + SETTLE;
    let checks: Vec<(usize, String, i16)> = outcomes
        .iter()
        .enumerate()
        .flat_map(|(i, o)| {
            let members = net.members(net.swarm_of(&account(&keys[i])));
            let urls: Vec<String> = members.iter().map(|m| m.rpc_url()).collect();
            o.acked
                .keys()
                .flat_map(move |&n| urls.clone().into_iter().map(move |u| (i, u, n)))
                .collect::<Vec<_>>()
        })
        .collect();
    let acked: Arc<Vec<BTreeMap<i16, Vec<String>>>> =
        Arc::new(outcomes.into_iter().map(|o| o.acked).collect());
    let keys = Arc::new(keys);
    let checks = Arc::new(checks);
    let missing = {
        let checks = checks.clone();
        run_concurrent(checks.len(), 32, move |c| {
            let (i, url, namespace) = checks[c].clone();
            let http = http.clone();
            let keys = keys.clone();
            let acked = acked.clone();
            async move {
                let want: BTreeSet<&String> = acked[i][&namespace].iter().collect();
                loop {
                    let result = retrieve_all(&http, &url, &keys[i], namespace).await;
                    let missing: Vec<String> = match &result {
                        Ok(got) => {
                            let have: BTreeSet<&String> = got.iter().map(|m| &m.hash).collect();
                            want.difference(&have).map(|h| (*h).clone()).collect()
                        }
                        Err(e) => vec![format!("<retrieve failed: {e}>")],
                    };
                    if missing.is_empty() || Instant::now() > settle_deadline {
                        return missing
                            .into_iter()
                            .map(|h| format!("client {i} ns {namespace} at {url}: {h}"))
                            .collect::<Vec<_>>();
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        })
        .await
    };
    let missing: Vec<String> = missing.into_iter().flatten().collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged messages missing from swarm members, first ones:\n{}",
        missing.len(),
        missing
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    eprintln!("all {stores} acknowledged messages found on every member of their swarm");
    match Arc::try_unwrap(net) {
        Ok(net) => net.stop().await,
        Err(_) => panic!("the devnet is still shared"),
    }
}
