//! The persisted send queue.
//!
//! Sending a message writes the message (status `queued`) and its queue entry in one
//! transaction, so it survives a restart. A sender task claims due entries (status `sending`,
//! the entry leased for [`RetryPolicy::lease_ms`]), tries them, and reports success (status
//! `sent`, entry removed) or failure (status `queued` again with exponential backoff, or
//! `failed` after the last attempt). If the process dies mid-attempt the lease runs out and the
//! entry becomes due again; at startup [`Store::release_claimed_sends`] makes it due at once.
//! A message that can be encrypted when it is written is written already claimed, with its
//! encrypted data ([`Store::queue_outgoing_encrypted`]): its first attempt starts at once, and
//! from then on it is like any claimed entry.

use rusqlite::{params, Connection, OptionalExtension};
use session_protocol::identity::SessionId;

use super::contacts::approve;
use super::conversations::ensure_conversation;
use super::messages::{message_from_row, MESSAGE_COLUMNS};
use super::{get_count, get_session_id, ConversationId, Message, MessageId, Store, StoreError};

/// When to retry and when to give up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Delay after the first failed attempt; doubled after each further failure.
    pub first_delay_ms: i64,
    /// Upper bound of the delay.
    pub max_delay_ms: i64,
    /// Attempts before the message is marked failed.
    pub max_attempts: u32,
    /// How long a claimed entry is reserved for its attempt; longer than any attempt can take
    /// (an onion request times out after about 25 s).
    pub lease_ms: i64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            first_delay_ms: 2_000,
            max_delay_ms: 5 * 60_000,
            max_attempts: 8,
            lease_ms: 60_000,
        }
    }
}

impl RetryPolicy {
    /// The wait after `attempts` failed attempts (1 → `first_delay_ms`, 2 → twice that, …).
    pub fn delay_after(&self, attempts: u32) -> i64 {
        let doublings = attempts.saturating_sub(1).min(40);
        self.first_delay_ms
            .saturating_mul(1i64 << doublings)
            .min(self.max_delay_ms)
    }
}

/// An entry handed to the sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedSend {
    /// The message.
    pub message_id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The recipient.
    pub peer: SessionId,
    /// The text.
    pub body: String,
    /// The sent time to sign into the message (fixed when queued, the same on every retry).
    pub sent_at_ms: i64,
    /// Which attempt this is (1 for the first).
    pub attempt: u32,
    /// The encrypted data of an earlier attempt, to resend unchanged (see
    /// [`Store::set_send_payload`]).
    pub payload: Option<String>,
}

/// The queue state of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntry {
    /// The message.
    pub message_id: MessageId,
    /// Attempts started so far.
    pub attempts: u32,
    /// When the entry is due (or its lease ends); `None` after giving up.
    pub next_attempt_at_ms: Option<i64>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// The saved encrypted data, if any.
    pub payload: Option<String>,
}

/// What [`Store::mark_send_failed`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendFailure {
    /// Will be retried at this time.
    RetryAt {
        /// Time of the next attempt, ms.
        at_ms: i64,
    },
    /// That was the last attempt; the message is `failed`.
    GaveUp,
}

fn set_status(conn: &Connection, id: MessageId, status: &str) -> rusqlite::Result<()> {
    conn.prepare_cached("UPDATE messages SET status = ?2 WHERE id = ?1")?
        .execute(params![id, status])?;
    Ok(())
}

impl Store {
    /// Writes an outgoing message to `peer` and queues it, in one transaction. The conversation
    /// is created if needed and the peer becomes approved (writing to someone accepts them).
    pub fn queue_outgoing(
        &mut self,
        peer: &SessionId,
        body: &str,
        sent_at_ms: i64,
        now_ms: i64,
    ) -> Result<Message, StoreError> {
        let (message, _) = self.insert_outgoing(peer, body, sent_at_ms, now_ms, None, None)?;
        Ok(message)
    }

    /// [`Store::queue_outgoing`] with the message's encrypted data `payload` saved (when
    /// encrypting worked), so no attempt encrypts it again. With `claim` and a payload the
    /// message is written already claimed for a first attempt starting now (`sending`,
    /// attempt 1, leased until `now_ms + claim.lease_ms`), so that attempt needs no second
    /// commit before it starts, and the claim is returned. Otherwise it is queued as usual,
    /// due now, for the send worker.
    pub fn queue_outgoing_encrypted(
        &mut self,
        peer: &SessionId,
        body: &str,
        sent_at_ms: i64,
        now_ms: i64,
        payload: Option<String>,
        claim: Option<&RetryPolicy>,
    ) -> Result<(Message, Option<QueuedSend>), StoreError> {
        let lease_until = claim
            .filter(|_| payload.is_some())
            .map(|policy| now_ms.saturating_add(policy.lease_ms));
        self.insert_outgoing(peer, body, sent_at_ms, now_ms, payload, lease_until)
    }

