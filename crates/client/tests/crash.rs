//! Crash safety: a writer process killed (SIGKILL) in the middle of writing leaves a database
//! that opens, passes its integrity checks and holds only whole batches.
//!
//! The test re-runs this test binary as the child (the ignored `crash_child_writer` test),
//! kills it at different moments and inspects the file.
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{incoming, own_id, peer};
use session_client::store::{Direction, PollBatch, SeenHash, Store};
use session_protocol::rpc::Namespace;

const CHILD_ENV: &str = "SESSION_CLIENT_CRASH_DB";
const BATCH: usize = 100;
const NODE: [u8; 32] = [9; 32];

/// The child: writes poll batches (messages + seen hashes + cursor) and queued sends forever.
#[test]
#[ignore = "child process of killed_writer_leaves_a_consistent_database"]
fn crash_child_writer() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut store = Store::open(path.as_ref()).unwrap();
    store.init_account(&own_id(), 1).unwrap();
    let run = std::process::id();
    for batch_number in 0u64.. {
        let hashes: Vec<String> = (0..BATCH)
            .map(|i| format!("{run}-{batch_number}-{i}"))
            .collect();
        let batch = PollBatch {
            node_ed25519: NODE,
            namespace: Namespace::DEFAULT,
            newest: hashes.last().map(|h| SeenHash {
                hash: h.clone(),
                expires_at_ms: i64::MAX,
            }),
            seen: hashes
                .iter()
                .map(|h| SeenHash {
                    hash: h.clone(),
                    expires_at_ms: i64::MAX,
                })
                .collect(),
            messages: hashes
                .iter()
                .enumerate()
                .map(|(i, h)| {
                    let sender = peer((i % 5) as u8 + 1);
                    incoming(sender, &format!("crash test body {h}"), 1_000 + i as i64, h)
                })
                .collect(),
        };
        store.apply_poll_batch(&batch, 10).unwrap();
        store
            .queue_outgoing(&peer(1), "reply", 2_000, 2_000)
            .unwrap();
        println!("committed {batch_number}");
    }
}

#[test]
fn killed_writer_leaves_a_consistent_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.sqlite3");
    let exe = std::env::current_exe().unwrap();
    let mut previous_total = 0;
    // Each round waits for a few committed batches, then kills after a short, varying delay
    // so that the kill lands at different points of a write.
    for (round, delay_ms) in [0u64, 3, 7, 11, 17].into_iter().enumerate() {
        let mut child = Command::new(&exe)
            .args(["crash_child_writer", "--exact", "--ignored", "--nocapture"])
            .env(CHILD_ENV, &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let wanted = format!("committed {round}");
        assert!(
            lines.any(|line| line.unwrap() == wanted),
            "the child did not write"
        );
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "round {round}: the child finished by itself"
        );

        let store = Store::open(&path).unwrap();
        store.check_integrity().unwrap();
        let total = check_invariants(&store, round);
        assert!(
            total > previous_total,
            "round {round}: the child wrote nothing"
        );
        previous_total = total;
    }
}

/// Whole batches only; the cursor names the newest stored message; counters match rows.
/// Returns the number of incoming messages.
fn check_invariants(store: &Store, round: usize) -> usize {
    let mut incoming_total = 0;
    let mut newest_hash: Option<(i64, String)> = None;
    let mut conversations = store.conversations().unwrap();
    conversations.extend(store.message_requests().unwrap());
    assert!(
        !conversations.is_empty(),
        "round {round}: nothing was written"
    );
    for item in &conversations {
        let id = item.conversation.id;
        let mut unread = 0;
        let mut cursor = None;
        loop {
            let page = store.messages_page(id, cursor, 500).unwrap();
            for m in &page.messages {
                if m.direction == Direction::Incoming {
                    incoming_total += 1;
                    if !m.is_read {
                        unread += 1;
                    }
                    let hash = m.server_hash.clone().unwrap();
                    if newest_hash.as_ref().is_none_or(|(id, _)| m.id.0 > *id) {
                        newest_hash = Some((m.id.0, hash));
                    }
                }
            }
            match page.older {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        assert_eq!(item.conversation.unread_count, unread, "round {round}");
    }
    assert_eq!(incoming_total % BATCH, 0, "round {round}: a partial batch");
    let cursor = store
        .last_hash(&NODE, Namespace::DEFAULT, 0)
        .unwrap()
        .unwrap();
    assert_eq!(Some(cursor), newest_hash.map(|(_, h)| h), "round {round}");
    let found = store.search_messages("crash test body", None, 1).unwrap();
    assert_eq!(found.len(), 1);
    incoming_total
}
