//! Failures on a real devnet: a node of a path stops (the path is rebuilt without it and
//! requests still succeed), and a local clock two minutes off (the node's time is adopted).

#![allow(clippy::unwrap_used)]

mod net_support;

use std::net::TcpStream;
use std::time::{Duration, Instant};

use net_support::{devnet, paths_healthy, store_request, wait_status};
use session_client::clock::ManualClock;
use session_client::net::PathState;
use session_client::Clock;
use session_client::SystemClock;
use session_protocol::identity::Keypair;
use session_protocol::rpc::{AccountPubkey, Namespace};

/// Waits until nothing accepts connections on `addr`.
async fn wait_closed(addr: std::net::SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
        assert!(Instant::now() < deadline, "the stopped node still accepts");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_path_node_is_replaced_and_requests_succeed() {
    let t = devnet(10, 5).await;
    let net = net_support::network(&t, "a.sqlite3");
    net.bootstrap().await.unwrap();
    let before = net.status();
    assert!(paths_healthy(&before));

    // Stop the middle node of the first path; the account's swarm does not include it (a
    // dead destination is a different case: it must not cost the other path).
    let victim = before.paths[0].hops[1].ed25519;
    let kp = loop {
        let kp = Keypair::generate().1;
        let account = AccountPubkey::from(&kp.session_id());
        net.poll_node(&account).await.unwrap();
        if net.status().own_swarm.iter().all(|n| n.ed25519 != victim) {
            break kp;
        }
    };
    let index = t
        .net
        .nodes()
        .iter()
        .position(|n| n.ed25519_public() == victim)
        .unwrap();
    assert!(t.net.stop_node(index));
    wait_closed(t.net.nodes()[index].addr()).await;

    // Requests alternate between the paths; every one succeeds (a failure on the broken path
    // is retried on the other).
    for i in 0..4u8 {
        net.store(store_request(&net, &kp, &[i; 8])).await.unwrap();
    }
    let after = wait_status(&net, |s| {
        paths_healthy(s)
            && s.paths
                .iter()
                .all(|p| p.hops.iter().all(|h| h.ed25519 != victim))
    })
    .await;
    // The untouched path is the same; the broken one has new nodes.
    assert_eq!(after.paths[1].hops, before.paths[1].hops);
    assert_ne!(after.paths[0].hops, before.paths[0].hops);
    assert!(after.online);

    // Everything stored is there.
    let account = AccountPubkey::from(&kp.session_id());
    let mut found = 0;
    for _ in 0..3 {
        let node = net.poll_node(&account).await.unwrap();
        match net.retrieve(&node, &kp, Namespace(0), None).await {
            Ok(r) => {
                found = r.messages.len();
                break;
            }
            Err(e) => assert!(e.is_retryable(), "{e:?}"),
        }
    }
    assert_eq!(found, 4);
    assert!(net
        .status()
        .paths
        .iter()
        .all(|p| p.state == PathState::Healthy));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn clock_offsets_are_learnt_and_requests_corrected() {
    let t = devnet(8, 4).await;
    let real = SystemClock.now_ms();

    // Two minutes ahead from the start: the path tests already teach the offset.
    let ahead = ManualClock::new(real + 120_000);
    let net = net_support::network_with_clock(&t, "ahead.sqlite3", ahead.clone());
    net.bootstrap().await.unwrap();
    let offset = net.status().clock_offset_ms;
    assert!((offset + 120_000).abs() < 5_000, "offset {offset}");
    assert!((net.network_now_ms() - SystemClock.now_ms()).abs() < 5_000);
    let kp = Keypair::generate().1;
    net.store(store_request(&net, &kp, b"ahead")).await.unwrap();

    // The clock jumps two minutes after bootstrap: the store timestamp is now out of the
    // node's window (406); the node's time is adopted and the store retried.
    ahead.advance_ms(120_000);
    let skewed = net.network_now_ms();
    assert!(skewed - SystemClock.now_ms() > 100_000);
    net.store(store_request(&net, &kp, b"after the jump"))
        .await
        .unwrap();
    let offset = net.status().clock_offset_ms;
    assert!((offset + 240_000).abs() < 5_000, "offset {offset}");

    // Signed retrieve also uses the corrected time; and after another jump (behind this
    // time) it fixes itself once more.
    let account = AccountPubkey::from(&kp.session_id());
    let node = net.poll_node(&account).await.unwrap();
    let got = net.retrieve(&node, &kp, Namespace(0), None).await.unwrap();
    assert_eq!(got.messages.len(), 2);
    ahead.advance_ms(-400_000);
    let got = net.retrieve(&node, &kp, Namespace(0), None).await.unwrap();
    assert_eq!(got.messages.len(), 2);
    let offset = net.status().clock_offset_ms;
    assert!(
        (offset + 240_000 - 400_000).abs() < 5_000,
        "offset {offset}"
    );
    assert!((net.network_now_ms() - SystemClock.now_ms()).abs() < 5_000);
}
