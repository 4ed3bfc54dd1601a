//! Swarm catch-up in-process: real HTTPS between nodes, real SQLite in a temp dir.
//!
//! A devnet of 4 nodes (one swarm of up to 5) holds messages that exist on only one member; a
//! fifth node joins with an empty store and must end up with all of them, and so must every
//! other member (its arrival changes their swarm). The fifth node is then stopped, more
//! messages appear elsewhere, an expiry changes on a peer and the running members delete some
//! messages, and it restarts with its stale store and catches up again: the new messages
//! arrive, the deleted ones go, and no member takes them back. The catch-up endpoints refuse unauthenticated and forged requests.

#![allow(clippy::unwrap_used)] // tests may unwrap (helpers outside #[test] fns too)

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use serde_json::{json, Value};
use session_node::devnet::{self, DevnetConfig};
use session_node::identity::NodeIdentity;
use session_node::node::peer_auth::PeerAuth;
use session_node::node::sync::{DIGEST_PATH, SYNC_DOMAIN, SYNC_PATH};
use session_node::node::{self, NodeConfig, NodeHandle};
use session_node::shutdown::{self, Shutdown};
use session_node::store::{NewMessage, Store};
use session_node::time::now_ms;
use session_protocol::rpc::{message_hash_for, AccountPubkey, Namespace};

