//! The persisted send queue: enqueue, claim, success, failure with backoff, restarts.

mod common;

use common::{fresh_store, own_id, peer, reopen};
use session_client::store::{MessageStatus, RetryPolicy, SendFailure, StoreError};

const POLICY: RetryPolicy = RetryPolicy {
    first_delay_ms: 1_000,
    max_delay_ms: 5_000,
    max_attempts: 5,
    lease_ms: 30_000,
};

#[test]
fn backoff_doubles_up_to_the_cap() {
    let delays: Vec<_> = (1..=6).map(|n| POLICY.delay_after(n)).collect();
    assert_eq!(delays, vec![1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    assert_eq!(RetryPolicy::default().delay_after(u32::MAX), 300_000);
}

#[test]
fn enqueue_claim_and_succeed() {
    let (_dir, mut store) = fresh_store();
    let message = store
        .queue_outgoing(&peer(1), "hello", 1_000, 1_000)
        .unwrap();
    assert_eq!(message.status, Some(MessageStatus::Queued));
    assert_eq!(message.sender, own_id());
    assert_eq!(store.next_send_due_at().unwrap(), Some(1_000));
    let conversation = store
        .conversation(message.conversation_id)
        .unwrap()
        .unwrap();
    assert!(!conversation.is_request);
    assert_eq!(conversation.last_activity_ms, 1_000);

    // Not due before its time.
    assert!(store.claim_due_sends(999, 10, &POLICY).unwrap().is_empty());
    let claimed = store.claim_due_sends(1_000, 10, &POLICY).unwrap();
    assert_eq!(claimed.len(), 1);
    let send = &claimed[0];
    assert_eq!(send.message_id, message.id);
    assert_eq!(send.peer, peer(1));
    assert_eq!(send.body, "hello");
    assert_eq!(send.sent_at_ms, 1_000);
    assert_eq!(send.attempt, 1);
    assert_eq!(send.payload, None);
    assert_eq!(
        store.message(message.id).unwrap().unwrap().status,
        Some(MessageStatus::Sending)
    );
    // A claimed entry is not handed out twice while its lease runs.
    assert!(store
        .claim_due_sends(2_000, 10, &POLICY)
        .unwrap()
        .is_empty());

    store.set_send_payload(message.id, "b64data").unwrap();
    store
        .mark_send_succeeded(message.id, "server-hash")
        .unwrap();
    let sent = store.message(message.id).unwrap().unwrap();
    assert_eq!(sent.status, Some(MessageStatus::Sent));
    assert_eq!(sent.server_hash.as_deref(), Some("server-hash"));
    assert!(store.queue_entry(message.id).unwrap().is_none());
    assert_eq!(store.next_send_due_at().unwrap(), None);
    assert!(matches!(
        store.mark_send_succeeded(message.id, "again"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn failures_back_off_then_give_up_and_can_be_retried() {
    let (_dir, mut store) = fresh_store();
    let id = store.queue_outgoing(&peer(1), "hello", 0, 0).unwrap().id;
    let mut now = 0;
    let mut expected_delays = vec![1_000, 2_000, 4_000, 5_000].into_iter();
    for attempt in 1..=POLICY.max_attempts {
        let claimed = store.claim_due_sends(now, 10, &POLICY).unwrap();
        assert_eq!(claimed.len(), 1, "attempt {attempt}");
        assert_eq!(claimed[0].attempt, attempt);
        if attempt == 1 {
            store.set_send_payload(id, "same-bytes").unwrap();
        } else {
            // Retries resend the bytes of the first attempt.
            assert_eq!(claimed[0].payload.as_deref(), Some("same-bytes"));
        }
        let outcome = store
            .mark_send_failed(id, &format!("timeout {attempt}"), now, &POLICY)
            .unwrap();
        match outcome {
            SendFailure::RetryAt { at_ms } => {
                assert_eq!(at_ms - now, expected_delays.next().unwrap());
                assert_eq!(
                    store.message(id).unwrap().unwrap().status,
                    Some(MessageStatus::Queued)
                );
                // Not due a millisecond early.
                assert!(store
                    .claim_due_sends(at_ms - 1, 10, &POLICY)
                    .unwrap()
                    .is_empty());
                now = at_ms;
            }
            SendFailure::GaveUp => {
                assert_eq!(attempt, POLICY.max_attempts);
            }
        }
    }
    let failed = store.message(id).unwrap().unwrap();
    assert_eq!(failed.status, Some(MessageStatus::Failed));
    let entry = store.queue_entry(id).unwrap().unwrap();
    assert_eq!(entry.next_attempt_at_ms, None);
    assert_eq!(entry.last_error.as_deref(), Some("timeout 5"));
    assert!(store
        .claim_due_sends(i64::MAX, 10, &POLICY)
        .unwrap()
        .is_empty());
    assert_eq!(store.next_send_due_at().unwrap(), None);

    store.retry_send(id, 100_000).unwrap();
    assert_eq!(
        store.message(id).unwrap().unwrap().status,
        Some(MessageStatus::Queued)
    );
    let claimed = store.claim_due_sends(100_000, 10, &POLICY).unwrap();
    assert_eq!(claimed[0].attempt, 1);
    // Only failed messages can be retried by hand.
    assert!(store.retry_send(id, 100_001).is_err());
}

#[test]
fn queued_items_survive_a_restart_and_claims_are_released() {
    let (dir, mut store) = fresh_store();
    let a = store.queue_outgoing(&peer(1), "a", 10, 10).unwrap().id;
    let b = store.queue_outgoing(&peer(2), "b", 20, 20).unwrap().id;
    let c = store.queue_outgoing(&peer(3), "c", 30, 30).unwrap().id;
    // `a` is in flight when the process dies.
    let claimed = store.claim_due_sends(10, 1, &POLICY).unwrap();
    assert_eq!(claimed[0].message_id, a);
    drop(store);

    let mut store = reopen(&dir);
    // Without release, the lease keeps `a` back; `b` and `c` are due.
    let due_ids: Vec<_> = store
        .claim_due_sends(100, 10, &POLICY)
        .unwrap()
        .iter()
        .map(|s| s.message_id)
        .collect();
    assert_eq!(due_ids, vec![b, c]);
    drop(store);

    let mut store = reopen(&dir);
    assert_eq!(store.release_claimed_sends(200).unwrap(), 3);
    for id in [a, b, c] {
        assert_eq!(
            store.message(id).unwrap().unwrap().status,
            Some(MessageStatus::Queued)
        );
    }
    let due = store.claim_due_sends(200, 10, &POLICY).unwrap();
    assert_eq!(due.len(), 3);
    let a_entry = due.iter().find(|s| s.message_id == a).unwrap();
    assert_eq!(a_entry.attempt, 2);
}

#[test]
fn an_expired_lease_makes_the_entry_due_again() {
    let (_dir, mut store) = fresh_store();
    let id = store.queue_outgoing(&peer(1), "x", 0, 0).unwrap().id;
    store.claim_due_sends(0, 10, &POLICY).unwrap();
    assert!(store
        .claim_due_sends(POLICY.lease_ms - 1, 10, &POLICY)
        .unwrap()
        .is_empty());
    let again = store.claim_due_sends(POLICY.lease_ms, 10, &POLICY).unwrap();
    assert_eq!(again[0].message_id, id);
    assert_eq!(again[0].attempt, 2);
}

#[test]
fn claim_respects_the_limit_and_order() {
    let (_dir, mut store) = fresh_store();
    let ids: Vec<_> = (0..5)
        .map(|i| store.queue_outgoing(&peer(1), "x", i, 100 - i).unwrap().id)
        .collect();
    let first = store.claim_due_sends(1_000, 2, &POLICY).unwrap();
    // Due times were 100, 99, 98, 97, 96: the earliest due go first.
    assert_eq!(
        first.iter().map(|s| s.message_id).collect::<Vec<_>>(),
        vec![ids[4], ids[3]]
    );
    assert_eq!(store.claim_due_sends(1_000, 10, &POLICY).unwrap().len(), 3);
}

#[test]
fn deleting_a_queued_message_removes_it_from_the_queue() {
    let (_dir, mut store) = fresh_store();
    let id = store.queue_outgoing(&peer(1), "oops", 0, 0).unwrap().id;
    store.delete_message(id).unwrap();
    assert!(store.queue_entry(id).unwrap().is_none());
    assert!(store.claim_due_sends(10, 10, &POLICY).unwrap().is_empty());
}

#[test]
fn sending_needs_an_account() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = session_client::Store::open(&dir.path().join("db")).unwrap();
    let err = store.queue_outgoing(&peer(1), "x", 0, 0).unwrap_err();
    assert!(matches!(err, StoreError::NoAccount), "{err:?}");
}

#[test]
fn a_message_queued_claimed_is_leased_with_its_data_and_survives_a_restart() {
    let (dir, mut store) = fresh_store();
    let (message, claimed) = store
        .queue_outgoing_encrypted(
            &peer(2),
            "at once",
            1_000,
            1_000,
            Some("b64".into()),
            Some(&POLICY),
        )
        .unwrap();
    assert_eq!(message.status, Some(MessageStatus::Sending));
    let claimed = claimed.expect("written claimed");
    assert_eq!(claimed.message_id, message.id);
    assert_eq!(claimed.conversation_id, message.conversation_id);
    assert_eq!(claimed.peer, peer(2));
    assert_eq!(claimed.body, "at once");
    assert_eq!(claimed.sent_at_ms, 1_000);
    assert_eq!(claimed.attempt, 1);
    assert_eq!(claimed.payload.as_deref(), Some("b64"));
    let entry = store.queue_entry(message.id).unwrap().unwrap();
    assert_eq!(entry.attempts, 1);
    assert_eq!(entry.next_attempt_at_ms, Some(1_000 + POLICY.lease_ms));
    // The worker leaves it alone while the first attempt's lease runs…
    assert!(store
        .claim_due_sends(1_000 + POLICY.lease_ms - 1, 10, &POLICY)
        .unwrap()
        .is_empty());
    // …and a restart (the attempt died with the process) makes it due with the same data.
    drop(store);
    let mut store = reopen(&dir);
    assert_eq!(store.release_claimed_sends(2_000).unwrap(), 1);
    let again = store.claim_due_sends(2_000, 10, &POLICY).unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempt, 2);
    assert_eq!(again[0].payload.as_deref(), Some("b64"));
    store.mark_send_succeeded(message.id, "hash").unwrap();
    assert_eq!(
        store.message(message.id).unwrap().unwrap().status,
        Some(MessageStatus::Sent)
    );
}

#[test]
fn a_message_that_could_not_be_encrypted_is_queued_for_the_worker() {
    let (_dir, mut store) = fresh_store();
    let (message, claimed) = store
        .queue_outgoing_encrypted(&peer(3), "later", 1_000, 1_000, None, Some(&POLICY))
        .unwrap();
    assert!(claimed.is_none());
    assert_eq!(message.status, Some(MessageStatus::Queued));
    let due = store.claim_due_sends(1_000, 10, &POLICY).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempt, 1);
    assert_eq!(due[0].payload, None);
}

#[test]
fn a_prepared_message_waits_for_the_worker_with_its_data() {
    let (_dir, mut store) = fresh_store();
    let (message, claimed) = store
        .queue_outgoing_encrypted(
            &peer(4),
            "in a burst",
            1_000,
            1_000,
            Some("b64".into()),
            None,
        )
        .unwrap();
    assert!(claimed.is_none());
    assert_eq!(message.status, Some(MessageStatus::Queued));
    let due = store.claim_due_sends(1_000, 10, &POLICY).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempt, 1);
    assert_eq!(due[0].payload.as_deref(), Some("b64"));
}
