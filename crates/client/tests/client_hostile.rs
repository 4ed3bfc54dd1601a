//! Garbage, replayed, tampered and wrongly signed messages placed in the swarm by anyone are
//! counted and ignored; genuine messages around them still arrive exactly once.

#![allow(clippy::unwrap_used)]

mod client_support;

use std::time::Duration;

use client_support::{new_account, start_client, start_net, wait_incoming};
use crypto_box::aead::OsRng;
use rand::{RngCore, SeedableRng};
use session_client::protocol::identity::{Keypair, SessionId};
use session_client::protocol::message::wrap_for_recipient;
use session_client::protocol::padding::pad;
use session_client::protocol::proto::{
    Content, Envelope, EnvelopeType, Message as _, WebSocketMessage, WebSocketMessageType,
    WebSocketRequestMessage,
};
use session_client::store::MessageStatus;

const WAIT: Duration = Duration::from_secs(30);

fn now_ms() -> i64 {
    session_client::clock::Clock::now_ms(&session_client::SystemClock)
}

/// The WebSocket frame around `envelope`, with request id `id`.
fn frame(envelope: &Envelope, id: u64) -> Vec<u8> {
    WebSocketMessage {
        r#type: Some(WebSocketMessageType::Request.into()),
        request: Some(WebSocketRequestMessage {
            verb: Some("PUT".into()),
            path: Some("/api/v1/message".into()),
            body: Some(envelope.encode_to_vec()),
            id: Some(id),
            headers: Vec::new(),
        }),
        response: None,
    }
    .encode_to_vec()
}

fn envelope_of(data: &[u8]) -> Envelope {
    let frame = WebSocketMessage::decode(data).unwrap();
    Envelope::decode(frame.request.unwrap().body.unwrap().as_slice()).unwrap()
}

/// A message that claims to come from `claimed` but is signed by `signer`.
fn wrongly_signed(signer: &Keypair, claimed: &Keypair, recipient: &SessionId, ts: u64) -> Vec<u8> {
    let mut content = Content::text("forged", None);
    content.sig_timestamp = Some(ts);
    let padded = pad(&content.encode_to_vec());
    let mut signed = padded.clone();
    signed.extend_from_slice(&claimed.ed25519_public());
    signed.extend_from_slice(&recipient.x25519_public());
    let sig = signer.sign(&signed);
    let mut inner = padded;
    inner.extend_from_slice(&claimed.ed25519_public());
    inner.extend_from_slice(&sig);
    let sealed = crypto_box::PublicKey::from(recipient.x25519_public())
        .seal(&mut OsRng, &inner)
        .unwrap();
    let envelope = Envelope {
        r#type: EnvelopeType::SessionMessage.into(),
        source: None,
        timestamp: ts,
        source_device: Some(1),
        content: Some(sealed),
        server_timestamp: None,
        pro_sig: None,
    };
    frame(&envelope, 0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn hostile_swarm_data_is_ignored() {
    let net = start_net().await;
    let (_a_dir, alice_account) = new_account();
    let alice_kp = alice_account.keypair().clone();
    let (_b_dir, bob) = new_account();
    let bob = start_client(&net, bob).await;
    let alice = start_client(&net, alice_account).await;
    let (a_id, b_id) = (*alice.session_id(), *bob.session_id());
    let (_, mallory) = Keypair::generate();
    let (_, carol) = Keypair::generate();

    // A genuine message from Alice, stored directly, then attacks on it.
    let ts = now_ms();
    let genuine = wrap_for_recipient(
        &alice_kp,
        &b_id,
        &Content::text("the real one", None),
        u64::try_from(ts).unwrap(),
    )
    .unwrap();
    net.store_raw(&b_id, genuine.clone(), ts).await;
    wait_incoming(&bob, a_id, 1, WAIT).await;
    // The poller counts a message just after storing it: a poll of our own waits for the one
    // in progress to finish, counting included.
    bob.poll_now().await.unwrap();
    let before = bob.poll_stats();

    let envelope = envelope_of(&genuine);
    // Replays: the same bytes again, another frame around the same envelope, the bare envelope.
    net.store_raw(&b_id, genuine.clone(), now_ms()).await;
    net.store_raw(&b_id, frame(&envelope, 42), now_ms()).await;
    net.store_raw(&b_id, envelope.encode_to_vec(), now_ms())
        .await;
    // Tampered: the visible (unsigned) timestamp changed.
    let mut moved = envelope.clone();
    moved.timestamp += 5_000;
    net.store_raw(&b_id, frame(&moved, 0), now_ms()).await;
    // Wrongly signed: claims Alice, signed by Mallory.
    let forged_ts = u64::try_from(now_ms()).unwrap();
    net.store_raw(
        &b_id,
        wrongly_signed(&mallory, &alice_kp, &b_id, forged_ts),
        now_ms(),
    )
    .await;
    // Sealed for someone else.
    let for_carol = wrap_for_recipient(
        &mallory,
        &carol.session_id(),
        &Content::text("not yours", None),
        forged_ts,
    )
    .unwrap();
    net.store_raw(&b_id, for_carol, now_ms()).await;
    // Garbage: random bytes, a WebSocket response, an envelope with rubbish content.
    // Fixed bytes, so a failure repeats (any 300 random-looking bytes do).
    let mut random = vec![0u8; 300];
    rand::rngs::StdRng::seed_from_u64(0x5e55_1011).fill_bytes(&mut random);
    net.store_raw(&b_id, random, now_ms()).await;
    let response = WebSocketMessage {
        r#type: Some(WebSocketMessageType::Response.into()),
        request: None,
        response: None,
    };
    net.store_raw(&b_id, response.encode_to_vec(), now_ms())
        .await;
    let mut rubbish = envelope.clone();
    rubbish.content = Some(vec![7u8; 120]);
    net.store_raw(&b_id, frame(&rubbish, 0), now_ms()).await;

    // A genuine message after all that, through the client.
    let last = alice.send_text(b_id, "still here".into()).await.unwrap();
    assert_eq!(
        alice.wait_sent(last.id, WAIT).await.unwrap(),
        MessageStatus::Sent
    );
    let got = wait_incoming(&bob, a_id, 2, WAIT).await;
    bob.poll_now().await.unwrap();
    let id = bob.conversation_with(a_id).await.unwrap().unwrap().id;
    let got_all = client_support::all_messages(&bob, id).await;
    assert_eq!(got.len(), 2);
    let bodies: Vec<&str> = got_all.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["the real one", "still here"]);
    // Nothing else became a conversation or a request.
    assert_eq!(
        bob.conversations().await.unwrap().len() + bob.message_requests().await.unwrap().len(),
        1
    );

    let after = bob.poll_stats();
    assert_eq!(after.stored - before.stored, 1);
    assert_eq!(after.dropped - before.dropped, 2, "{after:?}"); // re-framed + bare envelope
    assert_eq!(after.tampered - before.tampered, 1, "{after:?}");
    assert_eq!(after.undecryptable - before.undecryptable, 3, "{after:?}");
    assert_eq!(after.garbage - before.garbage, 2, "{after:?}");

    alice.shutdown().await;
    bob.shutdown().await;
    net.stop().await;
}
