//! A large backlog waiting on the swarm is fetched, decrypted, verified and stored quickly.
//! Checks correctness on 2,000 messages; the speed on 10,000 is the `e2e_backlog` bench.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::{Duration, Instant};

use client_support::{fast_config, fill_swarm, new_account, start_net};
use session_client::protocol::identity::Keypair;
use session_client::Client;

async fn backlog(count: usize) {
    let net = start_net().await;
    let (_b_dir, bob) = new_account();
    let bob_id = bob.session_id();
    let (_, alice) = Keypair::generate();
    fill_swarm(net.net.nodes(), &alice, bob_id, count).await;

    let mut config = fast_config(&net.seed_url());
    config.poll_active = Duration::from_secs(60); // only the first poll counts here
    let started = Instant::now();
    let bob = Client::start(bob, config).await.unwrap();
    while bob.poll_stats().stored < count as u64 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "{:?}",
            bob.poll_stats()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    let requests = bob.message_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].conversation.unread_count, count as u32);
    let all = client_support::all_messages(&bob, requests[0].conversation.id).await;
    assert_eq!(all.len(), count);
    for (i, message) in all.iter().enumerate() {
        assert_eq!(message.body, format!("backlog message {i:05}"));
    }
    let stats = bob.poll_stats();
    assert_eq!(stats.stored, count as u64);
    assert_eq!(stats.garbage + stats.undecryptable + stats.dropped, 0);
    bob.shutdown().await;
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backlog_of_two_thousand_arrives_complete_and_in_order() {
    backlog(2_000).await;
}

// The speed figure (10,000 messages at >= 5,000/s) is measured by
// `cargo bench -p session-client --bench e2e_backlog`, not by a timed test.
