//! `store` and `retrieve` through onion paths on a real devnet: paging by last hash, opaque
//! bytes, signed stores, and a poisoned swarm cache (421).

#![allow(clippy::unwrap_used)]

mod net_support;

use std::collections::HashSet;

use net_support::{devnet, store_request};
use session_client::net::{NetError, SnodeInfo, StoreRequest};
use session_client::store::SnodeRecord;
use session_protocol::identity::Keypair;
use session_protocol::rpc::{AccountPubkey, Namespace};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn store_then_retrieve_with_paging_and_wrong_swarm_recovery() {
    let t = devnet(10, 5).await;
    let net = net_support::network(&t, "a.sqlite3");
    let kp = Keypair::generate().1;
    let account = AccountPubkey::from(&kp.session_id());

    // Three messages, one of them arbitrary binary, through onion paths.
    let garbage: Vec<u8> = (0..=255u8).rev().chain(0..=255).collect();
    let bodies: Vec<Vec<u8>> = vec![b"one".to_vec(), garbage, b"three".to_vec()];
    let mut hashes = Vec::new();
    for body in &bodies {
        let ack = net.store(store_request(&net, &kp, body)).await.unwrap();
        assert!(!ack.hash.is_empty());
        hashes.push(ack.hash);
    }
    assert_eq!(hashes.iter().collect::<HashSet<_>>().len(), 3);

    // Poll the own swarm.
    let node = net.poll_node(&account).await.unwrap();
    assert_eq!(net.poll_node(&account).await.unwrap(), node, "sticky");
    let status = net.status();
    assert_eq!(status.own_swarm.len(), 5);
    assert!(status.own_swarm.contains(&node));
    let swarm_id = t
        .net
        .nodes()
        .iter()
        .find(|n| n.ed25519_public() == node.ed25519)
        .unwrap()
        .swarm_id();

    let all = net.retrieve(&node, &kp, Namespace(0), None).await.unwrap();
    let got: Vec<&[u8]> = all.messages.iter().map(|m| m.data.as_slice()).collect();
    assert_eq!(got, bodies.iter().map(Vec::as_slice).collect::<Vec<_>>());
    assert_eq!(
        all.messages
            .iter()
            .map(|m| m.hash.clone())
            .collect::<Vec<_>>(),
        hashes
    );
    assert!(!all.more);
    for m in &all.messages {
        assert!(m.expires_at_ms > m.timestamp_ms);
    }

    // Paging: after the first hash only the last two; after the last, nothing.
    let page = net
        .retrieve(&node, &kp, Namespace(0), Some(hashes[0].clone()))
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 2);
    assert_eq!(page.messages[0].hash, hashes[1]);
    let empty = net
        .retrieve(&node, &kp, Namespace(0), Some(hashes[2].clone()))
        .await
        .unwrap();
    assert!(empty.messages.is_empty());

    // Another swarm member has them too (the store reached the whole swarm).
    let other = status
        .own_swarm
        .iter()
        .find(|n| **n != node)
        .unwrap()
        .clone();
    let from_other = net.retrieve(&other, &kp, Namespace(0), None).await.unwrap();
    assert_eq!(from_other.messages.len(), 3);

    // A signed store into the signer's own private namespace.
    let stranger = Keypair::generate().1;
    let mut signed = store_request(&net, &stranger, b"own config");
    signed.namespace = Namespace(2);
    signed.signer = Some(stranger.clone());
    net.store(signed).await.unwrap();
    // Unsigned into a private namespace: the node refuses; the path is not blamed.
    let mut unsigned = store_request(&net, &stranger, b"not allowed");
    unsigned.namespace = Namespace(2);
    let err = net.store(unsigned).await.unwrap_err();
    assert!(
        matches!(err, NetError::Rejected { status: 401, .. }),
        "{err:?}"
    );
    assert!(!err.is_retryable());
    assert!(net_support::paths_healthy(&net.status()));

    // A poisoned swarm cache: the other swarm's nodes. The store hits 421, learns the right
    // swarm from the answer, caches it and succeeds.
    let store = net_support::shared_store(&t.dir, "a.sqlite3");
    let pool = store.run(|s| s.snode_pool()).await.unwrap().unwrap();
    let wrong: HashSet<[u8; 32]> = t
        .net
        .nodes()
        .iter()
        .filter(|n| n.swarm_id() != swarm_id)
        .map(|n| n.ed25519_public())
        .collect();
    let wrong_nodes: Vec<SnodeRecord> = pool
        .nodes
        .iter()
        .filter(|n| wrong.contains(&n.ed25519))
        .cloned()
        .collect();
    assert_eq!(wrong_nodes.len(), 5);
    let now = net.network_now_ms();
    store
        .run(move |s| s.save_swarm(&account, Some(1), &wrong_nodes, now))
        .await
        .unwrap();
    let ack = net
        .store(store_request(&net, &kp, b"after 421"))
        .await
        .unwrap();
    let fixed = store
        .run(move |s| s.swarm(&account))
        .await
        .unwrap()
        .unwrap();
    let fixed_keys: HashSet<[u8; 32]> = fixed.nodes.iter().map(|n| n.ed25519).collect();
    assert!(
        fixed_keys.is_disjoint(&wrong),
        "the cache still holds the wrong swarm"
    );
    assert_eq!(fixed.nodes.len(), 5);

    // Retrieve from a node of the wrong swarm: WrongSwarm, and the next poll node is right.
    let wrong_node = pool
        .nodes
        .iter()
        .find(|n| wrong.contains(&n.ed25519))
        .map(|r| SnodeInfo {
            ed25519: r.ed25519,
            x25519: r.x25519,
            ip: r.ip.to_string(),
            port: r.port,
        })
        .unwrap();
    let err = net
        .retrieve(&wrong_node, &kp, Namespace(0), None)
        .await
        .unwrap_err();
    assert!(matches!(err, NetError::WrongSwarm), "{err:?}");
    let node = net.poll_node(&account).await.unwrap();
    assert!(fixed_keys.contains(&node.ed25519));
    let all = net.retrieve(&node, &kp, Namespace(0), None).await.unwrap();
    assert_eq!(all.messages.last().unwrap().hash, ack.hash);
    assert_eq!(all.messages.len(), 4);

    // Bad input is a typed error before anything is sent.
    let bad = StoreRequest {
        data_b64: "not base64!".to_owned(),
        ..store_request(&net, &kp, b"x")
    };
    assert!(matches!(
        net.store(bad).await,
        Err(NetError::InvalidRequest(_))
    ));
}
