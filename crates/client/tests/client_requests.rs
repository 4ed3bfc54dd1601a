//! Message requests: a stranger's first message waits in the requests list; accepting tells
//! the sender, declining deletes it (and optionally blocks the sender).

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::{
    conversation_with, new_account, start_client, start_net, wait_until, wait_update,
};
use session_client::store::{MessageStatus, Store};
use session_client::{Client, Update};

const WAIT: Duration = Duration::from_secs(30);

async fn send_and_wait(
    from: &Client,
    to: session_client::protocol::identity::SessionId,
    text: &str,
) {
    let message = from.send_text(to, text.to_owned()).await.unwrap();
    assert_eq!(
        from.wait_sent(message.id, WAIT).await.unwrap(),
        MessageStatus::Sent
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accepting_a_request_moves_it_and_tells_the_sender() {
    let net = start_net().await;
    let (_b_dir, bob) = new_account();
    let (m_dir, mallory) = new_account();
    let bob = start_client(&net, bob).await;
    let stranger = start_client(&net, mallory).await;
    stranger
        .set_display_name(Some("Stranger Danger".into()))
        .await
        .unwrap();
    let (bob_id, stranger_id) = (*bob.session_id(), *stranger.session_id());
    let mut updates = bob.updates();

    send_and_wait(&stranger, bob_id, "hi, we have not met").await;
    let id = conversation_with(&bob, stranger_id, WAIT).await;
    let requests = bob.message_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].conversation.id, id);
    assert_eq!(
        requests[0].last_message.as_deref(),
        Some("hi, we have not met")
    );
    // The profile name travelled with the message.
    assert_eq!(requests[0].peer_name.as_deref(), Some("Stranger Danger"));
    assert!(bob.conversations().await.unwrap().is_empty());
    wait_update(
        &mut updates,
        "RequestArrived",
        WAIT,
        |u| matches!(u, Update::RequestArrived { conversation } if *conversation == id),
    )
    .await;

    bob.accept_request(id).await.unwrap();
    assert!(bob.message_requests().await.unwrap().is_empty());
    let list = bob.conversations().await.unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].conversation.peer, stranger_id);

    // The sender learns that Bob accepted (their contact entry says so).
    let store = Store::open(&m_dir.path().join("data").join("session.sqlite3")).unwrap();
    wait_until("the request response to arrive", WAIT, || async {
        store.contact(&bob_id).unwrap().filter(|c| c.approved_me)
    })
    .await;

    // Later messages from an accepted sender go straight to the conversation list.
    send_and_wait(&stranger, bob_id, "thanks!").await;
    client_support::wait_incoming(&bob, stranger_id, 2, WAIT).await;
    assert!(bob.message_requests().await.unwrap().is_empty());

    bob.shutdown().await;
    stranger.shutdown().await;
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn declining_deletes_the_request_and_blocking_drops_later_messages() {
    let net = start_net().await;
    let (_b_dir, bob) = new_account();
    let (_c_dir, carol) = new_account();
    let bob = start_client(&net, bob).await;
    let carol = start_client(&net, carol).await;
    let (bob_id, carol_id) = (*bob.session_id(), *carol.session_id());

    // Decline without blocking: gone, but a later message is a new request.
    send_and_wait(&carol, bob_id, "first try").await;
    let id = conversation_with(&bob, carol_id, WAIT).await;
    assert!(bob.decline_request(id, false).await.is_ok());
    assert!(bob.message_requests().await.unwrap().is_empty());
    assert!(bob.conversation(id).await.unwrap().is_none());
    send_and_wait(&carol, bob_id, "second try").await;
    let id = conversation_with(&bob, carol_id, WAIT).await;
    let requests = bob.message_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].last_message.as_deref(), Some("second try"));
    assert_eq!(requests[0].conversation.unread_count, 1);

    // Decline and block: the next message is dropped.
    bob.decline_request(id, true).await.unwrap();
    assert!(bob.message_requests().await.unwrap().is_empty());
    let dropped_before = bob.poll_stats().dropped;
    send_and_wait(&carol, bob_id, "third try").await;
    wait_until("the blocked message to be dropped", WAIT, || async {
        bob.poll_now().await.unwrap();
        (bob.poll_stats().dropped > dropped_before).then_some(())
    })
    .await;
    assert!(bob.conversation_with(carol_id).await.unwrap().is_none());
    assert!(bob.message_requests().await.unwrap().is_empty());

    // Unblocking lets new messages in again (as a request).
    bob.unblock(carol_id).await.unwrap();
    send_and_wait(&carol, bob_id, "fourth try").await;
    conversation_with(&bob, carol_id, WAIT).await;
    let requests = bob.message_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].last_message.as_deref(), Some("fourth try"));

    // Declining something that is not a request is refused.
    let own = bob.start_conversation(carol_id).await.unwrap();
    assert!(bob.decline_request(own, false).await.is_err());

    bob.shutdown().await;
    carol.shutdown().await;
    net.stop().await;
}
