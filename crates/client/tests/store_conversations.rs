//! Contacts, message requests, accepting, declining, blocking, drafts and unread counts.

mod common;

use common::{fresh_store, incoming, peer, reopen};
use session_client::store::{IncomingOutcome, StoreError};

#[test]
fn a_strangers_message_waits_in_requests_until_accepted() {
    let (_dir, mut store) = fresh_store();
    let outcome = store
        .insert_incoming(&incoming(peer(1), "hi there", 100, "h1"), 110)
        .unwrap();
    let IncomingOutcome::Inserted {
        conversation_id,
        is_request,
        ..
    } = outcome
    else {
        panic!("not inserted: {outcome:?}");
    };
    assert!(is_request);
    assert!(store.conversations().unwrap().is_empty());
    let requests = store.message_requests().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].conversation.peer, peer(1));
    assert_eq!(requests[0].last_message.as_deref(), Some("hi there"));
    assert_eq!(requests[0].conversation.unread_count, 1);
    assert!(store.contacts().unwrap().is_empty());

    store.accept_request(conversation_id, 200).unwrap();
    assert!(store.message_requests().unwrap().is_empty());
    let list = store.conversations().unwrap();
    assert_eq!(list.len(), 1);
    assert!(!list[0].conversation.is_request);
    let contact = store.contact(&peer(1)).unwrap().unwrap();
    assert!(contact.approved && !contact.blocked);
    assert_eq!(store.contacts().unwrap().len(), 1);

    // Further messages from an approved contact are not requests.
    let outcome = store
        .insert_incoming(&incoming(peer(1), "again", 300, "h2"), 310)
        .unwrap();
    assert!(matches!(
        outcome,
        IncomingOutcome::Inserted {
            is_request: false,
            ..
        }
    ));
}

#[test]
fn declining_deletes_the_request_and_a_later_message_is_a_new_request() {
    let (_dir, mut store) = fresh_store();
    store
        .insert_incoming(&incoming(peer(2), "buy my stuff", 100, "h1"), 110)
        .unwrap();
    let id = store.message_requests().unwrap()[0].conversation.id;
    store.decline_request(id, false).unwrap();
    assert!(store.message_requests().unwrap().is_empty());
    assert!(store.conversation(id).unwrap().is_none());
    assert!(store.contact(&peer(2)).unwrap().is_none());
    assert!(store.search_messages("stuff", None, 10).unwrap().is_empty());

    let outcome = store
        .insert_incoming(&incoming(peer(2), "hello?", 200, "h2"), 210)
        .unwrap();
    assert!(matches!(
        outcome,
        IncomingOutcome::Inserted {
            is_request: true,
            ..
        }
    ));
}

#[test]
fn declining_with_block_drops_future_messages() {
    let (_dir, mut store) = fresh_store();
    store
        .insert_incoming(&incoming(peer(3), "spam", 100, "h1"), 110)
        .unwrap();
    let id = store.message_requests().unwrap()[0].conversation.id;
    store.decline_request(id, true).unwrap();
    let blocked = store.blocked_contacts().unwrap();
    assert_eq!(blocked.len(), 1);
    assert_eq!(blocked[0].session_id, peer(3));

    let outcome = store
        .insert_incoming(&incoming(peer(3), "more spam", 200, "h2"), 210)
        .unwrap();
    assert_eq!(outcome, IncomingOutcome::SenderBlocked);
    assert!(store.conversation_with(&peer(3)).unwrap().is_none());

    store.unblock_contact(&peer(3), 300).unwrap();
    let outcome = store
        .insert_incoming(&incoming(peer(3), "sorry", 400, "h3"), 410)
        .unwrap();
    assert!(matches!(outcome, IncomingOutcome::Inserted { .. }));
}

#[test]
fn blocking_hides_a_pending_request_but_keeps_messages() {
    let (_dir, mut store) = fresh_store();
    store
        .insert_incoming(&incoming(peer(4), "hey", 100, "h1"), 110)
        .unwrap();
    store.block_contact(&peer(4), 120).unwrap();
    assert!(store.message_requests().unwrap().is_empty());
    let conversation = store.conversation_with(&peer(4)).unwrap().unwrap();
    let page = store.messages_page(conversation.id, None, 10).unwrap();
    assert_eq!(page.messages.len(), 1);
}

