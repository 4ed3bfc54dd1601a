//! 10,000 seeded random or mutated bodies per endpoint, then the node's health: `info`,
//! `PRAGMA integrity_check`, and the messages stored before the garbage.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use session_node::identity::NodeIdentity;
use session_node::node::peer_auth::PeerAuth;
use session_protocol::identity::Keypair;
use session_protocol::rpc::{build, message_hash_for, NamespaceSelector};

use super::support::{
    account, garbage, keypair, now_ms, ns, post, post_with, retrieve_all, retrieve_body, rng,
    run_concurrent, store_body, TestNet,
};
use super::{forged_registration, http, snode_onion, to_value};

/// Random bodies per endpoint.
const FUZZ_PER_ENDPOINT: usize = 10_000;
/// Requests in flight at once.
const CONCURRENCY: usize = 32;
/// A node-to-node route: path, authentication domain, valid bodies.
type NodeRoute = (&'static str, &'static [u8], Vec<Vec<u8>>);

/// Node-to-node routes served by `src/node/http.rs` (besides the client-facing ones): path,
/// authentication domain, and valid bodies.
fn node_to_node_routes(range: (u64, u64), rpc_templates: &[Vec<u8>]) -> Vec<NodeRoute> {
    use session_node::node::{peer, sync};
    let (start, end) = range;
    let range = json!({"start": start, "end": end});
    let forward: Vec<Vec<u8>> = rpc_templates
        .iter()
        .map(|t| {
            json!({"requests": [to_value(t), to_value(&rpc_templates[0])]})
                .to_string()
                .into_bytes()
        })
        .collect();
    vec![
        (peer::FORWARD_PATH, peer::FORWARD_DOMAIN, forward),
        (
            sync::SYNC_PATH,
            sync::SYNC_DOMAIN,
            vec![
                json!({"range": range, "after": null, "limit": 100})
                    .to_string()
                    .into_bytes(),
                json!({"range": range, "after": {"space": start, "seq": 3}, "limit": 1})
                    .to_string()
                    .into_bytes(),
            ],
        ),
        (
            sync::DIGEST_PATH,
            sync::SYNC_DOMAIN,
            vec![json!({"range": range, "buckets": 16})
                .to_string()
                .into_bytes()],
        ),
    ]
}

