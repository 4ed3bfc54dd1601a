//! Tests that need the store's insides: interrupted transactions and query plans.

use rusqlite::Connection;
use session_protocol::identity::SessionId;
use session_protocol::rpc::Namespace;

use super::messages::{insert_incoming_all, NewIncoming};
use super::poll_state::{PollBatch, SeenHash};
use super::{Store, StoreError};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("t.sqlite3")).unwrap();
    store
        .init_account(&SessionId::from_x25519([0xAA; 32]), 1)
        .unwrap();
    (dir, store)
}

fn message(n: u8, body: &str, hash: &str) -> NewIncoming {
    NewIncoming {
        sender: SessionId::from_x25519([n; 32]),
        body: body.to_owned(),
        sent_at_ms: 100,
        server_hash: hash.to_owned(),
    }
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
        row.get(0)
    })
    .unwrap()
}

fn assert_empty(store: &Store) {
    for table in [
        "contacts",
        "conversations",
        "messages",
        "seen_hashes",
        "poll_state",
    ] {
        assert_eq!(count(&store.conn, table), 0, "{table}");
    }
    assert!(store.search_messages("hello", None, 10).unwrap().is_empty());
}

#[test]
fn a_transaction_dropped_without_commit_leaves_no_rows() {
    let (_dir, mut store) = store();
    {
        let tx = store.conn.transaction().unwrap();
        let batch = [
            message(1, "hello world", "h1"),
            message(2, "hello again", "h2"),
        ];
        insert_incoming_all(&tx, &batch, 10).unwrap();
        assert_eq!(count(&tx, "messages"), 2);
        // Dropped here: as if the process stopped before COMMIT.
    }
    assert_empty(&store);
}

/// Makes every insert of a message with body "boom" fail, like a full disk would.
fn install_failure(store: &Store) {
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER fail_on_boom BEFORE INSERT ON main.messages \
             WHEN new.body = 'boom' BEGIN SELECT RAISE(ABORT, 'simulated failure'); END;",
        )
        .unwrap();
}

#[test]
fn a_batch_that_fails_midway_stores_nothing() {
    let (_dir, mut store) = store();
    install_failure(&store);
    let batch = [message(1, "hello", "h1"), message(2, "boom", "h2")];
    let err = store.insert_incoming_batch(&batch, 10).unwrap_err();
    assert!(matches!(err, StoreError::Sqlite(_)), "{err:?}");
    assert_empty(&store);
}

#[test]
fn a_poll_batch_that_fails_midway_does_not_advance_the_cursor() {
    let (_dir, mut store) = store();
    install_failure(&store);
    let seen = |hash: &str| SeenHash {
        hash: hash.to_owned(),
        expires_at_ms: 1_000,
    };
    let batch = PollBatch {
        node_ed25519: [7; 32],
        namespace: Namespace::DEFAULT,
        newest: Some(seen("h2")),
        seen: vec![seen("h1"), seen("h2")],
        messages: vec![message(1, "hello", "h1"), message(2, "boom", "h2")],
    };
    assert!(store.apply_poll_batch(&batch, 10).is_err());
    assert_empty(&store);
    assert_eq!(
        store.last_hash(&[7; 32], Namespace::DEFAULT, 10).unwrap(),
        None
    );
}

fn plan(store: &Store, sql: &str) -> String {
    let mut stmt = store
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
        .unwrap();
    let rows = stmt.query_map([], |row| row.get::<_, String>(3)).unwrap();
    rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
}

