//! Store tests of the schema's later decisions: queries by account through the space index
//! (migration 2), the page size, and the writer's savepoint fallback.

use super::tests::{account, msg, open, query, space_of, FAR};
use super::*;

/// Two accounts at the same swarm-space position: the 32 key bytes as four 8-byte words, the
/// second with its first two words swapped (the position XORs the words).
fn accounts_sharing_a_position() -> (AccountKey, AccountKey) {
    let mut a = [0u8; 33];
    a[0] = 0x05;
    for (i, b) in a[1..].iter_mut().enumerate() {
        *b = i as u8 * 3 + 1;
    }
    let mut b = a;
    b[1..9].copy_from_slice(&a[9..17]);
    b[9..17].copy_from_slice(&a[1..9]);
    assert_ne!(a, b);
    assert_eq!(space_of(&a), space_of(&b));
    (a, b)
}

#[tokio::test]
async fn queries_by_account_never_touch_another_account_at_the_same_position() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let (a, b) = accounts_sharing_a_position();
    for i in 0..4 {
        store.store(msg(a, 0, i, FAR)).await.unwrap();
        store.store(msg(b, 0, i, FAR)).await.unwrap();
        store.store(msg(b, 1, i, FAR)).await.unwrap();
    }
    let got = store.retrieve(query(a, 0, None)).await.unwrap();
    assert_eq!(got.messages.len(), 4);
    assert!(got.messages.iter().all(|m| m.pubkey == a));
    let paged = store
        .retrieve(query(b, 0, Some(&msg(b, 0, 1, FAR).hash)))
        .await
        .unwrap();
    let hashes: Vec<String> = paged.messages.iter().map(|m| m.hash.clone()).collect();
    assert_eq!(hashes, [msg(b, 0, 2, FAR).hash, msg(b, 0, 3, FAR).hash]);

    // Expiring, deleting before a time and deleting everything of `a` leave `b` whole.
    assert_eq!(
        store
            .expire_all(a, NamespaceSel::All, 9_000)
            .await
            .unwrap()
            .len(),
        4
    );
    let before = store
        .delete_before(a, NamespaceSel::One(0), 1_001)
        .await
        .unwrap();
    assert_eq!(before.len(), 2);
    let all = store.delete_all(a, NamespaceSel::All).await.unwrap();
    assert_eq!(all.len(), 2);
    assert!(store
        .retrieve(query(a, 0, None))
        .await
        .unwrap()
        .messages
        .is_empty());
    for ns in [0, 1] {
        let left = store.retrieve(query(b, ns, None)).await.unwrap().messages;
        assert_eq!(left.len(), 4);
        assert!(left.iter().all(|m| m.expiry_ms == FAR));
    }
}

#[tokio::test]
async fn public_outbox_replacement_keeps_other_accounts_at_the_same_position() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let (a, b) = accounts_sharing_a_position();
    store.store(msg(b, -1, 1, FAR)).await.unwrap();
    store.store(msg(a, -1, 1, FAR)).await.unwrap();
    store.store(msg(a, -1, 2, FAR)).await.unwrap();
    assert_eq!(
        store
            .retrieve(query(a, -1, None))
            .await
            .unwrap()
            .messages
            .len(),
        1
    );
    assert_eq!(
        store
            .retrieve(query(b, -1, None))
            .await
            .unwrap()
            .messages
            .len(),
        1
    );
}

