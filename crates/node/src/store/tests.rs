//! Store tests against real SQLite files in a temporary directory.

use super::*;
use crate::swarm::{swarm_space, SpaceRange};

pub(super) fn account(n: u8) -> AccountKey {
    let mut k = [0u8; 33];
    k[0] = 0x05;
    k[1] = n;
    k[32] = n.wrapping_mul(7);
    k
}

pub(super) fn msg(pubkey: AccountKey, namespace: i16, i: u32, expiry_ms: i64) -> NewMessage {
    NewMessage {
        pubkey,
        namespace,
        hash: format!("hash-{}-{namespace}-{i}", pubkey[1]),
        timestamp_ms: 1_000 + i64::from(i),
        expiry_ms,
        data: vec![i as u8; 10 + i as usize],
    }
}

pub(super) fn query(pubkey: AccountKey, namespace: i16, last_hash: Option<&str>) -> RetrieveQuery {
    RetrieveQuery {
        pubkey,
        namespace,
        last_hash: last_hash.map(str::to_string),
        max_count: None,
        max_size: None,
        per_message_overhead: 0,
        size_as_base64: false,
        now_ms: 0,
    }
}

pub(super) const FAR: i64 = 10_000_000;

pub(super) async fn open(dir: &tempfile::TempDir) -> Store {
    Store::open_async(dir.path().join("store.sqlite"))
        .await
        .unwrap()
}

#[tokio::test]
async fn store_reports_new_existing_and_extended() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let m = msg(account(1), 0, 1, 5_000);
    assert_eq!(store.store(m.clone()).await.unwrap(), StoreOutcome::New);
    let again = store.store(m.clone()).await.unwrap();
    assert_eq!(again, StoreOutcome::Exists { expiry_ms: 5_000 });
    assert!(again.already_existed());
    let shorter = NewMessage {
        expiry_ms: 4_000,
        ..m.clone()
    };
    assert_eq!(
        store.store(shorter).await.unwrap(),
        StoreOutcome::Exists { expiry_ms: 5_000 }
    );
    let longer = NewMessage {
        expiry_ms: 9_000,
        ..m
    };
    assert_eq!(
        store.store(longer).await.unwrap(),
        StoreOutcome::Extended { expiry_ms: 9_000 }
    );
    assert_eq!(store.count().await.unwrap(), 1);
}

#[tokio::test]
async fn retrieve_pages_with_last_hash_count_and_size() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(1);
    for i in 0..10 {
        store.store(msg(a, 0, i, FAR)).await.unwrap();
    }
    // Other accounts and namespaces must not leak in.
    store.store(msg(account(2), 0, 0, FAR)).await.unwrap();
    store.store(msg(a, 3, 0, FAR)).await.unwrap();

    let all = store.retrieve(query(a, 0, None)).await.unwrap();
    assert_eq!(all.messages.len(), 10);
    assert!(!all.more);
    assert!(all.messages.windows(2).all(|w| w[0].seq < w[1].seq));
    assert_eq!(all.messages[3], {
        let m = msg(a, 0, 3, FAR);
        StoredMessage {
            seq: all.messages[3].seq,
            pubkey: m.pubkey,
            namespace: m.namespace,
            hash: m.hash,
            timestamp_ms: m.timestamp_ms,
            expiry_ms: m.expiry_ms,
            data: m.data,
        }
    });

    // Page through with max_count 4: 4 + 4 + 2.
    let mut last: Option<String> = None;
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let mut q = query(a, 0, last.as_deref());
        q.max_count = Some(4);
        let page = store.retrieve(q).await.unwrap();
        pages += 1;
        seen.extend(page.messages.iter().map(|m| m.hash.clone()));
        last = page.messages.last().map(|m| m.hash.clone());
        if !page.more {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen,
        all.messages
            .iter()
            .map(|m| m.hash.clone())
            .collect::<Vec<_>>()
    );

    // Unknown last_hash: from the start.
    let from_start = store.retrieve(query(a, 0, Some("nope"))).await.unwrap();
    assert_eq!(from_start.messages.len(), 10);

    // Size limit: messages are hash (12 bytes) + data (10 + i) + overhead 8.
    let mut q = query(a, 0, None);
    q.max_size = Some((12 + 10 + 8) + (12 + 11 + 8));
    q.per_message_overhead = 8;
    let sized = store.retrieve(q.clone()).await.unwrap();
    assert_eq!(sized.messages.len(), 2);
    assert!(sized.more);
    // A limit smaller than one message still returns one.
    q.max_size = Some(1);
    let one = store.retrieve(q).await.unwrap();
    assert_eq!(one.messages.len(), 1);
    assert!(one.more);

    // Expired messages are left out.
    let mut q = query(a, 3, None);
    q.now_ms = FAR;
    assert!(store.retrieve(q).await.unwrap().messages.is_empty());
}

