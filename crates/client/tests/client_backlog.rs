//! A large backlog waiting on the swarm is fetched, decrypted, verified and stored quickly.
//! The default test checks correctness on 2,000 messages; the ignored one measures 10,000
//! (`cargo test --release -p session-client --test client_backlog -- --ignored --nocapture`).

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::{Duration, Instant};

use client_support::{fast_config, new_account, start_net, Net};
use session_client::protocol::identity::{Keypair, SessionId};
use session_client::protocol::message::wrap_for_recipient;
use session_client::protocol::proto::Content;
use session_client::protocol::rpc::{build, AccountPubkey, Namespace};
use session_client::Client;

/// Stores `count` messages from `sender` to `recipient` straight into the swarm, 20 per batch
/// request, 8 requests at a time.
async fn fill_swarm(net: &Net, sender: &Keypair, recipient: SessionId, count: usize) {
    let base = session_client::clock::Clock::now_ms(&session_client::SystemClock);
    let sender = sender.clone();
    let payloads = tokio::task::spawn_blocking(move || {
        (0..count)
            .map(|i| {
                let ts = u64::try_from(base).unwrap() + i as u64;
                let content = Content::text(&format!("backlog message {i:05}"), None);
                (
                    ts,
                    wrap_for_recipient(&sender, &recipient, &content, ts).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    // One node of the recipient's swarm (nodes outside it answer 421).
    let account = AccountPubkey::from(&recipient);
    let mut target = None;
    for node in net.net.nodes() {
        let probe = build::get_swarm(account);
        let resp = http
            .post(format!("{}/storage_rpc/v1", node.url()))
            .body(probe.to_body())
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = resp.json().await.unwrap();
        let mine = body["snodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["pubkey_ed25519"] == hex::encode(node.ed25519_public()));
        if mine {
            target = Some(node.url());
            break;
        }
    }
    let url = format!("{}/storage_rpc/v1", target.unwrap());
    let mut requests = Vec::new();
    for chunk in payloads.chunks(20) {
        let stores = chunk
            .iter()
            .map(|(ts, data)| {
                build::store_unsigned(
                    account,
                    Namespace::DEFAULT,
                    data.clone(),
                    14 * 86_400_000,
                    *ts,
                )
                .unwrap()
            })
            .collect();
        requests.push(build::batch(stores).unwrap().to_body());
    }
    let mut requests = requests.into_iter();
    let mut running = tokio::task::JoinSet::new();
    loop {
        while running.len() < 8 {
            let Some(body) = requests.next() else { break };
            let (http, url) = (http.clone(), url.clone());
            running.spawn(async move {
                let resp = http.post(url).body(body).send().await.unwrap();
                assert_eq!(resp.status(), 200);
            });
        }
        match running.join_next().await {
            Some(done) => done.unwrap(),
            None => break,
        }
    }
}

async fn backlog(count: usize) {
    let net = start_net().await;
    let (_b_dir, bob) = new_account();
    let bob_id = bob.session_id();
    let (_, alice) = Keypair::generate();
    fill_swarm(&net, &alice, bob_id, count).await;

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
