//! Sending survives the client stopping mid-queue: after a restart the queue finishes and the
//! recipient sees every message exactly once, also when an attempt reached the swarm but was
//! never recorded.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::{
    fast_config, load_account, new_account, start_client, start_net, wait_incoming,
};
use session_client::protocol::message::wrap_for_store;
use session_client::protocol::proto::Content;
use session_client::store::{Direction, MessageStatus, RetryPolicy};
use session_client::{Client, Update};

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stopping_mid_queue_then_restarting_sends_each_message_once() {
    let net = start_net().await;
    let (a_dir, alice) = new_account();
    let (_b_dir, bob) = new_account();
    let bob = start_client(&net, bob).await;
    let b_id = *bob.session_id();
    let alice = start_client(&net, alice).await;
    let a_id = *alice.session_id();
    let mut updates = alice.updates();

    let texts: Vec<String> = (0..40).map(|i| format!("queued {i}")).collect();
    for text in &texts {
        alice.send_text(b_id, text.clone()).await.unwrap();
    }
    // Stop as soon as the first one is through: the rest are queued or in flight.
    loop {
        if let Update::MessageStatus {
            status: MessageStatus::Sent,
            ..
        } = updates.recv().await.unwrap()
        {
            break;
        }
    }
    drop(alice); // the last handle: the tasks are aborted wherever they are

    let alice = Client::start(load_account(a_dir.path()), fast_config(&net.seed_url()))
        .await
        .unwrap();
    alice.wait_queue_empty(WAIT).await.unwrap();
    let id = alice.conversation_with(b_id).await.unwrap().unwrap().id;
    let mine = client_support::all_messages(&alice, id).await;
    assert_eq!(mine.len(), texts.len());
    assert!(mine.iter().all(|m| m.status == Some(MessageStatus::Sent)));

    let got = wait_incoming(&bob, a_id, texts.len(), WAIT).await;
    bob.poll_now().await.unwrap();
    let got_again = client_support::all_messages(&bob, got[0].conversation_id).await;
    let bodies: Vec<&str> = got_again.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, texts.iter().map(String::as_str).collect::<Vec<_>>());

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unrecorded_successful_attempt_is_not_sent_twice() {
    let net = start_net().await;
    let (a_dir, alice) = new_account();
    let (_b_dir, bob) = new_account();
    let bob = start_client(&net, bob).await;
    let b_id = *bob.session_id();
    let a_id = alice.session_id();

    // What a crashed client leaves behind: the message claimed ("sending"), its encrypted
    // payload saved, and that payload already stored on the swarm, but no success recorded.
    let now = session_client::clock::Clock::now_ms(&session_client::SystemClock);
    {
        let mut store = alice.open_store(now).unwrap();
        let message = store
            .queue_outgoing(&b_id, "exactly once", now, now)
            .unwrap();
        let claimed = store
            .claim_due_sends(now, 10, &RetryPolicy::default())
            .unwrap();
        assert_eq!(claimed.len(), 1);
        let payload = wrap_for_store(
            alice.keypair(),
            &b_id,
            &Content::text("exactly once", None),
            u64::try_from(now).unwrap(),
        )
        .unwrap();
        store.set_send_payload(message.id, &payload).unwrap();
        let raw = base64_decode(&payload);
        net.store_raw(&b_id, raw, now).await;
    }
    wait_incoming(&bob, a_id, 1, WAIT).await;

    // The restarted client resends the saved bytes: same hash, so no second copy.
    drop(alice);
    let alice = Client::start(load_account(a_dir.path()), fast_config(&net.seed_url()))
        .await
        .unwrap();
    alice.wait_queue_empty(WAIT).await.unwrap();
    let id = alice.conversation_with(b_id).await.unwrap().unwrap().id;
    let mine = client_support::all_messages(&alice, id).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].status, Some(MessageStatus::Sent));
    assert!(mine[0].server_hash.is_some());

    // Bob polls a few more times: still one message.
    for _ in 0..3 {
        bob.poll_now().await.unwrap();
    }
    let conversation = bob.conversation_with(a_id).await.unwrap().unwrap();
    let got = client_support::all_messages(&bob, conversation.id).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].direction, Direction::Incoming);
    assert_eq!(got[0].server_hash, mine[0].server_hash);

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_running_client_per_account() {
    let net = start_net().await;
    let (dir, alice) = new_account();
    let alice = start_client(&net, alice).await;
    let a_id = *alice.session_id();

    // A second client for the same account is refused with a clear error...
    let started = std::time::Instant::now();
    let error = Client::start(load_account(dir.path()), fast_config(&net.seed_url()))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            session_client::ClientError::Account(
                session_client::account::AccountError::InUse { .. }
            )
        ),
        "{error}"
    );
    assert!(
        started.elapsed() >= Duration::from_secs(2),
        "it waits for a closing client"
    );

    // ...while one started right after the first is dropped (or shut down) gets the account.
    drop(alice);
    let alice = Client::start(load_account(dir.path()), fast_config(&net.seed_url()))
        .await
        .unwrap();
    assert_eq!(*alice.session_id(), a_id);
    alice.shutdown().await;
    let alice = Client::start(load_account(dir.path()), fast_config(&net.seed_url()))
        .await
        .unwrap();
    alice.shutdown().await;
    net.stop().await;
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}