#[test]
fn pages_are_read_through_the_index_without_sorting() {
    let (_dir, store) = store();
    let first = plan(
        &store,
        "SELECT id FROM messages WHERE conversation_id = 1 ORDER BY sent_at DESC, id DESC LIMIT 51",
    );
    let next = plan(
        &store,
        "SELECT id FROM messages WHERE conversation_id = 1 AND sent_at <= 5 \
         AND (sent_at < 5 OR id < 9) ORDER BY sent_at DESC, id DESC LIMIT 51",
    );
    for plan in [first, next] {
        assert!(plan.contains("messages_page"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}

/// A cached statement with `LIMIT ?` runs again without being compiled again. SQLite 3.54
/// plans such a LIMIT with the bound value and recompiles whenever the value changes, and
/// rusqlite clears the bindings of a statement returned to its cache, so without the query
/// planner stability guarantee every use was a fresh compile.
#[test]
fn cached_statements_with_bound_limits_are_not_recompiled() {
    use rusqlite::StatementStatus;
    let (_dir, store) = store();
    let sql = "SELECT id FROM messages WHERE conversation_id = ?1 ORDER BY id LIMIT ?2";
    for limit in [5_i64, 5, 7, 5] {
        let mut stmt = store.conn.prepare_cached(sql).unwrap();
        let rows: Vec<i64> = stmt
            .query_map(rusqlite::params![1, limit], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(rows.is_empty());
        assert_eq!(
            stmt.get_status(StatementStatus::RePrepare),
            0,
            "limit {limit}"
        );
    }
}

/// Matches in the search index itself, without indexing what is waiting first.
fn indexed_matches(store: &Store, word: &str) -> i64 {
    store
        .conn
        .query_row(
            "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?1",
            [word],
            |row| row.get(0),
        )
        .unwrap()
}

#[test]
fn new_messages_join_the_index_in_batches_and_searches_see_them() {
    let (_dir, mut store) = store();
    let batch = [
        message(1, "hello world", "h1"),
        message(2, "hello again", "h2"),
        message(3, "hello there", "h3"),
    ];
    store.insert_incoming_batch(&batch, 10).unwrap();
    assert!(store.search_index_pending().unwrap());
    assert_eq!(indexed_matches(&store, "hello"), 0);

    assert_eq!(store.index_pending_search(2).unwrap(), 2);
    assert_eq!(indexed_matches(&store, "hello"), 2);
    assert!(store.search_index_pending().unwrap());

    // A search indexes the rest first.
    assert_eq!(store.search_messages("hello", None, 10).unwrap().len(), 3);
    assert!(!store.search_index_pending().unwrap());
    assert_eq!(store.index_pending_search(100).unwrap(), 0);
    store.check_integrity().unwrap();
}

#[test]
fn deletes_edits_and_reused_ids_keep_the_index_exact() {
    let (_dir, mut store) = store();
    let batch = [
        message(1, "alpha", "h1"),
        message(2, "beta", "h2"),
        message(3, "gamma", "h3"),
    ];
    store.insert_incoming_batch(&batch, 10).unwrap();
    // Deleted before it was indexed: nothing to take out of the index.
    store
        .conn
        .execute("DELETE FROM messages WHERE body = 'beta'", [])
        .unwrap();
    assert_eq!(store.index_all_pending_search().unwrap(), 2);
    assert_eq!(indexed_matches(&store, "beta"), 0);
    store.check_integrity().unwrap();

    // The newest message goes; the next message gets an id at or below the indexed mark
    // (SQLite reuses ids above the largest left), so it is indexed at once.
    let newest: i64 = store
        .conn
        .query_row("SELECT max(id) FROM messages", [], |row| row.get(0))
        .unwrap();
    store
        .conn
        .execute("DELETE FROM messages WHERE id = ?1", [newest])
        .unwrap();
    store
        .insert_incoming_batch(&[message(4, "delta", "h4")], 10)
        .unwrap();
    let reused: i64 = store
        .conn
        .query_row("SELECT id FROM messages WHERE body = 'delta'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(reused <= newest, "id {reused} reused (newest was {newest})");
    assert_eq!(indexed_matches(&store, "delta"), 1);
    assert_eq!(indexed_matches(&store, "gamma"), 0);
    assert!(!store.search_index_pending().unwrap());
    store.check_integrity().unwrap();

    // Edited before it was indexed: indexed with its new text only.
    store
        .insert_incoming_batch(&[message(5, "epsilon", "h5")], 10)
        .unwrap();
    store
        .conn
        .execute(
            "UPDATE messages SET body = 'zeta' WHERE body = 'epsilon'",
            [],
        )
        .unwrap();
    store.index_all_pending_search().unwrap();
    assert_eq!(indexed_matches(&store, "epsilon"), 0);
    assert_eq!(indexed_matches(&store, "zeta"), 1);
    // Edited after: the old text leaves the index.
    store
        .conn
        .execute("UPDATE messages SET body = 'eta' WHERE body = 'zeta'", [])
        .unwrap();
    assert_eq!(indexed_matches(&store, "zeta"), 0);
    assert_eq!(indexed_matches(&store, "eta"), 1);
    store.check_integrity().unwrap();
}

#[test]
fn a_version_3_database_keeps_its_index_when_upgraded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite3");
    {
        let conn = Connection::open(&path).unwrap();
        for migration in &super::migrations::MIGRATIONS[..3] {
            conn.execute_batch(migration.sql).unwrap();
        }
        conn.execute_batch(
            "PRAGMA user_version = 3;
             INSERT INTO contacts (session_id, created_at) VALUES ('05ab', 1);
             INSERT INTO conversations (peer, last_activity_at, created_at) VALUES ('05ab', 1, 1);
             INSERT INTO messages (conversation_id, direction, sender, body, sent_at, received_at)
                 VALUES (1, 'in', '05ab', 'indexed long ago', 1, 1),
                        (1, 'in', '05ab', 'indexed as well', 2, 2);",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        super::migrations::latest_version()
    );
    assert!(!store.search_index_pending().unwrap());
    assert_eq!(indexed_matches(&store, "indexed"), 2);
    store.check_integrity().unwrap();
}

#[test]
fn the_list_shows_the_nickname_over_the_name_and_the_name_without_one() {
    let (_dir, mut store) = store();
    let peer = SessionId::from_x25519([7; 32]);
    store.start_conversation(&peer, 10).unwrap();
    let shown = |store: &Store| store.conversations().unwrap()[0].peer_name.clone();
    assert_eq!(shown(&store), None);
    store.set_contact_name(&peer, Some("Bob"), 11).unwrap();
    assert_eq!(shown(&store).as_deref(), Some("Bob"));
    store
        .set_contact_nickname(&peer, Some("Bobby"), 12)
        .unwrap();
    assert_eq!(shown(&store).as_deref(), Some("Bobby"));
    store.set_contact_nickname(&peer, None, 13).unwrap();
    assert_eq!(shown(&store).as_deref(), Some("Bob"));
}
