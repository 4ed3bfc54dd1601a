//! Opening, migrating and rejecting bad database files.

mod common;

use common::{fresh_store, incoming, own_id, peer, reopen};
use session_client::store::{migrations, Store, StoreError};

#[test]
fn migrates_an_empty_file_and_reopens_idempotently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite3");
    let mut store = Store::open(&path).unwrap();
    assert_eq!(
        store.schema_version().unwrap(),
        migrations::latest_version()
    );
    assert_eq!(
        migrations::latest_version(),
        migrations::MIGRATIONS.len() as i64
    );
    store.init_account(&own_id(), 1).unwrap();
    store
        .insert_incoming(&incoming(peer(1), "hello", 10, "h1"), 20)
        .unwrap();
    drop(store);

    for _ in 0..3 {
        let store = Store::open(&path).unwrap();
        assert_eq!(
            store.schema_version().unwrap(),
            migrations::latest_version()
        );
        assert_eq!(store.own_session_id().unwrap(), own_id());
        assert_eq!(store.message_requests().unwrap().len(), 1);
        store.check_integrity().unwrap();
    }
}

#[test]
fn uses_wal_mode() {
    let (dir, store) = fresh_store();
    drop(store);
    // The -wal file exists while a connection is open.
    let _store = reopen(&dir);
    assert!(dir.path().join("test.sqlite3-wal").exists());
}

#[test]
fn a_file_that_is_not_sqlite_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.txt");
    std::fs::write(&path, "these are my notes, not a database\n".repeat(200)).unwrap();
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains("notes.txt"));
    // The file is left as it was.
    assert!(std::fs::read_to_string(&path)
        .unwrap()
        .starts_with("these are my notes"));
}

#[test]
fn a_directory_in_place_of_the_file_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let err = Store::open(dir.path()).unwrap_err();
    assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let (dir, store) = fresh_store();
    drop(store);
    let raw = rusqlite::Connection::open(dir.path().join("test.sqlite3")).unwrap();
    raw.pragma_update(None, "user_version", 999).unwrap();
    drop(raw);
    let err = Store::open(&dir.path().join("test.sqlite3")).unwrap_err();
    assert!(
        matches!(err, StoreError::TooNew { found: 999, .. }),
        "{err:?}"
    );
}

#[test]
fn a_damaged_value_is_a_typed_error_not_a_panic() {
    let (dir, mut store) = fresh_store();
    store
        .insert_incoming(&incoming(peer(1), "hello", 10, "h1"), 20)
        .unwrap();
    drop(store);
    let raw = rusqlite::Connection::open(dir.path().join("test.sqlite3")).unwrap();
    raw.execute_batch(
        "PRAGMA foreign_keys = OFF; UPDATE messages SET sender = 'not a session id';",
    )
    .unwrap();
    drop(raw);
    let store = reopen(&dir);
    let conversation = store.conversation_with(&peer(1)).unwrap().unwrap();
    let err = store.messages_page(conversation.id, None, 10).unwrap_err();
    assert!(matches!(err, StoreError::CorruptValue { .. }), "{err:?}");
}

#[test]
fn the_store_can_move_to_another_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Store>();
    let (_dir, store) = fresh_store();
    let handle = std::thread::spawn(move || store.own_session_id().unwrap());
    assert_eq!(handle.join().unwrap(), own_id());
}