#[tokio::test]
async fn deletes_by_hash_namespace_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(1);
    for ns in [0i16, 5] {
        for i in 0..4 {
            store.store(msg(a, ns, i, FAR)).await.unwrap();
        }
    }
    let other = msg(account(2), 0, 0, FAR);
    store.store(other.clone()).await.unwrap();

    // Only the account's own messages can be deleted by hash.
    let deleted = store
        .delete_by_hashes(
            a,
            vec![msg(a, 0, 1, 0).hash, "missing".into(), other.hash.clone()],
        )
        .await
        .unwrap();
    assert_eq!(deleted, vec![msg(a, 0, 1, 0).hash]);

    // timestamp <= 1001 in namespace 5: messages 0 and 1.
    let mut before = store
        .delete_before(a, NamespaceSel::One(5), 1_001)
        .await
        .unwrap();
    before.sort();
    assert_eq!(
        before,
        vec![(5, msg(a, 5, 0, 0).hash), (5, msg(a, 5, 1, 0).hash)]
    );

    let ns0 = store.delete_all(a, NamespaceSel::One(0)).await.unwrap();
    assert_eq!(ns0.len(), 3);
    let rest = store.delete_all(a, NamespaceSel::All).await.unwrap();
    assert_eq!(rest.len(), 2);
    assert!(rest.iter().all(|(ns, _)| *ns == 5));
    assert_eq!(store.count().await.unwrap(), 1);
}

fn msg_with(pubkey: AccountKey, i: u32) -> impl Fn(i64) -> NewMessage {
    move |expiry| msg(pubkey, 0, i, expiry)
}

#[tokio::test]
async fn expire_respects_shorten_and_extend() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(1);
    let m0 = msg_with(a, 0);
    let m1 = msg_with(a, 1);
    store.store(m0(5_000)).await.unwrap();
    store.store(m1(8_000)).await.unwrap();
    let h0 = m0(0).hash;
    let h1 = m1(0).hash;

    let out = store
        .expire(
            a,
            vec![
                (h0.clone(), 6_000),
                (h1.clone(), 6_000),
                ("x".into(), 6_000),
            ],
            ExpireMode::ShortenOnly,
        )
        .await
        .unwrap();
    assert_eq!(out.updated, vec![(h1.clone(), 6_000)]);
    assert_eq!(out.unchanged.get(&h0), Some(&5_000));
    assert_eq!(out.unchanged.len(), 1);

    let out = store
        .expire(
            a,
            vec![(h0.clone(), 7_000), (h1.clone(), 5_500)],
            ExpireMode::ExtendOnly,
        )
        .await
        .unwrap();
    assert_eq!(out.updated, vec![(h0.clone(), 7_000)]);
    assert_eq!(out.unchanged.get(&h1), Some(&6_000));

    let out = store
        .expire(a, vec![(h0.clone(), 1_000)], ExpireMode::Set)
        .await
        .unwrap();
    assert_eq!(out.updated, vec![(h0.clone(), 1_000)]);
    assert!(out.unchanged.is_empty());

    // Another account cannot touch them.
    let out = store
        .expire(account(9), vec![(h1.clone(), 1)], ExpireMode::Set)
        .await
        .unwrap();
    assert!(out.updated.is_empty());

    let expiries = store
        .get_expiries(a, vec![h0.clone(), h1.clone(), "x".into()])
        .await
        .unwrap();
    assert_eq!(expiries.len(), 2);
    assert_eq!(expiries[&h0], 1_000);
    assert_eq!(expiries[&h1], 6_000);

    // expire_all only shortens.
    let changed = store.expire_all(a, NamespaceSel::All, 2_000).await.unwrap();
    assert_eq!(changed, vec![(0, h1.clone())]);
    let expiries = store.get_expiries(a, vec![h0, h1.clone()]).await.unwrap();
    assert_eq!(expiries[&h1], 2_000);
}