#[test]
fn starting_a_conversation_approves_the_peer() {
    let (_dir, mut store) = fresh_store();
    let conversation = store.start_conversation(&peer(5), 100).unwrap();
    assert!(!conversation.is_request);
    assert_eq!(conversation.last_activity_ms, 100);
    assert!(store.contact(&peer(5)).unwrap().unwrap().approved);
    let outcome = store
        .insert_incoming(&incoming(peer(5), "reply", 200, "h1"), 210)
        .unwrap();
    assert!(matches!(
        outcome,
        IncomingOutcome::Inserted {
            is_request: false,
            ..
        }
    ));
    store.set_contact_approved_me(&peer(5), 220).unwrap();
    store
        .set_contact_name(&peer(5), Some(" Bob "), 230)
        .unwrap();
    let contact = store.contact(&peer(5)).unwrap().unwrap();
    assert!(contact.approved_me);
    assert_eq!(contact.name.as_deref(), Some("Bob"));
    assert_eq!(
        store.conversations().unwrap()[0].peer_name.as_deref(),
        Some("Bob")
    );
}

#[test]
fn drafts_persist_across_reopen() {
    let (dir, mut store) = fresh_store();
    let id = store.start_conversation(&peer(6), 100).unwrap().id;
    store.set_draft(id, "half-written thought…").unwrap();
    drop(store);
    let mut store = reopen(&dir);
    assert_eq!(
        store.conversation(id).unwrap().unwrap().draft,
        "half-written thought…"
    );
    store.set_draft(id, "").unwrap();
    assert_eq!(store.conversation(id).unwrap().unwrap().draft, "");
    let missing = store.set_draft(session_client::store::ConversationId(9999), "x");
    assert!(matches!(missing, Err(StoreError::NotFound { .. })));
}

#[test]
fn unread_counts_and_marking_read() {
    let (_dir, mut store) = fresh_store();
    let id = store.start_conversation(&peer(7), 1).unwrap().id;
    let batch: Vec<_> = (0..5)
        .map(|i| incoming(peer(7), &format!("m{i}"), 100 + i, &format!("h{i}")))
        .collect();
    store.insert_incoming_batch(&batch, 200).unwrap();
    let conversation = store.conversation(id).unwrap().unwrap();
    assert_eq!(conversation.unread_count, 5);
    assert_eq!(conversation.last_activity_ms, 104);

    let mut read = store.mark_conversation_read(id).unwrap();
    read.sort_unstable();
    assert_eq!(read, vec![100, 101, 102, 103, 104]);
    assert_eq!(store.conversation(id).unwrap().unwrap().unread_count, 0);
    assert!(store.mark_conversation_read(id).unwrap().is_empty());
    let page = store.messages_page(id, None, 10).unwrap();
    assert!(page.messages.iter().all(|m| m.is_read));
}

#[test]
fn conversation_list_is_ordered_by_activity() {
    let (_dir, mut store) = fresh_store();
    for (n, t) in [(10u8, 300), (11, 100), (12, 200)] {
        store.start_conversation(&peer(n), 1).unwrap();
        store
            .insert_incoming(&incoming(peer(n), "x", t, &format!("h{n}")), 400)
            .unwrap();
    }
    let order: Vec<_> = store
        .conversations()
        .unwrap()
        .into_iter()
        .map(|c| c.conversation.peer)
        .collect();
    assert_eq!(order, vec![peer(10), peer(12), peer(11)]);
}

#[test]
fn deleting_a_conversation_removes_its_messages() {
    let (_dir, mut store) = fresh_store();
    let id = store.start_conversation(&peer(8), 1).unwrap().id;
    store
        .insert_incoming(&incoming(peer(8), "secret plans", 10, "h1"), 20)
        .unwrap();
    store.delete_conversation(id).unwrap();
    assert!(store.conversation(id).unwrap().is_none());
    assert!(store.search_messages("plans", None, 10).unwrap().is_empty());
    // The contact stays.
    assert!(store.contact(&peer(8)).unwrap().is_some());
}
