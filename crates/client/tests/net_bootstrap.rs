//! Bootstrap against a real devnet: pool from the seed cached in SQLite, two tested paths, and
//! a second start from the cache while the seed is unreachable.

#![allow(clippy::unwrap_used)]

mod net_support;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use net_support::{devnet, paths_healthy, store_request, wait_status};
use session_client::clock::ManualClock;
use session_client::net::{NetError, Network, PathState};
use session_client::{Clock, SystemClock};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bootstrap_caches_the_pool_and_builds_two_disjoint_paths() {
    let t = devnet(10, 5).await;
    let net = net_support::network(&t, "a.sqlite3");
    assert!(!net.status().online);
    net.bootstrap().await.unwrap();
    net.bootstrap().await.unwrap(); // idempotent

    let status = net.status();
    assert!(status.online);
    assert_eq!(status.pool_size, 10);
    assert!(paths_healthy(&status), "{status:?}");
    let hops: HashSet<[u8; 32]> = status
        .paths
        .iter()
        .flat_map(|p| p.hops.iter().map(|h| h.ed25519))
        .collect();
    assert_eq!(hops.len(), 6, "paths share a node: {status:?}");
    let devnet_keys: HashSet<[u8; 32]> = t.net.nodes().iter().map(|n| n.ed25519_public()).collect();
    assert!(hops.is_subset(&devnet_keys));
    assert!(status.clock_offset_ms.abs() < 5_000);

    // The pool is in SQLite.
    let store = net_support::shared_store(&t.dir, "a.sqlite3");
    let cached = store.run(|s| s.snode_pool()).await.unwrap().unwrap();
    assert_eq!(cached.nodes.len(), 10);

    // A second network on the same database, its seed unreachable: starts from the cache.
    let mut config = net_support::config("http://127.0.0.1:1");
    config.seed_urls.push("https://127.0.0.1:2".to_owned());
    let offline_seed = Network::new(config, store, Arc::new(SystemClock));
    offline_seed.bootstrap().await.unwrap();
    let status = wait_status(&offline_seed, paths_healthy).await;
    assert_eq!(status.pool_size, 10);
    // And it works end to end.
    let kp = session_protocol::identity::Keypair::generate().1;
    offline_seed
        .store(store_request(&offline_seed, &kp, b"from the cache"))
        .await
        .unwrap();

    // Once the pool is older than `pool_refresh`, it is re-fetched through a path (the
    // seeds are still unreachable) and the cache's time moves.
    let clock = ManualClock::new(SystemClock.now_ms());
    let store = net_support::shared_store(&t.dir, "a.sqlite3");
    let stale = Network::new(
        net_support::config("http://127.0.0.1:1"),
        store.clone(),
        clock.clone(),
    );
    stale.bootstrap().await.unwrap();
    clock.advance_ms(2 * 3600 * 1000);
    let refreshed_at = clock.now_ms();
    stale.bootstrap().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let pool = store.run(|s| s.snode_pool()).await.unwrap().unwrap();
            if pool.fetched_at_ms == refreshed_at {
                assert_eq!(pool.nodes.len(), 10);
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();

    // Without cache and without seed: a typed, retryable error, no panic.
    let lost = Network::new(
        net_support::config("http://127.0.0.1:1"),
        net_support::shared_store(&t.dir, "empty.sqlite3"),
        Arc::new(SystemClock),
    );
    let err = lost.bootstrap().await.unwrap_err();
    assert!(matches!(err, NetError::Bootstrap { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert!(lost
        .status()
        .paths
        .iter()
        .all(|p| p.state != PathState::Healthy));
}