const HOUR_MS: i64 = 3600 * 1000;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// `n` accounts drawn from a fixed seed (printed; `TEST_SEED=N` reruns with another), so a
/// failure can be repeated with the same accounts in the same slices.
fn accounts(n: usize) -> Vec<AccountPubkey> {
    use rand::{RngCore, SeedableRng};
    let seed = std::env::var("TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_208_u64);
    eprintln!("accounts from TEST_SEED={seed}");
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    (0..n)
        .map(|_| {
            let mut key = [0u8; 32];
            rng.fill_bytes(&mut key);
            AccountPubkey::new(0x05, key)
        })
        .collect()
}

/// `n` messages spread over `accounts` and a few namespaces; every `big_every`-th one is 70 kB
/// (pages are cut by bytes too).
fn messages(accounts: &[AccountPubkey], n: usize, tag: &str, big_every: usize) -> Vec<NewMessage> {
    let now = now_ms();
    (0..n)
        .map(|i| {
            let account = accounts[i % accounts.len()];
            let namespace = [0i16, -10, 5, 17][i % 4];
            let mut data = format!("{tag}-{i}").into_bytes();
            if big_every > 0 && i % big_every == 0 {
                data.resize(70_000, b'x');
            }
            NewMessage {
                pubkey: account.to_bytes33(),
                namespace,
                hash: message_hash_for(&account, Namespace(namespace), &data),
                timestamp_ms: now,
                expiry_ms: now + HOUR_MS,
                data,
            }
        })
        .collect()
}

/// `msgs` grouped by account: the hashes of each.
fn by_account(msgs: &[NewMessage]) -> BTreeMap<[u8; 33], Vec<String>> {
    let mut grouped: BTreeMap<[u8; 33], Vec<String>> = BTreeMap::new();
    for m in msgs {
        grouped.entry(m.pubkey).or_default().push(m.hash.clone());
    }
    grouped
}

/// How many of `msgs` `store` holds.
async fn held(store: &Store, msgs: &[NewMessage]) -> usize {
    let mut n = 0;
    for (pubkey, hashes) in by_account(msgs) {
        n += store.get_expiries(pubkey, hashes).await.unwrap().len();
    }
    n
}

/// Deletes `msgs` from `store`, as a swarm-wide delete does on each member.
async fn delete_all_of(store: &Store, msgs: &[NewMessage]) {
    for (pubkey, hashes) in by_account(msgs) {
        store.delete_by_hashes(pubkey, hashes).await.unwrap();
    }
}

/// Waits (at most `secs`) until `store` holds exactly `want` of `msgs`.
async fn wait_until_held(store: &Store, msgs: &[NewMessage], want: usize, secs: u64, what: &str) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        let n = held(store, msgs).await;
        if n == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{what}: holds {n} of {} messages after {secs} s, expected {want}",
            msgs.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Waits (at most `secs`) until `store` holds every one of `msgs`.
async fn wait_for_all(store: &Store, msgs: &[NewMessage], secs: u64, what: &str) {
    wait_until_held(store, msgs, msgs.len(), secs, what).await;
}

fn extra_config(dir: &Path, seed_url: String) -> NodeConfig {
    NodeConfig {
        data_dir: dir.join("extra"),
        listen: SocketAddr::new(Ipv4Addr::LOCALHOST.into(), 0),
        seed_url,
        rate_limit: false,
        refresh_interval_secs: 1,
        // Only start-up and membership changes trigger catch-up in this test.
        sync_interval_secs: 3600,
        ..NodeConfig::default()
    }
}

async fn start_extra(dir: &Path, seed_url: String, stop: Shutdown) -> NodeHandle {
    tokio::time::timeout(
        Duration::from_secs(20),
        node::start(extra_config(dir, seed_url), stop),
    )
    .await
    .expect("the extra node joins within 20 s")
    .unwrap()
}

/// A catch-up request to `to` signed by `by` (optionally with a body other than the one
/// signed).
async fn sync_request(
    http: &reqwest::Client,
    to: &NodeHandle,
    path: &str,
    by: &NodeIdentity,
    body: &Value,
    sent_body: Option<&Value>,
) -> reqwest::Response {
    let signed = serde_json::to_vec(body).unwrap();
    let auth = PeerAuth::sign(by, SYNC_DOMAIN, &to.ed25519_public(), &signed, now_ms());
    let mut req = http.post(format!("{}{path}", to.url()));
    for (name, value) in auth.headers() {
        req = req.header(name, value);
    }
    let sent = sent_body.map_or(signed, |b| serde_json::to_vec(b).unwrap());
    req.body(sent).send().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_joining_and_a_restarted_node_catch_up_with_their_swarm() {
    let dir = tempfile::tempdir().unwrap();
    let http = client();
    let cfg = DevnetConfig {
        nodes: 4,
        swarm_size: 5,
        dir: dir.path().join("net"),
        base_port: 0,
        rate_limit: false,
        ons: BTreeMap::new(),
    };
    let (net_trigger, net_stop) = shutdown::channel();
    let net = devnet::start(&cfg, net_stop).await.unwrap();
    let swarm = net.nodes()[0].swarm_id();
    assert!(net.nodes().iter().all(|n| n.swarm_id() == swarm));

    // Messages that exist on one member only.
    let accts = accounts(8);
    let only_on_0 = messages(&accts, 600, "a", 10);
    let only_on_1 = messages(&accts, 50, "b", 0);
    let store0 = &net.nodes()[0].context().store;
    store0.store_many(only_on_0.clone()).await.unwrap();
    net.nodes()[1]
        .context()
        .store
        .store_many(only_on_1.clone())
        .await
        .unwrap();
    let all_ab: Vec<NewMessage> = only_on_0.iter().chain(&only_on_1).cloned().collect();

    // A fifth node joins the swarm with an empty store and catches up from every peer.
    let (extra_trigger, extra_stop) = shutdown::channel();
    let extra = start_extra(dir.path(), net.seed_url(), extra_stop).await;
    assert_eq!(extra.swarm_id(), swarm);
    wait_for_all(&extra.context().store, &all_ab, 20, "the joining node").await;
    // Its arrival changed everyone's swarm, so the old members reconcile with each other too.
    for (i, node) in net.nodes().iter().enumerate() {
        wait_for_all(&node.context().store, &all_ab, 20, &format!("member {i}")).await;
    }

    // The endpoints: signed by a member, a page of messages and a digest.
    let me = extra.context().identity.clone();
    let node0 = &net.nodes()[0];
    let full = json!({"start": 0u64, "end": u64::MAX});
    let page_req = json!({"range": full, "after": null, "limit": 10});
    let resp = sync_request(&http, node0, SYNC_PATH, &me, &page_req, None).await;
    assert_eq!(resp.status(), 200);
    let page: Value = resp.json().await.unwrap();
    let msgs = page["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 10);
    for m in msgs {
        for field in ["hash", "pubkey", "namespace", "timestamp", "expiry", "data"] {
            assert!(!m[field].is_null(), "{field} missing in {m}");
        }
    }
    assert!(page["next"]["space"].is_u64() && page["next"]["seq"].is_i64());
    // Paging on from the cursor does not repeat messages.
    let next_req = json!({"range": full, "after": page["next"], "limit": 10});
    let resp = sync_request(&http, node0, SYNC_PATH, &me, &next_req, None).await;
    let page2: Value = resp.json().await.unwrap();
    let first: Vec<&Value> = msgs.iter().map(|m| &m["hash"]).collect();
    for m in page2["messages"].as_array().unwrap() {
        assert!(!first.contains(&&m["hash"]));
    }
    let digest_req = json!({"range": full, "buckets": 16});
    let resp = sync_request(&http, node0, DIGEST_PATH, &me, &digest_req, None).await;
    assert_eq!(resp.status(), 200);
    let digest: Value = resp.json().await.unwrap();
    let buckets = digest["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 16);
    let total: u64 = buckets.iter().map(|b| b[0].as_u64().unwrap()).sum();
    assert_eq!(total, all_ab.len() as u64);

    // Refusals: no authentication, a stranger, a body other than the one tagged, a bad body.
    let resp = http
        .post(format!("{}{SYNC_PATH}", node0.url()))
        .json(&page_req)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let stranger = NodeIdentity::from_seed32(&rand::random::<[u8; 32]>());
    let resp = sync_request(&http, node0, SYNC_PATH, &stranger, &page_req, None).await;
    assert_eq!(resp.status(), 403);
    let other = json!({"range": full, "after": null, "limit": 500});
    let resp = sync_request(&http, node0, SYNC_PATH, &me, &page_req, Some(&other)).await;
    assert_eq!(resp.status(), 401);
    let bad = json!({"range": full, "buckets": 0});
    let resp = sync_request(&http, node0, DIGEST_PATH, &me, &bad, None).await;
    assert_eq!(resp.status(), 400);

    // Stop the fifth node; meanwhile new messages land on member 2 and an expiry is extended
    // on member 0.
    extra_trigger.trigger();
    tokio::time::timeout(Duration::from_secs(15), extra.join())
        .await
        .expect("the extra node stops within 15 s");
    let only_on_2 = messages(&accts, 100, "c", 25);
    net.nodes()[2]
        .context()
        .store
        .store_many(only_on_2.clone())
        .await
        .unwrap();
    let mut extended = only_on_0[7].clone();
    extended.expiry_ms += HOUR_MS;
    store0.store(extended.clone()).await.unwrap();
    // And a delete the stopped node misses: every running member applies it.
    let deleted: Vec<NewMessage> = only_on_1[..20].to_vec();
    for node in net.nodes() {
        delete_all_of(&node.context().store, &deleted).await;
    }

    // Restarted with its stale store, it catches up with the new messages, but it keeps the
    // expiry it had for a message it already holds: catch-up only inserts what is missing, so a
    // peer's longer expiry can never undo an expiry shortening (or a delete) applied here.
    let (extra_trigger, extra_stop) = shutdown::channel();
    let extra = start_extra(dir.path(), net.seed_url(), extra_stop).await;
    let store = &extra.context().store;
    wait_for_all(store, &only_on_2, 20, "the restarted node").await;
    let original_expiry = only_on_0[7].expiry_ms;
    let got = store
        .get_expiries(extended.pubkey, vec![extended.hash.clone()])
        .await
        .unwrap();
    assert_eq!(
        got.get(&extended.hash),
        Some(&original_expiry),
        "catch-up changed the expiry of a message the node already held"
    );
    let kept: Vec<NewMessage> = all_ab
        .iter()
        .filter(|m| !deleted.iter().any(|d| d.hash == m.hash))
        .cloned()
        .collect();
    assert_eq!(held(store, &kept).await, kept.len());
    // The delete it missed reaches it (the members' catch-up pages carry their tombstones), and
    // no member takes the deleted messages back from it when they reconcile with it.
    wait_until_held(store, &deleted, 0, 20, "the restarted node").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for (i, node) in net.nodes().iter().enumerate() {
        let n = held(&node.context().store, &deleted).await;
        assert_eq!(n, 0, "member {i} took back {n} deleted messages");
    }
    assert_eq!(held(store, &deleted).await, 0);

    extra_trigger.trigger();
    net_trigger.trigger();
    tokio::time::timeout(Duration::from_secs(15), async {
        extra.join().await;
        net.join().await;
    })
    .await
    .expect("everything stops within 15 s");
}