/// One fuzzed endpoint.
struct Target {
    name: String,
    url: String,
    templates: Vec<Vec<u8>>,
    json: bool,
    /// Allowed status classes: 2 and/or 4.
    classes: &'static [u16],
    /// For node-to-node routes: (authentication domain, recipient, a swarm peer's identity). A
    /// third of the inputs go unsigned, a third signed by the peer (reaching the body
    /// parsers), a third with malformed or mismatched authentication headers.
    peer: Option<(&'static [u8], [u8; 32], Arc<NodeIdentity>)>,
}

/// The body and headers of input `i` of `target` (seeded per input, so failures can be
/// replayed).
fn garbage_input(seed: u64, target: &Target, i: usize) -> (Vec<u8>, Vec<(String, String)>) {
    let mut r = StdRng::seed_from_u64(seed ^ ((i as u64) << 20));
    let body = garbage::body(&mut r, &target.templates, target.json);
    let Some((domain, recipient, identity)) = &target.peer else {
        return (body, Vec::new());
    };
    let now = session_node::time::now_ms();
    let headers = match i % 3 {
        0 => Vec::new(),
        1 => PeerAuth::sign(identity, domain, recipient, &body, now)
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
        _ => {
            // A well-formed header set with a random tag (so the node gets as far as
            // checking it), then one header spoilt half of the time.
            let mut tag = [0u8; 32];
            r.fill(&mut tag[..]);
            let mut h: Vec<(String, String)> = PeerAuth {
                sender: identity.ed25519_public(),
                timestamp_ms: now,
                tag,
            }
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
            if r.gen_bool(0.5) {
                return (body, h);
            }
            let which = r.gen_range(0..h.len());
            h[which].1 = match r.gen_range(0..4) {
                0 => String::new(),
                1 => "-1".into(),
                2 => "9".repeat(r.gen_range(1..40)),
                _ => (0..r.gen_range(1..100))
                    .map(|_| char::from(r.gen_range(0x21u8..0x7f)))
                    .collect(),
            };
            h
        }
    };
    (body, headers)
}

/// Sends the garbage and checks the node afterwards.
pub async fn run() {
    let net = TestNet::start(5, 5).await;
    let http = http();
    let node = net.nodes[0].clone();
    let mut r = rng(11);

    // Messages stored before the garbage, which must survive it.
    let owners: Vec<Keypair> = (0..4).map(|_| keypair(&mut r)).collect();
    let mut kept: Vec<(usize, i16, String)> = Vec::new();
    for (o, kp) in owners.iter().enumerate() {
        for namespace in [0i16, 2] {
            for k in 0..3u8 {
                let data = vec![o as u8, k, namespace as u8, 0xaa];
                let hash = message_hash_for(&account(kp), ns(namespace), &data);
                let (status, body) = post(
                    &http,
                    &node.rpc_url(),
                    store_body(kp, namespace, data, 3_600_000),
                )
                .await
                .unwrap();
                assert_eq!(
                    status,
                    200,
                    "store before garbage: {}",
                    String::from_utf8_lossy(&body)
                );
                assert_eq!(to_value(&body)["hash"], hash.as_str());
                kept.push((o, namespace, hash));
            }
        }
    }

    // Templates: valid requests of every kind. Destructive ones are signed by an account that
    // owns nothing, so a mutation that stays valid cannot delete the kept messages.
    let c = keypair(&mut r);
    let a = &owners[0];
    let now = now_ms();
    let hashes: Vec<String> = kept.iter().map(|k| k.2.clone()).collect();
    let mut rpc_templates: Vec<Vec<u8>> = vec![
        store_body(a, 0, b"fuzz".to_vec(), 3_600_000),
        store_body(a, 2, b"fuzz".to_vec(), 3_600_000),
        build::store_unsigned(account(a), ns(0), b"dm".to_vec(), 3_600_000, now)
            .unwrap()
            .to_body(),
        retrieve_body(a, 0, None),
        retrieve_body(a, 2, Some(hashes[0].clone())),
        build::get_swarm(account(a)).to_body(),
        build::info().to_body(),
        build::get_service_nodes().to_body(),
        build::delete(&c, hashes.clone(), true).unwrap().to_body(),
        build::delete_all(&c, NamespaceSelector::All, now).to_body(),
        build::expire(&c, hashes.clone(), vec![now + 60_000], Default::default())
            .unwrap()
            .to_body(),
        build::get_expiries(&c, hashes.clone(), now)
            .unwrap()
            .to_body(),
        build::batch(vec![
            build::info(),
            build::retrieve(a, ns(0), None, None, now),
        ])
        .unwrap()
        .to_body(),
    ];
    rpc_templates.retain(|t| !t.is_empty());

    let mut onion_templates = Vec::new();
    for payload in [&rpc_templates[0], &rpc_templates[3], &rpc_templates[6]] {
        onion_templates.push(snode_onion(&node, &[], payload, &mut r).body);
        onion_templates.push(snode_onion(&node, &[net.nodes[1].hop()], payload, &mut r).body);
    }
    let seed_templates: Vec<Vec<u8>> = vec![
        json!({"jsonrpc": "2.0", "id": 1, "method": "get_n_service_nodes", "params": {
            "active_only": true, "limit": 3,
            "fields": {"public_ip": true, "storage_port": true, "pubkey_ed25519": true}}})
        .to_string()
        .into_bytes(),
        json!({"jsonrpc": "2.0", "id": "x", "method": "get_service_nodes", "params": {
            "fields": ["all", "-swarm_id"], "service_node_pubkeys": [hex::encode(node.ed25519)]}})
        .to_string()
        .into_bytes(),
        json!({"jsonrpc": "2.0", "method": "ons_resolve", "params": {"type": 0,
            "name_hash": "Yl8Q6AgDx4pVNtbeAHKy1B37g4/uPOPvAg5h01FMYv8="}})
        .to_string()
        .into_bytes(),
    ];

    let mut targets = vec![
        Target {
            name: "node /storage_rpc/v1".into(),
            url: node.rpc_url(),
            templates: rpc_templates.clone(),
            json: true,
            classes: &[2, 4],
            peer: None,
        },
        Target {
            name: "node /onion_req/v2".into(),
            url: node.onion_url(),
            templates: onion_templates,
            json: false,
            classes: &[2, 4],
            peer: None,
        },
        Target {
            name: "seed /json_rpc".into(),
            url: format!("{}/json_rpc", net.seed_url),
            templates: seed_templates,
            json: true,
            classes: &[2, 4],
            peer: None,
        },
        Target {
            name: "seed /register".into(),
            url: format!("{}/register", net.seed_url),
            templates: vec![forged_registration(&mut r)],
            json: true,
            classes: &[4],
            peer: None,
        },
    ];
    let handle = &net.devnet.nodes()[node.index];
    let space = handle.context().network.view().my_space().unwrap();
    let peer = net.devnet.nodes()[net.members(node.swarm_id)[1].index]
        .context()
        .identity
        .clone();
    for (route, domain, templates) in node_to_node_routes((space.start, space.end), &rpc_templates)
    {
        targets.push(Target {
            name: format!("node {route}"),
            url: format!("{}{route}", node.url),
            templates,
            json: true,
            classes: &[2, 4],
            peer: Some((domain, node.ed25519, peer.clone())),
        });
    }

    let started = Instant::now();
    let mut failures: Vec<String> = Vec::new();
    for (t, target) in targets.into_iter().enumerate() {
        let seed = 0x5eed_0000 + t as u64;
        let target = Arc::new(target);
        let t0 = Instant::now();
        let results = {
            let http = http.clone();
            let target = target.clone();
            run_concurrent(FUZZ_PER_ENDPOINT, CONCURRENCY, move |i| {
                let http = http.clone();
                let target = target.clone();
                async move {
                    let (body, headers) = garbage_input(seed, &target, i);
                    let len = body.len();
                    (post_with(&http, &target.url, body, &headers).await, len)
                }
            })
            .await
        };
        let mut statuses: BTreeMap<u16, usize> = BTreeMap::new();
        for (i, (result, len)) in results.into_iter().enumerate() {
            let why = match result {
                Ok((status, body)) => {
                    *statuses.entry(status).or_default() += 1;
                    (!target.classes.contains(&(status / 100))).then(|| {
                        format!(
                            "status {status} {:?}",
                            String::from_utf8_lossy(&body)
                                .chars()
                                .take(120)
                                .collect::<String>()
                        )
                    })
                }
                Err(e) => Some(format!("connection failed: {e}")),
            };
            if let Some(why) = why {
                if failures.len() < 40 {
                    let (input, _) = garbage_input(seed, &target, i);
                    failures.push(format!(
                        "{} input #{i} ({len} bytes, starts {:?}): {why}",
                        target.name,
                        String::from_utf8_lossy(&input[..input.len().min(160)])
                    ));
                }
            }
        }
        eprintln!(
            "{}: {FUZZ_PER_ENDPOINT} inputs in {:.1?}; statuses {statuses:?}",
            target.name,
            t0.elapsed()
        );
    }
    eprintln!("all garbage sent in {:.1?}", started.elapsed());

    // Every node still answers.
    for n in &net.nodes {
        let (status, _) = post(&http, &n.rpc_url(), build::info().to_body())
            .await
            .unwrap();
        assert_eq!(status, 200, "node {} stopped answering info", n.index);
    }
    // Every database is intact and the kept messages are still there: in node 0's file, and
    // retrievable from every member of the swarm.
    for n in &net.nodes {
        let db = rusqlite::Connection::open_with_flags(
            &n.db_path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .unwrap();
        let check: String = db
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(check, "ok", "node {} database: {check}", n.index);
        if n.index == node.index {
            for (_, _, hash) in &kept {
                let found: i64 = db
                    .query_row(
                        "SELECT count(*) FROM messages WHERE hash = ?1",
                        [hash],
                        |row| row.get(0),
                    )
                    .unwrap();
                assert_eq!(
                    found, 1,
                    "message {hash} vanished from node {}'s database",
                    n.index
                );
            }
        }
    }
    for n in net.members(node.swarm_id) {
        for (o, kp) in owners.iter().enumerate() {
            for namespace in [0i16, 2] {
                let got = retrieve_all(&http, &n.rpc_url(), kp, namespace)
                    .await
                    .unwrap();
                for (_, _, hash) in kept.iter().filter(|k| k.0 == o && k.1 == namespace) {
                    assert!(
                        got.iter().any(|m| &m.hash == hash),
                        "node {} lost message {hash} (namespace {namespace})",
                        n.index
                    );
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} bad answers to garbage:\n{}",
        failures.len(),
        failures.join("\n")
    );
    net.stop().await;
}
