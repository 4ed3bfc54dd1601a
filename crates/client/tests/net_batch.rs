//! `store_sequence` and `poll_batch` through onion paths on a real devnet: the user config push
//! (signed stores into namespaces 2–5, then a delete of an obsolete hash), one batch polling
//! `[0, 2, 3, 5, 4]` with paging by last hash and a TTL refresh, a sequence that stops at a
//! refused step, and the whole-request failures (wrong swarm, clock) handled as for one RPC.

#![allow(clippy::unwrap_used)]

mod net_support;

use std::collections::{HashMap, HashSet};

use net_support::{devnet, store_request};
use session_client::clock::ManualClock;
use session_client::net::{
    ExpireRefresh, NetError, Network, RetrieveResult, SequenceStore, SnodeInfo,
};
use session_client::{Clock, SystemClock};
use session_protocol::identity::Keypair;
use session_protocol::rpc::{AccountPubkey, Namespace};

const HOUR_MS: u64 = 3600 * 1000;
const DAY_MS: u64 = 24 * HOUR_MS;

/// The user swarm's poll order (CONFIG-GROUPS.md §1.10).
const POLL_ORDER: [i16; 5] = [0, 2, 3, 5, 4];

fn store(namespace: i16, data: &str) -> SequenceStore {
    SequenceStore {
        namespace: Namespace(namespace),
        data: data.as_bytes().to_vec(),
        ttl_ms: HOUR_MS,
    }
}

fn hashes(result: &Result<RetrieveResult, NetError>) -> Vec<String> {
    let result = result.as_ref().unwrap();
    result.messages.iter().map(|m| m.hash.clone()).collect()
}

fn datas(result: &Result<RetrieveResult, NetError>) -> Vec<String> {
    let result = result.as_ref().unwrap();
    result
        .messages
        .iter()
        .map(|m| String::from_utf8(m.data.clone()).unwrap())
        .collect()
}

