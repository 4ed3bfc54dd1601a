//! Messages: dedupe, keyset pagination, read receipts, full-text search.

mod common;

use std::collections::HashSet;

use common::{fresh_store, incoming, peer};
use session_client::store::{
    Direction, IncomingOutcome, MessageId, PageCursor, HIGHLIGHT_END, HIGHLIGHT_START,
};

#[test]
fn a_message_polled_twice_is_stored_once() {
    let (_dir, mut store) = fresh_store();
    let message = incoming(peer(1), "hello", 100, "hash-1");
    let first = store.insert_incoming(&message, 110).unwrap();
    let IncomingOutcome::Inserted { message_id, .. } = first else {
        panic!("{first:?}");
    };
    assert_eq!(
        store.insert_incoming(&message, 120).unwrap(),
        IncomingOutcome::Duplicate
    );
    // In one batch too.
    let batch = vec![
        incoming(peer(1), "two", 200, "hash-2"),
        incoming(peer(1), "two", 200, "hash-2"),
        message.clone(),
    ];
    let outcomes = store.insert_incoming_batch(&batch, 210).unwrap();
    assert!(matches!(outcomes[0], IncomingOutcome::Inserted { .. }));
    assert_eq!(outcomes[1], IncomingOutcome::Duplicate);
    assert_eq!(outcomes[2], IncomingOutcome::Duplicate);

    let stored = store.message(message_id).unwrap().unwrap();
    assert_eq!(stored.body, "hello");
    assert_eq!(stored.direction, Direction::Incoming);
    assert_eq!(stored.sender, peer(1));
    assert_eq!(stored.sent_at_ms, 100);
    assert_eq!(stored.received_at_ms, 110);
    assert_eq!(stored.server_hash.as_deref(), Some("hash-1"));
    assert_eq!(stored.status, None);
    let conversation = store.conversation_with(&peer(1)).unwrap().unwrap();
    assert_eq!(conversation.unread_count, 2);
}

#[test]
fn keyset_pagination_over_1000_messages_has_no_gaps_or_duplicates() {
    let (_dir, mut store) = fresh_store();
    // Timestamps repeat (ten messages per millisecond) so the id tie-break matters, and they
    // arrive out of order.
    let mut batch: Vec<_> = (0..1000)
        .map(|i| {
            incoming(
                peer(1),
                &format!("message {i}"),
                10_000 + i / 10,
                &format!("h{i}"),
            )
        })
        .collect();
    batch.reverse();
    batch.swap(3, 700);
    store.insert_incoming_batch(&batch, 50_000).unwrap();
    let conversation = store.conversation_with(&peer(1)).unwrap().unwrap().id;

    for page_size in [1u32, 7, 50, 1000, 5000] {
        let mut seen: Vec<(i64, MessageId)> = Vec::new();
        let mut cursor: Option<PageCursor> = None;
        let mut pages = 0;
        loop {
            let page = store
                .messages_page(conversation, cursor, page_size)
                .unwrap();
            pages += 1;
            assert!(page.messages.len() <= page_size as usize);
            seen.extend(page.messages.iter().map(|m| (m.sent_at_ms, m.id)));
            match page.older {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(seen.len(), 1000, "page size {page_size}");
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), 1000, "page size {page_size}");
        assert!(
            seen.windows(2).all(|w| w[0] > w[1]),
            "not strictly newest first with page size {page_size}"
        );
        assert_eq!(pages, 1000usize.div_ceil(page_size as usize).max(1));
    }

    // New messages arriving while paging do not disturb older pages.
    let first = store.messages_page(conversation, None, 50).unwrap();
    let second_before = store.messages_page(conversation, first.older, 50).unwrap();
    store
        .insert_incoming(&incoming(peer(1), "newest", 99_999, "new"), 60_000)
        .unwrap();
    let second_after = store.messages_page(conversation, first.older, 50).unwrap();
    assert_eq!(second_before, second_after);
}

#[test]
fn an_empty_conversation_has_one_empty_page() {
    let (_dir, mut store) = fresh_store();
    let id = store.start_conversation(&peer(1), 1).unwrap().id;
    let page = store.messages_page(id, None, 50).unwrap();
    assert!(page.messages.is_empty());
    assert!(page.older.is_none());
}