    /// The transaction of every `queue_outgoing` form: `payload` is the encrypted data, if
    /// already made; with `lease_until` the message is claimed for a first attempt starting now.
    fn insert_outgoing(
        &mut self,
        peer: &SessionId,
        body: &str,
        sent_at_ms: i64,
        now_ms: i64,
        payload: Option<String>,
        lease_until: Option<i64>,
    ) -> Result<(Message, Option<QueuedSend>), StoreError> {
        let own = self.own_session_id()?;
        let status = if lease_until.is_some() {
            "sending"
        } else {
            "queued"
        };
        let tx = self.conn.transaction()?;
        let (conversation_id, _) = ensure_conversation(&tx, &peer.to_hex(), false, now_ms)?;
        approve(&tx, peer, now_ms)?;
        tx.prepare_cached(
            "INSERT INTO messages (conversation_id, direction, sender, body, sent_at, \
             received_at, server_hash, status, is_read) \
             VALUES (?1, 'out', ?2, ?3, ?4, ?5, NULL, ?6, 0)",
        )?
        .execute(params![
            conversation_id,
            own.to_hex(),
            body,
            sent_at_ms,
            now_ms,
            status
        ])?;
        let id = MessageId(tx.last_insert_rowid());
        let (attempts, next_attempt_at) = match lease_until {
            Some(lease_until) => (1, lease_until),
            None => (0, now_ms),
        };
        tx.prepare_cached(
            "INSERT INTO send_queue (message_id, attempts, next_attempt_at, payload) \
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![id, attempts, next_attempt_at, payload.as_deref()])?;
        tx.prepare_cached(
            "UPDATE conversations SET last_activity_at = max(last_activity_at, ?2) WHERE id = ?1",
        )?
        .execute(params![conversation_id, sent_at_ms])?;
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1");
        let message = tx.prepare_cached(&sql)?.query_row([id], message_from_row)?;
        tx.commit()?;
        let claimed = lease_until.map(|_| QueuedSend {
            message_id: id,
            conversation_id,
            peer: *peer,
            body: body.to_owned(),
            sent_at_ms,
            attempt: 1,
            payload,
        });
        Ok((message, claimed))
    }

    /// Claims up to `limit` entries due at `now_ms`, oldest first: each becomes `sending`, its
    /// attempt count goes up and it is leased until `now_ms + policy.lease_ms`.
    pub fn claim_due_sends(
        &mut self,
        now_ms: i64,
        limit: u32,
        policy: &RetryPolicy,
    ) -> Result<Vec<QueuedSend>, StoreError> {
        self.claim_and_prepare_sends(now_ms, limit, policy, |_| None)
    }

    /// [`Store::claim_due_sends`] that also saves the encrypted data of entries that have none
    /// yet, in the same transaction: `prepare` encrypts an entry (`None` when it cannot; the
    /// entry is then claimed without data). One commit per batch instead of one per entry, and
    /// the data is on disk before the first attempt starts.
    pub fn claim_and_prepare_sends(
        &mut self,
        now_ms: i64,
        limit: u32,
        policy: &RetryPolicy,
        mut prepare: impl FnMut(&QueuedSend) -> Option<String>,
    ) -> Result<Vec<QueuedSend>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut due = {
            let mut stmt = tx.prepare_cached(
                "SELECT q.message_id, m.conversation_id, c.peer, m.body, m.sent_at, q.attempts, \
                 q.payload \
                 FROM send_queue q \
                 JOIN messages m ON m.id = q.message_id \
                 JOIN conversations c ON c.id = m.conversation_id \
                 WHERE q.next_attempt_at IS NOT NULL AND q.next_attempt_at <= ?1 \
                 ORDER BY q.next_attempt_at, q.message_id LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![now_ms, limit], |row| {
                Ok(QueuedSend {
                    message_id: row.get(0)?,
                    conversation_id: row.get(1)?,
                    peer: get_session_id(row, 2)?,
                    body: row.get(3)?,
                    sent_at_ms: row.get(4)?,
                    attempt: get_count(row, 5)?,
                    payload: row.get(6)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()?
        };
        let lease_until = now_ms.saturating_add(policy.lease_ms);
        for entry in &mut due {
            entry.attempt = entry.attempt.saturating_add(1);
            tx.prepare_cached(
                "UPDATE send_queue SET attempts = ?2, next_attempt_at = ?3 WHERE message_id = ?1",
            )?
            .execute(params![entry.message_id, entry.attempt, lease_until])?;
            set_status(&tx, entry.message_id, "sending")?;
            if entry.payload.is_none() {
                if let Some(payload) = prepare(entry) {
                    tx.prepare_cached("UPDATE send_queue SET payload = ?2 WHERE message_id = ?1")?
                        .execute(params![entry.message_id, payload])?;
                    entry.payload = Some(payload);
                }
            }
        }
        tx.commit()?;
        Ok(due)
    }

    /// Saves the encrypted data of an attempt so that retries send the same bytes (and the
    /// storage server, seeing the same hash, does not store a second copy).
    pub fn set_send_payload(&mut self, id: MessageId, payload: &str) -> Result<(), StoreError> {
        let changed = self
            .conn
            .prepare_cached("UPDATE send_queue SET payload = ?2 WHERE message_id = ?1")?
            .execute(params![id, payload])?;
        if changed == 0 {
            return Err(StoreError::not_found("queued message", id));
        }
        Ok(())
    }

    /// Records a successful send: the message is `sent` with its server hash, and leaves the
    /// queue.
    pub fn mark_send_succeeded(
        &mut self,
        id: MessageId,
        server_hash: &str,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let changed = tx
            .prepare_cached("DELETE FROM send_queue WHERE message_id = ?1")?
            .execute([id])?;
        if changed == 0 {
            return Err(StoreError::not_found("queued message", id));
        }
        tx.prepare_cached("UPDATE messages SET status = 'sent', server_hash = ?2 WHERE id = ?1")?
            .execute(params![id, server_hash])?;
        tx.commit()?;
        Ok(())
    }

    /// Records a failed attempt: schedules a retry with backoff, or gives up after
    /// `policy.max_attempts` (the message becomes `failed`).
    pub fn mark_send_failed(
        &mut self,
        id: MessageId,
        error: &str,
        now_ms: i64,
        policy: &RetryPolicy,
    ) -> Result<SendFailure, StoreError> {
        let tx = self.conn.transaction()?;
        let attempts = tx
            .prepare_cached("SELECT attempts FROM send_queue WHERE message_id = ?1")?
            .query_row([id], |row| get_count(row, 0))
            .optional()?
            .ok_or_else(|| StoreError::not_found("queued message", id))?;
        let outcome = if attempts >= policy.max_attempts {
            SendFailure::GaveUp
        } else {
            SendFailure::RetryAt {
                at_ms: now_ms.saturating_add(policy.delay_after(attempts)),
            }
        };
        let (next, status) = match outcome {
            SendFailure::RetryAt { at_ms } => (Some(at_ms), "queued"),
            SendFailure::GaveUp => (None, "failed"),
        };
        tx.prepare_cached(
            "UPDATE send_queue SET next_attempt_at = ?2, last_error = ?3 WHERE message_id = ?1",
        )?
        .execute(params![id, next, error])?;
        set_status(&tx, id, status)?;
        tx.commit()?;
        Ok(outcome)
    }

    /// Queues a `failed` message again (the user pressed "retry"): due now, attempts reset.
    pub fn retry_send(&mut self, id: MessageId, now_ms: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let changed = tx
            .prepare_cached(
                "UPDATE send_queue SET attempts = 0, next_attempt_at = ?2 \
                 WHERE message_id = ?1 AND next_attempt_at IS NULL",
            )?
            .execute(params![id, now_ms])?;
        if changed == 0 {
            return Err(StoreError::not_found("failed message", id));
        }
        set_status(&tx, id, "queued")?;
        tx.commit()?;
        Ok(())
    }

    /// At startup nothing is being sent: makes every `sending` entry (left by a crash or a
    /// kill) due now. Returns how many there were.
    pub fn release_claimed_sends(&mut self, now_ms: i64) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let released = tx.execute(
            "UPDATE send_queue SET next_attempt_at = ?1 WHERE message_id IN \
             (SELECT id FROM messages WHERE status = 'sending')",
            [now_ms],
        )?;
        tx.execute(
            "UPDATE messages SET status = 'queued' WHERE status = 'sending'",
            [],
        )?;
        tx.commit()?;
        Ok(released)
    }

    /// When the next entry is due (for the sender's timer); `None` when nothing waits.
    pub fn next_send_due_at(&self) -> Result<Option<i64>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT min(next_attempt_at) FROM send_queue WHERE next_attempt_at IS NOT NULL",
            )?
            .query_row([], |row| row.get(0))?)
    }

    /// The queue state of one message, if it is in the queue.
    pub fn queue_entry(&self, id: MessageId) -> Result<Option<QueueEntry>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT message_id, attempts, next_attempt_at, last_error, payload \
                 FROM send_queue WHERE message_id = ?1",
            )?
            .query_row([id], |row| {
                Ok(QueueEntry {
                    message_id: row.get(0)?,
                    attempts: get_count(row, 1)?,
                    next_attempt_at_ms: row.get(2)?,
                    last_error: row.get(3)?,
                    payload: row.get(4)?,
                })
            })
            .optional()?)
    }
}
