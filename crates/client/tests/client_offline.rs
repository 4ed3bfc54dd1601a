//! A recipient that is offline while messages are sent gets them all later; an account
//! restored from its phrase in another data directory gets the messages still on the swarm.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::{new_account, start_client, start_net, wait_incoming};
use session_client::store::{Direction, MessageStatus};
use session_client::{Account, Client, DataDir};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn offline_recipient_gets_everything_and_a_restored_account_too() {
    let net = start_net().await;
    let (_a_dir, alice) = new_account();
    let (b_dir, bob) = new_account();
    let bob_id = bob.session_id();
    let phrase = bob.recovery_phrase();
    drop(bob); // Bob is offline: no client runs for him.

    let alice = start_client(&net, alice).await;
    let a_id = *alice.session_id();
    let texts: Vec<String> = (0..25)
        .map(|i| format!("while you were away {i}"))
        .collect();
    let mut ids = Vec::new();
    for text in &texts {
        ids.push(alice.send_text(bob_id, text.clone()).await.unwrap().id);
    }
    for id in ids {
        assert_eq!(
            alice.wait_sent(id, Duration::from_secs(30)).await.unwrap(),
            MessageStatus::Sent
        );
    }

    // Bob comes online much later and gets everything, in order, as a message request.
    let bob = Client::start(
        client_support::load_account(b_dir.path()),
        client_support::fast_config(&net.seed_url()),
    )
    .await
    .unwrap();
    let got = wait_incoming(&bob, a_id, texts.len(), Duration::from_secs(30)).await;
    let bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, texts.iter().map(String::as_str).collect::<Vec<_>>());
    let requests = bob.message_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].conversation.peer, a_id);
    assert_eq!(requests[0].conversation.unread_count, texts.len() as u32);
    assert!(bob.conversations().await.unwrap().is_empty());
    // Polling again stores nothing twice.
    assert_eq!(bob.poll_now().await.unwrap(), 0);
    bob.shutdown().await;

    // The same account restored from its phrase into another directory.
    let other = tempfile::tempdir().unwrap();
    let restored = Account::restore(DataDir::new(other.path().join("data")), &phrase).unwrap();
    assert_eq!(restored.session_id(), bob_id);
    let restored = Client::start(restored, client_support::fast_config(&net.seed_url()))
        .await
        .unwrap();
    assert_eq!(*restored.session_id(), bob_id);
    assert_eq!(restored.recovery_phrase().as_str(), phrase.as_str());
    let again = wait_incoming(&restored, a_id, texts.len(), Duration::from_secs(30)).await;
    assert_eq!(again.len(), texts.len());
    assert!(again.iter().all(|m| m.direction == Direction::Incoming));
    let bodies: Vec<&str> = again.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, texts.iter().map(String::as_str).collect::<Vec<_>>());

    restored.shutdown().await;
    alice.shutdown().await;
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sending_to_yourself_is_stored_once() {
    let net = start_net().await;
    let (_dir, me) = new_account();
    let me = start_client(&net, me).await;
    let my_id = *me.session_id();
    let note = me.send_text(my_id, "note to self".into()).await.unwrap();
    assert_eq!(
        me.wait_sent(note.id, Duration::from_secs(30))
            .await
            .unwrap(),
        MessageStatus::Sent
    );
    me.poll_now().await.unwrap();
    let conversation = me.conversation_with(my_id).await.unwrap().unwrap();
    let messages = client_support::all_messages(&me, conversation.id).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].direction, Direction::Outgoing);
    assert!(me.poll_stats().own >= 1);
    me.shutdown().await;
    net.stop().await;
}