#[test]
fn read_receipts_mark_outgoing_messages() {
    let (_dir, mut store) = fresh_store();
    let a = store.queue_outgoing(&peer(1), "one", 100, 100).unwrap();
    let b = store.queue_outgoing(&peer(1), "two", 200, 200).unwrap();
    store.queue_outgoing(&peer(2), "other", 100, 100).unwrap();
    assert_eq!(store.mark_outgoing_read(&peer(1), &[100, 555]).unwrap(), 1);
    assert!(store.message(a.id).unwrap().unwrap().is_read);
    assert!(!store.message(b.id).unwrap().unwrap().is_read);
    let other = store.conversation_with(&peer(2)).unwrap().unwrap();
    let page = store.messages_page(other.id, None, 10).unwrap();
    assert!(!page.messages[0].is_read);
}

#[test]
fn deleting_a_message_updates_unread_and_search() {
    let (_dir, mut store) = fresh_store();
    let outcome = store
        .insert_incoming(&incoming(peer(1), "delete me please", 100, "h1"), 110)
        .unwrap();
    let IncomingOutcome::Inserted {
        message_id,
        conversation_id,
        ..
    } = outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(store.search_messages("please", None, 10).unwrap().len(), 1);
    store.delete_message(message_id).unwrap();
    assert!(store.message(message_id).unwrap().is_none());
    assert!(store
        .search_messages("please", None, 10)
        .unwrap()
        .is_empty());
    assert_eq!(
        store
            .conversation(conversation_id)
            .unwrap()
            .unwrap()
            .unread_count,
        0
    );
    assert!(store.delete_message(message_id).is_err());
}

#[test]
fn full_text_search_finds_words_and_prefixes() {
    let (_dir, mut store) = fresh_store();
    store
        .insert_incoming_batch(
            &[
                incoming(peer(1), "Let's meet at the café tomorrow", 100, "a"),
                incoming(peer(1), "The cafe was closed", 200, "b"),
                incoming(peer(2), "Meeting notes attached", 300, "c"),
                incoming(peer(2), "nothing relevant", 400, "d"),
            ],
            500,
        )
        .unwrap();
    let sent_by_me = store
        .queue_outgoing(&peer(2), "see you at the cafe", 450, 450)
        .unwrap();

    // Diacritics and case are ignored; most recently stored first.
    let hits = store.search_messages("CAFE", None, 10).unwrap();
    let times: Vec<_> = hits.iter().map(|h| h.sent_at_ms).collect();
    assert_eq!(times, vec![450, 200, 100]);
    assert_eq!(hits[0].message_id, sent_by_me.id);
    assert_eq!(hits[0].peer, peer(2));
    assert!(hits[1]
        .snippet
        .contains(&format!("{HIGHLIGHT_START}cafe{HIGHLIGHT_END}")));

    // Words are prefixes; all words must match.
    let hits = store.search_messages("meet", None, 10).unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(
        store.search_messages("meet notes", None, 10).unwrap().len(),
        1
    );
    assert_eq!(store.search_messages("mee no", None, 10).unwrap().len(), 1);
    assert!(store
        .search_messages("meetings", None, 10)
        .unwrap()
        .is_empty());

    // Restricted to one conversation.
    let first = store.conversation_with(&peer(1)).unwrap().unwrap().id;
    let hits = store.search_messages("meet", Some(first), 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].conversation_id, first);

    // Limit.
    assert_eq!(store.search_messages("cafe", None, 1).unwrap().len(), 1);
}

#[test]
fn search_text_is_never_query_syntax() {
    let (_dir, mut store) = fresh_store();
    store
        .insert_incoming(&incoming(peer(1), "say \"hi\" AND (bye)", 100, "a"), 110)
        .unwrap();
    for text in [
        "\"", "\"hi", "AND", "NEAR(", "bye)", "*", "-", "a:b", "OR OR", "^", "   ", "", "NOT hi",
    ] {
        // Must not fail with an FTS5 syntax error.
        store.search_messages(text, None, 10).unwrap();
    }
    assert_eq!(store.search_messages("\"hi\"", None, 10).unwrap().len(), 1);
    assert_eq!(store.search_messages("AND", None, 10).unwrap().len(), 1);
}
