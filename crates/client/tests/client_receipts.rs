//! Read receipts and typing indicators travel only when the settings allow them.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::{
    new_account, start_client, start_net, wait_incoming, wait_until, wait_update,
};
use session_client::store::{MessageStatus, Settings};
use session_client::Update;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn read_receipts_and_typing_follow_the_settings() {
    let net = start_net().await;
    let (_a, alice) = new_account();
    let (_b, bob) = new_account();
    let alice = start_client(&net, alice).await;
    let bob = start_client(&net, bob).await;
    let (a_id, b_id) = (*alice.session_id(), *bob.session_id());
    let on = Settings {
        read_receipts: true,
        typing_indicators: true,
        ..Settings::default()
    };
    alice.set_settings(on).await.unwrap();
    bob.start_conversation(a_id).await.unwrap(); // Bob knows Alice: not a request

    // Receipts off at Bob: reading sends nothing.
    let first = alice.send_text(b_id, "one".into()).await.unwrap();
    alice.wait_sent(first.id, WAIT).await.unwrap();
    let got = wait_incoming(&bob, a_id, 1, WAIT).await;
    bob.mark_read(got[0].conversation_id).await.unwrap();
    assert_eq!(
        bob.conversations().await.unwrap()[0]
            .conversation
            .unread_count,
        0
    );

    // Receipts on at Bob: the second message is marked read at Alice.
    bob.set_settings(on).await.unwrap();
    let mut alice_updates = alice.updates();
    let second = alice.send_text(b_id, "two".into()).await.unwrap();
    assert_eq!(
        alice.wait_sent(second.id, WAIT).await.unwrap(),
        MessageStatus::Sent
    );
    wait_incoming(&bob, a_id, 2, WAIT).await;
    bob.mark_read(got[0].conversation_id).await.unwrap();
    wait_until("the read receipt", WAIT, || async {
        alice
            .message(second.id)
            .await
            .unwrap()
            .filter(|m| m.is_read)
    })
    .await;
    assert!(!alice.message(first.id).await.unwrap().unwrap().is_read);
    wait_update(
        &mut alice_updates,
        "MessageRead for the second message",
        WAIT,
        |u| matches!(u, Update::MessageRead { message, .. } if *message == second.id),
    )
    .await;

    // Typing: Bob types, Alice sees it.
    let mut alice_updates = alice.updates();
    bob.set_typing(got[0].conversation_id, true).await.unwrap();
    let typing = tokio::time::timeout(WAIT, async {
        loop {
            if let Ok(Update::Typing { typing, .. }) = alice_updates.recv().await {
                return typing;
            }
        }
    })
    .await
    .unwrap();
    assert!(typing);

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}