fn poll_all(last: &HashMap<i16, String>) -> Vec<(Namespace, Option<String>)> {
    POLL_ORDER
        .iter()
        .map(|ns| (Namespace(*ns), last.get(ns).cloned()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn config_push_then_one_batch_poll_with_paging_and_ttl_refresh() {
    let t = devnet(10, 5).await;
    let net = net_support::network(&t, "a.sqlite3");
    let kp = Keypair::generate().1;
    let account = AccountPubkey::from(&kp.session_id());

    // A DM in namespace 0 (someone else's unsigned store) and a first config push.
    let dm = net
        .store(store_request(&net, &kp, b"dm"))
        .await
        .unwrap()
        .hash;
    let first = net
        .store_sequence(
            &kp,
            vec![store(2, "profile 1"), store(3, "contacts 1")],
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(first.hashes.len(), 2);
    assert!(!first.deleted, "no delete was asked");

    // The second push: all four config namespaces, and the obsolete profile deleted.
    let second = net
        .store_sequence(
            &kp,
            vec![
                store(2, "profile 2"),
                store(3, "contacts 2"),
                store(4, "volatile 1"),
                store(5, "groups 1"),
            ],
            vec![first.hashes[0].clone()],
        )
        .await
        .unwrap();
    assert_eq!(second.hashes.len(), 4);
    assert!(second.deleted);
    let all: HashSet<&String> = first.hashes.iter().chain(&second.hashes).collect();
    assert_eq!(all.len(), 6, "distinct hashes");

    // One batch for [0, 2, 3, 5, 4]: each namespace's messages, in order; the deleted profile
    // is gone.
    let node = net.poll_node(&account).await.unwrap();
    let polled = net
        .poll_batch(&node, &kp, &poll_all(&HashMap::new()), None)
        .await
        .unwrap();
    assert_eq!(polled.len(), 5);
    assert_eq!(hashes(&polled[0]), std::slice::from_ref(&dm));
    assert_eq!(datas(&polled[1]), ["profile 2"]);
    assert_eq!(hashes(&polled[1]), std::slice::from_ref(&second.hashes[0]));
    assert_eq!(datas(&polled[2]), ["contacts 1", "contacts 2"]);
    assert_eq!(
        hashes(&polled[2]),
        [first.hashes[1].clone(), second.hashes[1].clone()]
    );
    assert_eq!(datas(&polled[3]), ["groups 1"]);
    assert_eq!(datas(&polled[4]), ["volatile 1"]);
    assert!(polled.iter().all(|r| !r.as_ref().unwrap().more));

    // The delete reached the whole swarm: another member has no old profile either.
    let other = net
        .status()
        .own_swarm
        .into_iter()
        .find(|n| *n != node)
        .unwrap();
    let profile = net.retrieve(&other, &kp, Namespace(2), None).await.unwrap();
    assert_eq!(profile.messages.len(), 1);
    assert_eq!(profile.messages[0].hash, second.hashes[0]);

    // Paging per namespace: after the first contacts only the second; after the last hash of
    // the others nothing; namespaces keep their own last hash.
    let mut last: HashMap<i16, String> = HashMap::new();
    last.insert(0, dm.clone());
    last.insert(3, first.hashes[1].clone());
    last.insert(5, second.hashes[3].clone());
    let page = net
        .poll_batch(&other, &kp, &poll_all(&last), None)
        .await
        .unwrap();
    assert!(hashes(&page[0]).is_empty());
    assert_eq!(hashes(&page[1]), std::slice::from_ref(&second.hashes[0]));
    assert_eq!(hashes(&page[2]), std::slice::from_ref(&second.hashes[1]));
    assert!(hashes(&page[3]).is_empty());
    assert_eq!(hashes(&page[4]), std::slice::from_ref(&second.hashes[2]));

    // The TTL refresh: the current configs to now + 30 days, sent with the poll. The
    // retrieves answer as usual; a later retrieve shows the new expiry, and the old contacts
    // (not refreshed) keep theirs.
    let before = polled[2].as_ref().unwrap().messages.clone();
    assert!(before
        .iter()
        .all(|m| m.expires_at_ms <= m.timestamp_ms + HOUR_MS as i64));
    let expiry = u64::try_from(net.network_now_ms()).unwrap() + 30 * DAY_MS;
    let refresh = ExpireRefresh {
        hashes: second.hashes.clone(),
        expiry_ms: expiry,
    };
    let refreshed = net
        .poll_batch(&node, &kp, &poll_all(&HashMap::new()), Some(refresh))
        .await
        .unwrap();
    assert_eq!(refreshed.len(), 5);
    assert_eq!(datas(&refreshed[2]), ["contacts 1", "contacts 2"]);
    let after = net
        .retrieve(&node, &kp, Namespace(3), None)
        .await
        .unwrap()
        .messages;
    assert_eq!(
        after[0].expires_at_ms, before[0].expires_at_ms,
        "not refreshed"
    );
    let new_expiry = after[1].expires_at_ms;
    // The node caps the expiry at its own now + 30 days, a few ms before ours at most.
    assert!(new_expiry <= expiry as i64, "{new_expiry} > {expiry}");
    assert!(
        new_expiry > expiry as i64 - 60_000,
        "{new_expiry} is not about {expiry}"
    );
    for ns in [2, 4, 5] {
        let got = net
            .retrieve(&other, &kp, Namespace(ns), None)
            .await
            .unwrap();
        assert!(
            got.messages[0].expires_at_ms > expiry as i64 - 60_000,
            "namespace {ns} not refreshed on another member"
        );
    }
    // An empty refresh is no refresh.
    let empty = ExpireRefresh {
        hashes: vec![],
        expiry_ms: expiry,
    };
    let polled = net
        .poll_batch(&node, &kp, &[(Namespace(3), None)], Some(empty))
        .await
        .unwrap();
    assert_eq!(polled.len(), 1);
}

/// A node of the devnet outside `account`'s swarm.
async fn node_outside_swarm(t: &net_support::TestNet, net: &Network, kp: &Keypair) -> SnodeInfo {
    let account = AccountPubkey::from(&kp.session_id());
    let node = net.poll_node(&account).await.unwrap();
    let swarm_id = t
        .net
        .nodes()
        .iter()
        .find(|n| n.ed25519_public() == node.ed25519)
        .unwrap()
        .swarm_id();
    let store = net_support::shared_store(&t.dir, "b.sqlite3");
    let pool = store.run(|s| s.snode_pool()).await.unwrap().unwrap();
    let outside: HashSet<[u8; 32]> = t
        .net
        .nodes()
        .iter()
        .filter(|n| n.swarm_id() != swarm_id)
        .map(|n| n.ed25519_public())
        .collect();
    pool.nodes
        .iter()
        .find(|n| outside.contains(&n.ed25519))
        .map(|r| SnodeInfo {
            ed25519: r.ed25519,
            x25519: r.x25519,
            ip: r.ip.to_string(),
            port: r.port,
        })
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn refused_steps_wrong_swarm_and_clock_in_batches() {
    let t = devnet(10, 5).await;
    let net = net_support::network(&t, "b.sqlite3");
    let kp = Keypair::generate().1;
    let account = AccountPubkey::from(&kp.session_id());

    // Bad input: typed errors before anything is sent.
    assert!(matches!(
        net.store_sequence(&kp, vec![], vec![]).await,
        Err(NetError::InvalidRequest(_))
    ));
    let too_many: Vec<SequenceStore> = (0..21).map(|i| store(2, &format!("{i}"))).collect();
    assert!(matches!(
        net.store_sequence(&kp, too_many, vec![]).await,
        Err(NetError::InvalidRequest(_))
    ));
    let node = net.poll_node(&account).await.unwrap();
    assert!(matches!(
        net.poll_batch(&node, &kp, &[], None).await,
        Err(NetError::InvalidRequest(_))
    ));
    let many: Vec<(Namespace, Option<String>)> = (0..21).map(|i| (Namespace(i), None)).collect();
    assert!(matches!(
        net.poll_batch(&node, &kp, &many, None).await,
        Err(NetError::InvalidRequest(_))
    ));

    // The second store asks for a TTL above the 30-day maximum: the node refuses it and the
    // sequence stops there; the first store was done, the delete after it was not.
    let kept = net
        .store_sequence(&kp, vec![store(2, "kept")], vec![])
        .await
        .unwrap();
    let mut too_long = store(3, "too long");
    too_long.ttl_ms = 60 * DAY_MS;
    let err = net
        .store_sequence(
            &kp,
            vec![store(5, "first"), too_long],
            vec![kept.hashes[0].clone()],
        )
        .await
        .unwrap_err();
    let NetError::SequenceStopped {
        step, total, what, ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(
        (*step, *total, what.as_str()),
        (2, 3, "store into namespace 3")
    );
    assert!(!err.is_retryable(), "{err}");
    assert!(err.to_string().contains("step 2 of 3"), "{err}");
    let polled = net
        .poll_batch(
            &node,
            &kp,
            &[
                (Namespace(2), None),
                (Namespace(3), None),
                (Namespace(5), None),
            ],
            None,
        )
        .await
        .unwrap();
    assert_eq!(datas(&polled[0]), ["kept"], "the delete did not run");
    assert!(hashes(&polled[1]).is_empty());
    assert_eq!(datas(&polled[2]), ["first"]);

    // A node of another swarm: every retrieve of the batch is 421, which is the whole
    // request's WrongSwarm, and the right swarm is saved (the next poll node is in it).
    let outside = node_outside_swarm(&t, &net, &kp).await;
    let err = net
        .poll_batch(&outside, &kp, &[(Namespace(2), None)], None)
        .await
        .unwrap_err();
    assert!(matches!(err, NetError::WrongSwarm), "{err:?}");
    let again = net.poll_node(&account).await.unwrap();
    assert_ne!(again.ed25519, outside.ed25519);

    // The local clock jumps two minutes after bootstrap: the signed stores and retrieves of
    // the sequence and the batch are refused (406), the node's time adopted, and both
    // retried once successfully.
    let clock = ManualClock::new(SystemClock.now_ms());
    let skewed = net_support::network_with_clock(&t, "c.sqlite3", clock.clone());
    skewed.bootstrap().await.unwrap();
    clock.advance_ms(120_000);
    let pushed = skewed
        .store_sequence(&kp, vec![store(4, "after the jump")], vec![])
        .await
        .unwrap();
    let offset = skewed.status().clock_offset_ms;
    assert!((offset + 120_000).abs() < 5_000, "offset {offset}");
    clock.advance_ms(-300_000);
    let node = skewed.poll_node(&account).await.unwrap();
    let polled = skewed
        .poll_batch(&node, &kp, &[(Namespace(4), None)], None)
        .await
        .unwrap();
    assert_eq!(hashes(&polled[0]), pushed.hashes);
    // The store that went through carries the corrected time, not the skewed clock's.
    let stored_at = polled[0].as_ref().unwrap().messages[0].timestamp_ms;
    assert!(
        (stored_at - SystemClock.now_ms()).abs() < 10_000,
        "{stored_at}"
    );
    let offset = skewed.status().clock_offset_ms;
    assert!((offset - 180_000).abs() < 5_000, "offset {offset}");
}
