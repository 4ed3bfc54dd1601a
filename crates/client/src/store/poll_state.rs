//! Poll state: the `last_hash` retrieve cursor and the seen-hash table.
//!
//! Cursor granularity: one `last_hash` per (swarm node, namespace), as Session clients keep it.
//! Nodes of a swarm replicate with a lag, so the newest hash one node returned may be unknown
//! to another, which would then answer with everything. When the node asked has no cursor of
//! its own (a new node, or after rotating), [`Store::last_hash`] falls back to the newest
//! cursor any node gave for that namespace, which is never worse than none. A cursor is dropped
//! once the message it names has expired on the server (the server forgets the hash then).
//!
//! Seen hashes: every retrieved hash is recorded until its message expires, including messages
//! that never become a row (receipts, typing, undecryptable data), so a re-poll from an older
//! cursor does not process anything twice.
//!
//! [`Store::apply_poll_batch`] writes a poll's messages, its seen hashes and the advanced
//! cursor in one transaction: the cursor never moves past messages that were not stored.

use rusqlite::{params, Connection, OptionalExtension};
use session_protocol::rpc::Namespace;

use super::messages::{insert_incoming_all, IncomingOutcome, NewIncoming};
use super::{Store, StoreError};

/// A retrieved message hash and when the server will drop that message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenHash {
    /// The storage-server message hash.
    pub hash: String,
    /// The message's expiry on the server, ms.
    pub expires_at_ms: i64,
}

/// The result of one `retrieve` from one node and namespace, to store atomically.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollBatch {
    /// The node that answered (Ed25519 key).
    pub node_ed25519: [u8; 32],
    /// The namespace retrieved.
    pub namespace: Namespace,
    /// The newest message of the answer: the next cursor. `None` when the answer was empty.
    pub newest: Option<SeenHash>,
    /// Every hash of the answer.
    pub seen: Vec<SeenHash>,
    /// The decrypted messages to show.
    pub messages: Vec<NewIncoming>,
}

pub(super) fn set_last_hash(
    conn: &Connection,
    node: &str,
    namespace: Namespace,
    newest: &SeenHash,
    now_ms: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO poll_state (node_ed25519, namespace, last_hash, expires_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (node_ed25519, namespace) DO UPDATE SET \
         last_hash = excluded.last_hash, expires_at = excluded.expires_at, \
         updated_at = excluded.updated_at",
    )?
    .execute(params![
        node,
        namespace.get(),
        newest.hash,
        newest.expires_at_ms,
        now_ms
    ])?;
    Ok(())
}

/// Records hashes; `true` for each one not seen before. An already-seen hash gets the later
/// of the two expiries (the sender may have extended it).
fn mark_seen(conn: &Connection, seen: &[SeenHash]) -> rusqlite::Result<Vec<bool>> {
    let mut insert = conn.prepare_cached(
        "INSERT INTO seen_hashes (hash, expires_at) VALUES (?1, ?2) \
         ON CONFLICT (hash) DO NOTHING",
    )?;
    let mut extend = conn.prepare_cached(
        "UPDATE seen_hashes SET expires_at = max(expires_at, ?2) WHERE hash = ?1",
    )?;
    let mut fresh = Vec::with_capacity(seen.len());
    for entry in seen {
        let is_new = insert.execute(params![entry.hash, entry.expires_at_ms])? == 1;
        if !is_new {
            extend.execute(params![entry.hash, entry.expires_at_ms])?;
        }
        fresh.push(is_new);
    }
    Ok(fresh)
}

impl Store {
    /// The cursor for `retrieve` from `node` in `namespace`: this node's own unexpired
    /// `last_hash`, else the newest unexpired one from any node, else `None` (retrieve all).
    pub fn last_hash(
        &self,
        node_ed25519: &[u8; 32],
        namespace: Namespace,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT last_hash FROM poll_state WHERE namespace = ?2 AND expires_at > ?3 \
                 ORDER BY node_ed25519 = ?1 DESC, updated_at DESC LIMIT 1",
            )?
            .query_row(
                params![hex::encode(node_ed25519), namespace.get(), now_ms],
                |row| row.get(0),
            )
            .optional()?)
    }

    /// Sets the cursor of (`node`, `namespace`) to `newest`.
    pub fn set_last_hash(
        &mut self,
        node_ed25519: &[u8; 32],
        namespace: Namespace,
        newest: &SeenHash,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        set_last_hash(
            &self.conn,
            &hex::encode(node_ed25519),
            namespace,
            newest,
            now_ms,
        )?;
        Ok(())
    }

    /// Forgets every cursor of a node (it left the swarm).
    pub fn forget_poll_node(&mut self, node_ed25519: &[u8; 32]) -> Result<usize, StoreError> {
        Ok(self.conn.execute(
            "DELETE FROM poll_state WHERE node_ed25519 = ?1",
            [hex::encode(node_ed25519)],
        )?)
    }

    /// Which of `hashes` have not been processed yet (in input order), so that only those are
    /// decrypted.
    pub fn unseen_hashes<'h>(&self, hashes: &[&'h str]) -> Result<Vec<&'h str>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT 1 FROM seen_hashes WHERE hash = ?1")?;
        let mut unseen = Vec::new();
        for &hash in hashes {
            if !stmt.exists([hash])? {
                unseen.push(hash);
            }
        }
        Ok(unseen)
    }

    /// Records processed hashes; returns `true` for each one that was new.
    pub fn mark_seen(&mut self, seen: &[SeenHash]) -> Result<Vec<bool>, StoreError> {
        let tx = self.conn.transaction()?;
        let fresh = mark_seen(&tx, seen)?;
        tx.commit()?;
        Ok(fresh)
    }

    /// Stores one poll's messages, seen hashes and new cursor in a single transaction.
    /// Outcomes are those of the messages, in order.
    pub fn apply_poll_batch(
        &mut self,
        batch: &PollBatch,
        now_ms: i64,
    ) -> Result<Vec<IncomingOutcome>, StoreError> {
        let tx = self.conn.transaction()?;
        mark_seen(&tx, &batch.seen)?;
        let outcomes = insert_incoming_all(&tx, &batch.messages, now_ms)?;
        if let Some(newest) = &batch.newest {
            let node = hex::encode(batch.node_ed25519);
            set_last_hash(&tx, &node, batch.namespace, newest, now_ms)?;
        }
        tx.commit()?;
        Ok(outcomes)
    }

    /// Deletes expired seen hashes and cursors. Returns how many rows went.
    pub fn prune_expired_poll_state(&mut self, now_ms: i64) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut removed = tx.execute("DELETE FROM seen_hashes WHERE expires_at <= ?1", [now_ms])?;
        removed += tx.execute("DELETE FROM poll_state WHERE expires_at <= ?1", [now_ms])?;
        tx.commit()?;
        Ok(removed)
    }
}