#[test]
fn queries_by_account_search_the_space_index() {
    let dir = tempfile::tempdir().unwrap();
    let conn = schema::open_writer(&dir.path().join("store.sqlite")).unwrap();
    // The shapes of the account queries in `ops` (retrieve, outbox replacement, deletes,
    // expire_all): each must be an index search, never a scan of the table.
    for sql in [
        "SELECT seq FROM messages WHERE space = 1 AND pubkey = x'05' AND namespace = 0
         AND seq > 0 AND expiry > 0 ORDER BY seq LIMIT 10",
        "DELETE FROM messages WHERE space = 1 AND pubkey = x'05' AND namespace = -1
         AND hash != 'h'",
        "DELETE FROM messages WHERE space = 1 AND pubkey = x'05' AND timestamp <= 5",
        "UPDATE messages SET expiry = 5 WHERE space = 1 AND pubkey = x'05' AND expiry > 5",
    ] {
        let plan: Vec<String> = conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let plan = plan.join("; ");
        assert!(plan.contains("USING INDEX messages_space"), "{sql}: {plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
    }
}

#[tokio::test]
async fn a_version_1_database_is_upgraded_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let a = account(9);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let space = (space_of(&a) ^ (1 << 63)) as i64;
        conn.execute(
            "INSERT INTO messages (hash, pubkey, namespace, timestamp, expiry, data, space)
             VALUES ('old', ?1, 0, 1, ?2, x'01', ?3)",
            rusqlite::params![&a[..], FAR, space],
        )
        .unwrap();
    }
    let store = Store::open_async(path.clone()).await.unwrap();
    let got = store.retrieve(query(a, 0, None)).await.unwrap();
    assert_eq!(got.messages.len(), 1);
    assert_eq!(got.messages[0].hash, "old");
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let owner: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'messages_owner'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(owner, 0);
}

#[tokio::test]
async fn a_failing_job_is_undone_alone_and_its_batch_commits() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(3);
    // Submitted together, so they share batches: every fifth job writes, then fails.
    let jobs = (0..40u32).map(|i| {
        let store = store.clone();
        tokio::spawn(async move {
            let m = msg(a, 0, i, FAR);
            store
                .inner
                .writer
                .call(move |c| {
                    ops::store(c, &m)?;
                    if i % 5 == 0 {
                        return Err(StoreError::Interrupted("refused".into()));
                    }
                    Ok(())
                })
                .await
        })
    });
    let handles: Vec<_> = jobs.collect();
    for (i, h) in handles.into_iter().enumerate() {
        let result = h.await.unwrap();
        assert_eq!(result.is_err(), i % 5 == 0, "job {i}: {result:?}");
    }
    let stored = store.retrieve(query(a, 0, None)).await.unwrap().messages;
    let expected: Vec<String> = (0..40u32)
        .filter(|i| i % 5 != 0)
        .map(|i| msg(a, 0, i, FAR).hash)
        .collect();
    let mut got: Vec<String> = stored.into_iter().map(|m| m.hash).collect();
    got.sort();
    let mut expected_sorted = expected;
    expected_sorted.sort();
    assert_eq!(got, expected_sorted);
}

#[test]
fn new_databases_get_4_kib_pages_and_old_ones_keep_theirs() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.sqlite");
    let conn = schema::open_writer(&fresh).unwrap();
    let size: i64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(size, 4_096);

    let old = dir.path().join("old.sqlite");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch("PRAGMA page_size = 8192; CREATE TABLE t (x);")
            .unwrap();
    }
    let conn = schema::open_writer(&old).unwrap();
    let size: i64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    assert_eq!(size, 8_192);
}

/// The writer and the readers run their cached account queries (`LIMIT ?`) without compiling
/// them again on each use (see `schema::stable_plans`).
#[test]
fn cached_queries_with_bound_limits_are_not_recompiled() {
    use rusqlite::StatementStatus;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let writer = schema::open_writer(&path).unwrap();
    let reader = schema::open_reader(&path).unwrap();
    let sql = "SELECT seq FROM messages WHERE space = ?1 AND pubkey = ?2 AND namespace = 0 \
               AND seq > ?3 ORDER BY seq LIMIT ?4";
    for conn in [&writer, &reader] {
        for limit in [10_i64, 10, 3] {
            let mut stmt = conn.prepare_cached(sql).unwrap();
            let rows = stmt
                .query_map(rusqlite::params![1, vec![5_u8], 0, limit], |r| {
                    r.get::<_, i64>(0)
                })
                .unwrap()
                .count();
            assert_eq!(rows, 0);
            assert_eq!(stmt.get_status(StatementStatus::RePrepare), 0);
        }
    }
}

