//! Parts c (onion overhead against a raw peel plus a loopback round trip) and d (stores through
//! a 3-hop onion path on a 15-node devnet).

use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::Rng;
use session_protocol::identity::Keypair;
use session_protocol::onion::{
    build_onion_request, decode_snode_reply, peel, EncType, OnionDestination, OnionRequest,
    PathHop, SnodeFlags, SnodeTarget, X25519Keypair,
};
use session_protocol::rpc::build;

use crate::support::{account, client, keypair, now_ms, ns, post, rng, NodeInfo, TestNet};
use crate::{failure_text, median, quantile, verdict, Row, Settings};

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
            Ok((status, body)) => Some(failure_text(status, &body)),
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

/// Part c on the swarm of parts a and b.
pub(crate) async fn overhead(
    settings: &Settings,
    net: &TestNet,
    http: &reqwest::Client,
    rows: &mut Vec<Row>,
) {
    let node = net.nodes[0].clone();
    let url = node.rpc_url();
    let mut r = rng(4);
    let info = build::info().to_body();
    let peel_ms = raw_peel_ms(&info, settings.peels, &mut r);
    let mut rtts = Vec::new();
    let mut rtt_failure = None;
    for _ in 0..settings.latency_requests {
        let t = Instant::now();
        let answer = post(http, &url, info.clone()).await;
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
    let (direct, direct_failure) = onion_latencies(http, settings.latency_requests, || {
        (onion_url.clone(), snode_onion(&node, &[], &info, &mut r))
    })
    .await;
    let (relayed, relayed_failure) = onion_latencies(http, settings.latency_requests, || {
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
}

/// Part d: stores through 3-hop onion paths on a 15-node devnet.
pub(crate) async fn three_hops(settings: &Settings, rows: &mut Vec<Row>) {
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
