//! Store benchmarks on real files (in a temporary directory, WAL, synchronous=NORMAL).
//!
//! * `insert_received`: 10,000 received messages from 20 senders, written as poll batches
//!   (messages + seen hashes + cursor, one transaction per batch). Target: ≥ 20,000 msg/s for
//!   the store alone, so that with decryption the client keeps ≥ 5,000 msg/s.
//! * `decrypt_and_insert`: the same with real Session-protocol decryption of every message
//!   (one thread).
//! * `open_conversation`: a conversation of 10,000 messages: first page of 50, a page deep in
//!   the history, and opening the database cold plus the first page. Target: well under 100 ms.
#![allow(clippy::unwrap_used)] // bench code: a failed unwrap is a failed bench

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use session_client::store::{NewIncoming, PageCursor, PollBatch, SeenHash, Store};
use session_protocol::identity::{Keypair, Seed, SessionId};
use session_protocol::message::{unwrap_from_store, wrap_for_store};
use session_protocol::proto::Content;
use session_protocol::rpc::Namespace;
use tempfile::TempDir;

const MESSAGES: usize = 10_000;
const SENDERS: usize = 20;
const NOW: i64 = 1_700_000_000_000;

const WORDS: &[&str] = &[
    "hello", "are", "you", "coming", "tonight", "the", "train", "was", "late", "again", "see",
    "meeting", "notes", "lunch", "tomorrow", "café", "photos", "weekend", "thanks", "great",
];

