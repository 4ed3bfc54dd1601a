//! Poll cursors, seen hashes and the network caches.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{fresh_store, incoming, peer, reopen};
use session_client::store::{IncomingOutcome, PollBatch, SeenHash, SnodeRecord};
use session_protocol::rpc::{AccountPubkey, Namespace};

const NODE_A: [u8; 32] = [1; 32];
const NODE_B: [u8; 32] = [2; 32];

fn seen(hash: &str, expires_at_ms: i64) -> SeenHash {
    SeenHash {
        hash: hash.to_owned(),
        expires_at_ms,
    }
}

fn snode(n: u8, swarm_id: Option<u64>) -> SnodeRecord {
    SnodeRecord {
        ed25519: [n; 32],
        x25519: [n.wrapping_add(100); 32],
        ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, n)),
        port: 22_000 + u16::from(n),
        swarm_id,
    }
}

#[test]
fn last_hash_is_per_node_and_namespace_with_fallback_and_expiry() {
    let (dir, mut store) = fresh_store();
    let ns = Namespace::DEFAULT;
    assert_eq!(store.last_hash(&NODE_A, ns, 0).unwrap(), None);

    store
        .set_last_hash(&NODE_A, ns, &seen("a1", 1_000), 10)
        .unwrap();
    store
        .set_last_hash(&NODE_A, Namespace::CONTACTS, &seen("c1", 1_000), 10)
        .unwrap();
    assert_eq!(
        store.last_hash(&NODE_A, ns, 20).unwrap().as_deref(),
        Some("a1")
    );
    // Another node without its own cursor borrows the newest one.
    assert_eq!(
        store.last_hash(&NODE_B, ns, 20).unwrap().as_deref(),
        Some("a1")
    );
    store
        .set_last_hash(&NODE_B, ns, &seen("b1", 2_000), 30)
        .unwrap();
    store
        .set_last_hash(&NODE_A, ns, &seen("a2", 1_500), 40)
        .unwrap();
    assert_eq!(
        store.last_hash(&NODE_B, ns, 50).unwrap().as_deref(),
        Some("b1")
    );
    assert_eq!(
        store.last_hash(&NODE_A, ns, 50).unwrap().as_deref(),
        Some("a2")
    );
    assert_eq!(
        store
            .last_hash(&NODE_B, Namespace::CONTACTS, 50)
            .unwrap()
            .as_deref(),
        Some("c1")
    );
    drop(store);

    // Survives a restart; an expired cursor is not used.
    let mut store = reopen(&dir);
    assert_eq!(
        store.last_hash(&NODE_A, ns, 1_600).unwrap().as_deref(),
        Some("b1")
    );
    assert_eq!(store.last_hash(&NODE_A, ns, 2_000).unwrap(), None);
    assert_eq!(store.forget_poll_node(&NODE_A).unwrap(), 2);
    assert_eq!(store.prune_expired_poll_state(2_000).unwrap(), 1);
}

#[test]
fn seen_hashes_dedupe_until_they_expire() {
    let (_dir, mut store) = fresh_store();
    let fresh = store
        .mark_seen(&[seen("x", 100), seen("y", 200), seen("x", 300)])
        .unwrap();
    assert_eq!(fresh, vec![true, true, false]);
    assert_eq!(
        store.unseen_hashes(&["x", "z", "y", "w"]).unwrap(),
        vec!["z", "w"]
    );
    // "x" had its expiry extended to 300 by the repeat.
    assert_eq!(store.prune_expired_poll_state(200).unwrap(), 1);
    assert_eq!(store.unseen_hashes(&["x", "y"]).unwrap(), vec!["y"]);
    assert_eq!(store.prune_expired_poll_state(300).unwrap(), 1);
    assert_eq!(store.unseen_hashes(&["x"]).unwrap(), vec!["x"]);
}

#[test]
fn a_poll_batch_is_applied_atomically() {
    let (_dir, mut store) = fresh_store();
    let batch = PollBatch {
        node_ed25519: NODE_A,
        namespace: Namespace::DEFAULT,
        newest: Some(seen("h3", 9_000)),
        seen: vec![seen("h1", 9_000), seen("h2", 9_000), seen("h3", 9_000)],
        // h2 was a receipt: seen, but no message row.
        messages: vec![
            incoming(peer(1), "one", 100, "h1"),
            incoming(peer(1), "three", 300, "h3"),
        ],
    };
    let outcomes = store.apply_poll_batch(&batch, 1_000).unwrap();
    assert!(outcomes
        .iter()
        .all(|o| matches!(o, IncomingOutcome::Inserted { .. })));
    assert_eq!(
        store
            .last_hash(&NODE_A, Namespace::DEFAULT, 1_000)
            .unwrap()
            .as_deref(),
        Some("h3")
    );
    assert!(store.unseen_hashes(&["h1", "h2", "h3"]).unwrap().is_empty());

    // Polling the same answer again (an older cursor) stores nothing twice.
    let again = store.apply_poll_batch(&batch, 2_000).unwrap();
    assert!(again.iter().all(|o| *o == IncomingOutcome::Duplicate));
}

#[test]
fn snode_pool_round_trips_and_is_replaced_whole() {
    let (dir, mut store) = fresh_store();
    assert_eq!(store.snode_pool().unwrap(), None);
    let nodes = vec![
        snode(1, Some(u64::MAX - 1)),
        snode(2, None),
        snode(3, Some(7)),
    ];
    store.replace_snode_pool(&nodes, 5_000).unwrap();
    drop(store);
    let mut store = reopen(&dir);
    let pool = store.snode_pool().unwrap().unwrap();
    assert_eq!(pool.nodes, nodes);
    assert_eq!(pool.fetched_at_ms, 5_000);

    assert!(store.remove_snode(&[2; 32]).unwrap());
    assert!(!store.remove_snode(&[2; 32]).unwrap());
    store.replace_snode_pool(&[snode(9, None)], 6_000).unwrap();
    let pool = store.snode_pool().unwrap().unwrap();
    assert_eq!(pool.nodes, vec![snode(9, None)]);
}

#[test]
fn swarm_cache_round_trips() {
    let (_dir, mut store) = fresh_store();
    let account = AccountPubkey::from(&peer(1));
    assert_eq!(store.swarm(&account).unwrap(), None);
    let nodes = vec![snode(5, Some(42)), snode(4, Some(42)), snode(6, Some(42))];
    store.save_swarm(&account, Some(42), &nodes, 7_000).unwrap();
    let swarm = store.swarm(&account).unwrap().unwrap();
    assert_eq!(swarm.pubkey, account);
    assert_eq!(swarm.swarm_id, Some(42));
    assert_eq!(swarm.nodes, nodes);
    assert_eq!(swarm.fetched_at_ms, 7_000);

    assert!(store.remove_swarm_node(&account, &[4; 32]).unwrap());
    let swarm = store.swarm(&account).unwrap().unwrap();
    assert_eq!(swarm.nodes, vec![snode(5, Some(42)), snode(6, Some(42))]);

    // Saving again replaces the node list.
    store
        .save_swarm(&account, Some(43), &[snode(8, Some(43))], 8_000)
        .unwrap();
    let swarm = store.swarm(&account).unwrap().unwrap();
    assert_eq!(swarm.nodes, vec![snode(8, Some(43))]);
    assert_eq!(swarm.swarm_id, Some(43));
    // Other accounts are separate.
    assert_eq!(store.swarm(&AccountPubkey::from(&peer(2))).unwrap(), None);
}
