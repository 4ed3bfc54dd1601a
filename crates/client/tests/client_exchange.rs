//! Two clients on a real devnet exchange messages through three-hop onion paths.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::{Duration, Instant};

use client_support::{new_account, start_client, start_net, wait_incoming};
use session_client::store::{Direction, MessageStatus};
use session_client::Update;

const COUNT: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_accounts_exchange_a_hundred_messages_each_way_in_order() {
    let net = start_net().await;
    let (_a_dir, alice) = new_account();
    let (_b_dir, bob) = new_account();
    let alice = start_client(&net, alice).await;
    let bob = start_client(&net, bob).await;
    let (a_id, b_id) = (*alice.session_id(), *bob.session_id());
    let mut alice_updates = alice.updates();

    let started = Instant::now();
    let texts = |from: &str| -> Vec<String> {
        (0..COUNT)
            .map(|i| format!("{from} #{i:03}: héllo ✓ {}.", "x".repeat(i % 7)))
            .collect()
    };
    let (a_texts, b_texts) = (texts("alice"), texts("bob"));
    let send_all = |client: session_client::Client, peer, texts: Vec<String>| async move {
        let mut ids = Vec::new();
        for text in texts {
            ids.push(client.send_text(peer, text).await.unwrap().id);
        }
        ids
    };
    let (a_ids, b_ids) = tokio::join!(
        send_all(alice.clone(), b_id, a_texts.clone()),
        send_all(bob.clone(), a_id, b_texts.clone())
    );
    for id in &a_ids {
        let status = alice.wait_sent(*id, Duration::from_secs(60)).await.unwrap();
        assert_eq!(status, MessageStatus::Sent);
    }
    for id in &b_ids {
        let status = bob.wait_sent(*id, Duration::from_secs(60)).await.unwrap();
        assert_eq!(status, MessageStatus::Sent);
    }

    let at_bob = wait_incoming(&bob, a_id, COUNT, Duration::from_secs(60)).await;
    let at_alice = wait_incoming(&alice, b_id, COUNT, Duration::from_secs(60)).await;
    eprintln!(
        "exchange of 2 x {COUNT} messages took {:?}",
        started.elapsed()
    );

    // Each side: its own 100 (outgoing) and the peer's 100 (incoming), each in sent order.
    for (view, own_texts, peer_texts, peer) in [
        (&at_bob, &b_texts, &a_texts, a_id),
        (&at_alice, &a_texts, &b_texts, b_id),
    ] {
        let incoming: Vec<&str> = view
            .iter()
            .filter(|m| m.direction == Direction::Incoming)
            .map(|m| m.body.as_str())
            .collect();
        let outgoing: Vec<&str> = view
            .iter()
            .filter(|m| m.direction == Direction::Outgoing)
            .map(|m| m.body.as_str())
            .collect();
        assert_eq!(
            incoming,
            peer_texts.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert_eq!(
            outgoing,
            own_texts.iter().map(String::as_str).collect::<Vec<_>>()
        );
        assert!(view
            .iter()
            .filter(|m| m.direction == Direction::Incoming)
            .all(|m| m.sender == peer && m.server_hash.is_some() && !m.is_read));
        assert!(view
            .iter()
            .filter(|m| m.direction == Direction::Outgoing)
            .all(|m| m.status == Some(MessageStatus::Sent)));
        let sent_times: Vec<i64> = view.iter().map(|m| m.sent_at_ms).collect();
        assert!(sent_times.windows(2).all(|w| w[0] <= w[1]));
    }
    // Search sees every message at once, though the index takes new ones in batches.
    assert_eq!(
        bob.search("alice".to_owned(), 500).await.unwrap().len(),
        COUNT
    );
    assert_eq!(
        alice.search("hello".to_owned(), 500).await.unwrap().len(),
        2 * COUNT
    );
    // Both wrote to each other first, so neither conversation is a request.
    assert!(bob.message_requests().await.unwrap().is_empty());
    assert_eq!(bob.conversations().await.unwrap().len(), 1);
    assert_eq!(
        bob.conversations().await.unwrap()[0]
            .conversation
            .unread_count,
        COUNT as u32
    );

    // Alice was told about her messages being added, sent, and Bob's arriving.
    let mut saw_added_incoming = false;
    let mut saw_sent = false;
    while let Ok(update) = alice_updates.try_recv() {
        match update {
            Update::MessageAdded { message, .. } if message.direction == Direction::Incoming => {
                saw_added_incoming = true;
            }
            Update::MessageStatus {
                status: MessageStatus::Sent,
                ..
            } => saw_sent = true,
            _ => {}
        }
    }
    assert!(saw_added_incoming && saw_sent);

    // The network ran over onion paths of three hops.
    let status = alice.network_status();
    assert!(status.online);
    assert!(status.paths.iter().all(|p| p.hops.len() == 3));
    assert!(!status.paths.is_empty());
    // A poll of our own waits for the one in progress to finish counting what it stored.
    bob.poll_now().await.unwrap();
    let stats = bob.poll_stats();
    assert_eq!(stats.stored, COUNT as u64);
    assert_eq!(stats.garbage + stats.undecryptable + stats.tampered, 0);

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}