/// A chat-like body of 8 to 20 words.
fn body(i: usize) -> String {
    let len = 8 + i % 13;
    (0..len)
        .map(|k| WORDS[(i * 7 + k * 3) % WORDS.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// A 43-character hash, like the storage server's.
fn hash(i: usize) -> String {
    format!("{i:0>43}")
}

fn own_id() -> SessionId {
    SessionId::from_x25519([0xAA; 32])
}

fn fresh_store() -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
    store.init_account(&own_id(), NOW).unwrap();
    // Half the senders are approved contacts, half arrive as requests.
    for n in 0..SENDERS / 2 {
        store
            .start_conversation(&SessionId::from_x25519([n as u8 + 1; 32]), NOW)
            .unwrap();
    }
    (dir, store)
}

fn poll_batch(messages: Vec<NewIncoming>) -> PollBatch {
    let seen: Vec<SeenHash> = messages
        .iter()
        .map(|m| SeenHash {
            hash: m.server_hash.clone(),
            expires_at_ms: NOW + 14 * 86_400_000,
        })
        .collect();
    PollBatch {
        node_ed25519: [7; 32],
        namespace: Namespace::DEFAULT,
        newest: seen.last().cloned(),
        seen,
        messages,
    }
}

fn received(count: usize, senders: usize) -> Vec<NewIncoming> {
    (0..count)
        .map(|i| NewIncoming {
            sender: SessionId::from_x25519([(i % senders) as u8 + 1; 32]),
            body: body(i),
            sent_at_ms: NOW + i as i64,
            server_hash: hash(i),
        })
        .collect()
}

fn insert_received(c: &mut Criterion) {
    let mut group = c.benchmark_group("insert_received_10k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(MESSAGES as u64));
    for batch_size in [100, 1000] {
        group.bench_function(format!("poll_batches_of_{batch_size}"), |b| {
            b.iter_batched(
                || {
                    let (dir, store) = fresh_store();
                    let batches: Vec<PollBatch> = received(MESSAGES, SENDERS)
                        .chunks(batch_size)
                        .map(|chunk| poll_batch(chunk.to_vec()))
                        .collect();
                    (dir, store, batches)
                },
                |(dir, mut store, batches)| {
                    for batch in &batches {
                        store.apply_poll_batch(batch, NOW).unwrap();
                    }
                    (dir, store)
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

fn decrypt_and_insert(c: &mut Criterion) {
    let recipient = Keypair::from_seed(&Seed::from_bytes([0xAA; 16]));
    let to = recipient.session_id();
    let senders: Vec<Keypair> = (0..SENDERS)
        .map(|n| Keypair::from_seed(&Seed::from_bytes([n as u8 + 1; 16])))
        .collect();
    let wrapped: Vec<(String, String)> = (0..MESSAGES)
        .map(|i| {
            let content = Content::text(&body(i), None);
            let data = wrap_for_store(&senders[i % SENDERS], &to, &content, NOW as u64 + i as u64)
                .unwrap();
            (hash(i), data)
        })
        .collect();

    let mut group = c.benchmark_group("decrypt_and_insert_10k");
    group.sample_size(10);
    group.throughput(Throughput::Elements(MESSAGES as u64));
    group.bench_function("one_thread_poll_batches_of_100", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let mut store = Store::open(&dir.path().join("bench.sqlite3")).unwrap();
                store.init_account(&to, NOW).unwrap();
                (dir, store)
            },
            |(dir, mut store)| {
                for chunk in wrapped.chunks(100) {
                    let messages = chunk
                        .iter()
                        .map(|(hash, data)| {
                            let incoming = unwrap_from_store(&recipient, data).unwrap();
                            NewIncoming {
                                sender: incoming.sender,
                                body: incoming
                                    .content
                                    .data_message
                                    .and_then(|d| d.body)
                                    .unwrap_or_default(),
                                sent_at_ms: incoming.envelope_timestamp_ms as i64,
                                server_hash: hash.clone(),
                            }
                        })
                        .collect();
                    store.apply_poll_batch(&poll_batch(messages), NOW).unwrap();
                }
                (dir, store)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn open_conversation(c: &mut Criterion) {
    let (dir, mut store) = fresh_store();
    // 10,000 messages with one peer, plus other conversations around it.
    for chunk in received(MESSAGES, 1).chunks(1000) {
        store.insert_incoming_batch(chunk, NOW).unwrap();
    }
    let others: Vec<NewIncoming> = received(MESSAGES + 2_000, SENDERS)
        .into_iter()
        .skip(MESSAGES)
        .filter(|m| m.sender != SessionId::from_x25519([1; 32]))
        .collect();
    store.insert_incoming_batch(&others, NOW).unwrap();
    let peer = SessionId::from_x25519([1; 32]);
    let conversation = store.conversation_with(&peer).unwrap().unwrap().id;
    let path = store.path().to_path_buf();

    // A cursor 9,000 messages deep.
    let mut deep: Option<PageCursor> = None;
    for _ in 0..180 {
        deep = store.messages_page(conversation, deep, 50).unwrap().older;
    }

    let mut group = c.benchmark_group("open_conversation_10k");
    group.bench_function("first_page_50", |b| {
        b.iter(|| {
            let page = store
                .messages_page(black_box(conversation), None, 50)
                .unwrap();
            assert_eq!(page.messages.len(), 50);
            page
        });
    });
    group.bench_function("page_50_at_depth_9000", |b| {
        b.iter(|| {
            let page = store
                .messages_page(black_box(conversation), deep, 50)
                .unwrap();
            assert_eq!(page.messages.len(), 50);
            page
        });
    });
    group.bench_function("cold_open_db_then_first_page_50", |b| {
        b.iter(|| {
            let store = Store::open(&path).unwrap();
            let conversation = store.conversation_with(&peer).unwrap().unwrap();
            store.messages_page(conversation.id, None, 50).unwrap()
        });
    });
    group.bench_function("conversation_list", |b| {
        b.iter(|| store.conversations().unwrap());
    });
    group.bench_function("search_all_newest_50", |b| {
        b.iter(|| {
            store
                .search_messages(black_box("cafe train"), None, 50)
                .unwrap()
        });
    });
    group.finish();
    drop(store);
    drop(dir);
}

criterion_group!(
    benches,
    insert_received,
    decrypt_and_insert,
    open_conversation
);
criterion_main!(benches);