#[tokio::test]
async fn deleted_messages_leave_tombstones_that_catch_up_respects() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(4);
    // Tombstones are kept only for messages that have not expired by the wall clock.
    let expiry = crate::time::now_ms() + 3_600_000;
    let m: Vec<NewMessage> = (0..4).map(|i| msg(a, 0, i, expiry)).collect();
    store.store_many(m.clone()).await.unwrap();
    let deleted = store
        .delete_by_hashes(a, vec![m[0].hash.clone(), m[1].hash.clone()])
        .await
        .unwrap();
    assert_eq!(deleted.len(), 2);
    let whole = SpaceRange {
        start: 0,
        end: u64::MAX,
    };
    let mut tombstones = store.tombstones_in_range(whole, 100, 0).await.unwrap();
    tombstones.sort();
    let mut expected = vec![
        (m[0].hash.clone(), space_of(&a)),
        (m[1].hash.clone(), space_of(&a)),
    ];
    expected.sort();
    assert_eq!(tombstones, expected);
    // A slice without the account has none; nor does a limit of one give more.
    let elsewhere = SpaceRange {
        start: space_of(&a).wrapping_add(1),
        end: space_of(&a).wrapping_add(1000),
    };
    assert!(store
        .tombstones_in_range(elsewhere, 100, 0)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        store.tombstones_in_range(whole, 1, 0).await.unwrap().len(),
        1
    );

    // Catch-up does not take a deleted message back; a message it lacks still goes in.
    let inserted = store
        .insert_missing(vec![m[0].clone(), msg(a, 0, 9, expiry)])
        .await
        .unwrap();
    assert_eq!(inserted, 1);
    assert!(store
        .get_expiries(a, vec![m[0].hash.clone()])
        .await
        .unwrap()
        .is_empty());

    // A client storing it again brings it back and clears its tombstone.
    assert_eq!(store.store(m[0].clone()).await.unwrap(), StoreOutcome::New);
    let left = store.tombstones_in_range(whole, 100, 0).await.unwrap();
    assert_eq!(left, vec![(m[1].hash.clone(), space_of(&a))]);

    // A peer's tombstones delete here (hash and position must match) and leave tombstones.
    let wrong_place = vec![(m[2].hash.clone(), space_of(&a).wrapping_add(1))];
    assert_eq!(store.apply_tombstones(wrong_place).await.unwrap(), 0);
    let right = vec![(m[2].hash.clone(), space_of(&a))];
    assert_eq!(store.apply_tombstones(right).await.unwrap(), 1);
    assert_eq!(
        store
            .tombstones_in_range(whole, 100, 0)
            .await
            .unwrap()
            .len(),
        2
    );

    // Expired tombstones are swept with the messages, and are not served before that.
    assert!(store
        .tombstones_in_range(whole, 100, expiry)
        .await
        .unwrap()
        .is_empty());
    store.sweep_expired(expiry).await.unwrap();
    let conn = rusqlite::Connection::open(dir.path().join("store.sqlite")).unwrap();
    let rows: i64 = conn
        .query_row("SELECT COUNT(*) FROM tombstones", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn messages_already_expired_leave_no_tombstones() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(5);
    // FAR is long past by the wall clock (the sweep deletes such rows in bulk: no tombstones).
    let old = msg(a, 0, 1, FAR);
    store.store(old.clone()).await.unwrap();
    let deleted = store.delete_by_hashes(a, vec![old.hash]).await.unwrap();
    assert_eq!(deleted.len(), 1);
    let whole = SpaceRange {
        start: 0,
        end: u64::MAX,
    };
    assert!(store
        .tombstones_in_range(whole, 100, 0)
        .await
        .unwrap()
        .is_empty());
}