#[tokio::test]
async fn sweep_removes_only_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(1);
    store.store(msg(a, 0, 0, 100)).await.unwrap();
    store.store(msg(a, 0, 1, 200)).await.unwrap();
    store.store(msg(a, 0, 2, 300)).await.unwrap();
    assert_eq!(store.sweep_expired(200).await.unwrap(), 2);
    assert_eq!(store.count().await.unwrap(), 1);
    assert_eq!(store.sweep_expired(200).await.unwrap(), 0);
}

#[tokio::test]
async fn public_outbox_keeps_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let a = account(1);
    store.store(msg(a, -21, 0, FAR)).await.unwrap();
    store.store(msg(a, -21, 1, FAR)).await.unwrap();
    store.store(msg(a, -10, 0, FAR)).await.unwrap();
    store.store(msg(a, -10, 1, FAR)).await.unwrap();
    let outbox = store.retrieve(query(a, -21, None)).await.unwrap();
    assert_eq!(outbox.messages.len(), 1);
    assert_eq!(outbox.messages[0].hash, msg(a, -21, 1, 0).hash);
    assert_eq!(
        store
            .retrieve(query(a, -10, None))
            .await
            .unwrap()
            .messages
            .len(),
        2
    );
}

#[tokio::test]
async fn messages_survive_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let a = account(1);
    {
        let store = open(&dir).await;
        let many: Vec<NewMessage> = (0..50).map(|i| msg(a, 0, i, FAR)).collect();
        let outcomes = store.store_many(many).await.unwrap();
        assert!(outcomes.iter().all(|o| *o == StoreOutcome::New));
    }
    let store = open(&dir).await;
    let got = store.retrieve(query(a, 0, None)).await.unwrap();
    assert_eq!(got.messages.len(), 50);
    // Sequence numbers keep increasing after a restart.
    let before = got.messages.last().unwrap().seq;
    store.store(msg(a, 0, 99, FAR)).await.unwrap();
    let after = store
        .retrieve(query(a, 0, Some(&msg(a, 0, 49, FAR).hash)))
        .await
        .unwrap();
    assert_eq!(after.messages.len(), 1);
    assert!(after.messages[0].seq > before);
}

#[tokio::test]
async fn concurrent_stores_are_batched_and_all_land() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let mut tasks = Vec::new();
    for t in 0..8u8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..100 {
                let out = store.store(msg(account(t), 0, i, FAR)).await.unwrap();
                assert_eq!(out, StoreOutcome::New);
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(store.count().await.unwrap(), 800);
}

pub(super) fn space_of(a: &AccountKey) -> u64 {
    swarm_space(&a[1..].try_into().unwrap())
}

#[tokio::test]
async fn space_range_scan_pages_through_one_slice() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir).await;
    let accounts: Vec<AccountKey> = (0..40u8).map(account).collect();
    for (i, a) in accounts.iter().enumerate() {
        for j in 0..3 {
            store
                .store(msg(*a, 0, i as u32 * 10 + j, FAR))
                .await
                .unwrap();
        }
    }
    let mut spaces: Vec<u64> = accounts.iter().map(space_of).collect();
    spaces.sort_unstable();
    // A wrapping slice: from the 30th account's position round to the 10th's.
    let range = SpaceRange {
        start: spaces[30],
        end: spaces[10],
    };
    let expected: usize = accounts
        .iter()
        .filter(|a| range.contains(space_of(a)))
        .count()
        * 3;
    assert!(expected > 0 && expected < 120);

    let mut got = Vec::new();
    let mut cursor = None;
    loop {
        let page = store
            .messages_in_space_range(range, cursor, 7, 0)
            .await
            .unwrap();
        assert!(page.messages.len() <= 7);
        got.extend(page.messages);
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(got.len(), expected);
    assert!(got.iter().all(|m| range.contains(space_of(&m.pubkey))));
    let mut hashes: Vec<&String> = got.iter().map(|m| &m.hash).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), expected);

    let full = store
        .messages_in_space_range(SpaceRange::FULL, None, 1000, 0)
        .await
        .unwrap();
    assert_eq!(full.messages.len(), 120);
    assert!(full.next.is_none());
}

#[tokio::test]
async fn newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Store::open(&path).unwrap_err();
    assert!(matches!(err, StoreError::TooNew { .. }), "{err}");
}
