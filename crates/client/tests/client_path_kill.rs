//! A node of one of the sender's onion paths stops in the middle of a stream of messages: the
//! path is rebuilt without it, the stream goes on, and every message reaches the recipient
//! exactly once, in order.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::collections::HashSet;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use client_support::{new_account, start_client, start_net_with, wait_incoming, wait_until};
use session_client::net::{NetworkStatus, PathState};
use session_client::store::{Direction, MessageStatus};
use session_client::Client;

const COUNT: usize = 30;
const STOP_AFTER: usize = 10;

/// Waits until nothing accepts connections on `addr`.
async fn wait_closed(addr: std::net::SocketAddr) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
        assert!(Instant::now() < deadline, "the stopped node still accepts");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The client's status once its paths are healthy and its own swarm is known.
async fn ready_status(client: &Client) -> NetworkStatus {
    wait_until("paths and own swarm", Duration::from_secs(20), || async {
        let s = client.network_status();
        let ready = s.online
            && !s.own_swarm.is_empty()
            && !s.paths.is_empty()
            && s.paths.iter().all(|p| p.state == PathState::Healthy);
        ready.then_some(s)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_stopped_path_node_mid_stream_loses_no_message() {
    // 16 nodes in swarms of 4: the two accounts' swarms hold at most 8, so Alice's six path
    // hops almost always include a node outside both (else Alice gets a new account).
    let net = start_net_with(16, 4).await;
    let (_b_dir, bob) = new_account();
    let bob = start_client(&net, bob).await;
    let bob_swarm: HashSet<[u8; 32]> = ready_status(&bob)
        .await
        .own_swarm
        .iter()
        .map(|n| n.ed25519)
        .collect();
    let b_id = *bob.session_id();

    let mut chosen = None;
    let mut dirs = Vec::new();
    for _ in 0..5 {
        let (dir, alice) = new_account();
        dirs.push(dir);
        let alice = start_client(&net, alice).await;
        let status = ready_status(&alice).await;
        let alice_swarm: HashSet<[u8; 32]> = status.own_swarm.iter().map(|n| n.ed25519).collect();
        // Prefer a middle hop (a relay), then any other hop outside both swarms.
        let victim = [1, 0, 2].iter().find_map(|&hop| {
            status.paths.iter().find_map(|p| {
                let node = p.hops.get(hop)?.ed25519;
                (!bob_swarm.contains(&node) && !alice_swarm.contains(&node)).then_some(node)
            })
        });
        if let Some(victim) = victim {
            chosen = Some((alice, status, victim));
            break;
        }
        alice.shutdown().await;
    }
    let (alice, before, victim) = chosen.expect("no path hop outside both swarms in 5 tries");
    let a_id = *alice.session_id();
    let index = net
        .net
        .nodes()
        .iter()
        .position(|n| n.ed25519_public() == victim)
        .unwrap();
    let started = Instant::now();

    // The stream: a message every 30 ms; the victim stops after the tenth.
    let texts: Vec<String> = (0..COUNT).map(|i| format!("stream #{i:02}")).collect();
    let mut ids = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        if i == STOP_AFTER {
            assert!(net.net.stop_node(index));
            wait_closed(net.net.nodes()[index].addr()).await;
        }
        ids.push(alice.send_text(b_id, text.clone()).await.unwrap().id);
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    for id in &ids {
        let status = alice.wait_sent(*id, Duration::from_secs(30)).await.unwrap();
        assert_eq!(status, MessageStatus::Sent);
    }

    // Every message reached Bob once, in order.
    let at_bob = wait_incoming(&bob, a_id, COUNT, Duration::from_secs(20)).await;
    let incoming: Vec<&str> = at_bob
        .iter()
        .filter(|m| m.direction == Direction::Incoming)
        .map(|m| m.body.as_str())
        .collect();
    assert_eq!(
        incoming,
        texts.iter().map(String::as_str).collect::<Vec<_>>()
    );
    // A little longer: no late duplicate shows up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    bob.poll_now().await.unwrap();
    let stats = bob.poll_stats();
    assert_eq!(stats.stored, COUNT as u64, "{stats:?}");

    // Alice's paths: healthy again, none through the stopped node, and the one that went
    // through it has changed.
    let after = wait_until("the path rebuilt", Duration::from_secs(10), || async {
        let s = alice.network_status();
        let rebuilt = s.online
            && !s.paths.is_empty()
            && s.paths.iter().all(|p| {
                p.state == PathState::Healthy && p.hops.iter().all(|h| h.ed25519 != victim)
            });
        rebuilt.then_some(s)
    })
    .await;
    assert_eq!(after.paths.len(), before.paths.len());
    assert!(after.paths.iter().all(|p| p.hops.len() == 3));
    let broken = before
        .paths
        .iter()
        .position(|p| p.hops.iter().any(|h| h.ed25519 == victim))
        .unwrap();
    assert_ne!(after.paths[broken].hops, before.paths[broken].hops);
    eprintln!(
        "{COUNT} messages through a stopped path node in {:?}",
        started.elapsed()
    );

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}
