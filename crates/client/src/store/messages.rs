//! Messages: inserting received ones (deduplicated by server hash), reading a conversation page
//! by page, read state.
//!
//! Pages use keyset pagination over `(sent_at, id)` descending: a page is "the `limit` newest
//! messages older than the cursor", which stays correct while new messages arrive (no offsets
//! that shift) and costs the same for the first page and the thousandth.

use std::collections::HashMap;

use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, ToSql};
use session_protocol::identity::SessionId;

use super::conversations::ensure_conversation;
use super::{get_session_id, text_enum, ConversationId, MessageId, Store, StoreError};

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Received.
    Incoming,
    /// Sent by this account.
    Outgoing,
}

impl Direction {
    fn as_str(self) -> &'static str {
        match self {
            Direction::Incoming => "in",
            Direction::Outgoing => "out",
        }
    }

    fn parse(text: &str) -> Option<Direction> {
        match text {
            "in" => Some(Direction::Incoming),
            "out" => Some(Direction::Outgoing),
            _ => None,
        }
    }
}

impl ToSql for Direction {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for Direction {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        text_enum(value, Direction::parse)
    }
}

/// Delivery state of an outgoing message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageStatus {
    /// Waiting in the send queue (first try, or a retry after a failure).
    Queued,
    /// An attempt is running.
    Sending,
    /// Stored on the recipient's swarm.
    Sent,
    /// Gave up after the last retry; the user may retry by hand.
    Failed,
}

impl MessageStatus {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Queued => "queued",
            MessageStatus::Sending => "sending",
            MessageStatus::Sent => "sent",
            MessageStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Option<MessageStatus> {
        match text {
            "queued" => Some(MessageStatus::Queued),
            "sending" => Some(MessageStatus::Sending),
            "sent" => Some(MessageStatus::Sent),
            "failed" => Some(MessageStatus::Failed),
            _ => None,
        }
    }
}

impl ToSql for MessageStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for MessageStatus {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        text_enum(value, MessageStatus::parse)
    }
}

/// A stored message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Local id.
    pub id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// Received or sent.
    pub direction: Direction,
    /// Who wrote it (this account for outgoing messages).
    pub sender: SessionId,
    /// The text.
    pub body: String,
    /// The sender's (signed) sent time, ms.
    pub sent_at_ms: i64,
    /// When this device stored it, ms.
    pub received_at_ms: i64,
    /// The storage-server hash, once known.
    pub server_hash: Option<String>,
    /// Delivery state; `None` for incoming messages.
    pub status: Option<MessageStatus>,
    /// Incoming: the user has read it. Outgoing: the peer sent a read receipt.
    pub is_read: bool,
}

pub(super) const MESSAGE_COLUMNS: &str = "id, conversation_id, direction, sender, body, sent_at, \
     received_at, server_hash, status, is_read";

pub(super) fn message_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: row.get(0)?,
        conversation_id: row.get(1)?,
        direction: row.get(2)?,
        sender: get_session_id(row, 3)?,
        body: row.get(4)?,
        sent_at_ms: row.get(5)?,
        received_at_ms: row.get(6)?,
        server_hash: row.get(7)?,
        status: row.get(8)?,
        is_read: row.get(9)?,
    })
}

/// A received, decrypted message to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewIncoming {
    /// The verified sender.
    pub sender: SessionId,
    /// The text.
    pub body: String,
    /// The signed sent time, ms.
    pub sent_at_ms: i64,
    /// The storage-server hash it was retrieved under.
    pub server_hash: String,
}

/// What happened to one received message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncomingOutcome {
    /// Stored.
    Inserted {
        /// Its local id.
        message_id: MessageId,
        /// Its conversation.
        conversation_id: ConversationId,
        /// The conversation is a message request (the sender is not approved).
        is_request: bool,
    },
    /// A message with this server hash is already stored; nothing changed.
    Duplicate,
    /// The sender is blocked; dropped.
    SenderBlocked,
}

/// Position in a conversation: pages continue with messages strictly older than this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageCursor {
    /// Sent time of the oldest message already shown.
    pub sent_at_ms: i64,
    /// Its id (breaks ties between equal timestamps).
    pub id: MessageId,
}

/// One page of a conversation, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessagePage {
    /// The messages, newest first.
    pub messages: Vec<Message>,
    /// Cursor for the next (older) page; `None` when this page reaches the first message.
    pub older: Option<PageCursor>,
}

/// What a batch needs to know about a sender, looked up once per batch.
#[derive(Clone, Copy)]
enum SenderState {
    Blocked,
    Open {
        conversation_id: ConversationId,
        is_request: bool,
    },
}

/// Stores received messages inside the caller's transaction. Sender lookups are cached and
/// conversation counters are updated once per conversation, which makes batches several times
/// faster than message-by-message statements.
pub(super) fn insert_incoming_all(
    conn: &Connection,
    messages: &[NewIncoming],
    now_ms: i64,
) -> rusqlite::Result<Vec<IncomingOutcome>> {
    let mut senders: HashMap<SessionId, SenderState> = HashMap::new();
    // conversation → (new unread messages, newest sent time)
    let mut touched: HashMap<ConversationId, (i64, i64)> = HashMap::new();
    let mut insert = conn.prepare_cached(
        "INSERT INTO messages (conversation_id, direction, sender, body, sent_at, received_at, \
         server_hash, status, is_read) VALUES (?1, 'in', ?2, ?3, ?4, ?5, ?6, NULL, 0) \
         ON CONFLICT (server_hash) DO NOTHING",
    )?;
    let mut outcomes = Vec::with_capacity(messages.len());
    for message in messages {
        let sender = message.sender.to_hex();
        let state = match senders.get(&message.sender) {
            Some(state) => *state,
            None => {
                let state = sender_state(conn, &sender, now_ms)?;
                senders.insert(message.sender, state);
                state
            }
        };
        let SenderState::Open {
            conversation_id,
            is_request,
        } = state
        else {
            outcomes.push(IncomingOutcome::SenderBlocked);
            continue;
        };
        // A stored hash means its conversation exists already, so creating the conversation
        // first never leaves an empty one behind for a duplicate.
        let inserted = insert.execute(params![
            conversation_id,
            sender,
            message.body,
            message.sent_at_ms,
            now_ms,
            message.server_hash
        ])?;
        if inserted == 0 {
            outcomes.push(IncomingOutcome::Duplicate);
            continue;
        }
        let entry = touched.entry(conversation_id).or_insert((0, i64::MIN));
        entry.0 += 1;
        entry.1 = entry.1.max(message.sent_at_ms);
        outcomes.push(IncomingOutcome::Inserted {
            message_id: MessageId(conn.last_insert_rowid()),
            conversation_id,
            is_request,
        });
    }
    let mut update = conn.prepare_cached(
        "UPDATE conversations SET unread_count = unread_count + ?2, \
         last_activity_at = max(last_activity_at, ?3) WHERE id = ?1",
    )?;
    for (conversation_id, (unread, newest)) in touched {
        update.execute(params![conversation_id, unread, newest])?;
        mark_read_up_to(conn, conversation_id)?;
    }
    Ok(outcomes)
}

/// Marks the conversation's incoming messages sent at or before its `read_up_to` (read on
/// another device of the account) as read. Returns how many changed.
pub(super) fn mark_read_up_to(
    conn: &Connection,
    conversation_id: ConversationId,
) -> rusqlite::Result<usize> {
    let read = conn
        .prepare_cached(
            "UPDATE messages SET is_read = 1 \
             WHERE conversation_id = ?1 AND direction = 'in' AND is_read = 0 \
             AND sent_at <= (SELECT read_up_to FROM conversations WHERE id = ?1)",
        )?
        .execute([conversation_id])?;
    if read > 0 {
        conn.prepare_cached(
            "UPDATE conversations SET unread_count = max(unread_count - ?2, 0) WHERE id = ?1",
        )?
        .execute(params![
            conversation_id,
            i64::try_from(read).unwrap_or(i64::MAX)
        ])?;
    }
    Ok(read)
}

/// Whether `sender` is blocked, else their conversation (created, as a request unless they
/// are approved, when missing).
fn sender_state(conn: &Connection, sender: &str, now_ms: i64) -> rusqlite::Result<SenderState> {
    let contact: Option<(bool, bool)> = conn
        .prepare_cached("SELECT approved, blocked FROM contacts WHERE session_id = ?1")?
        .query_row([sender], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let approved = match contact {
        Some((_, true)) => return Ok(SenderState::Blocked),
        Some((approved, false)) => approved,
        None => false,
    };
    let (conversation_id, is_request) = ensure_conversation(conn, sender, !approved, now_ms)?;
    Ok(SenderState::Open {
        conversation_id,
        is_request,
    })
}

impl Store {
    /// Stores one received message (see [`Store::insert_incoming_batch`]).
    pub fn insert_incoming(
        &mut self,
        message: &NewIncoming,
        now_ms: i64,
    ) -> Result<IncomingOutcome, StoreError> {
        let outcomes = self.insert_incoming_batch(std::slice::from_ref(message), now_ms)?;
        Ok(outcomes
            .into_iter()
            .next()
            .unwrap_or(IncomingOutcome::Duplicate))
    }

    /// Stores received messages in one transaction: all or none. A stranger's message opens a
    /// request; a blocked sender's message is dropped; a hash already stored is skipped.
    /// Outcomes are in input order.
    pub fn insert_incoming_batch(
        &mut self,
        messages: &[NewIncoming],
        now_ms: i64,
    ) -> Result<Vec<IncomingOutcome>, StoreError> {
        let tx = self.conn.transaction()?;
        let outcomes = insert_incoming_all(&tx, messages, now_ms)?;
        tx.commit()?;
        Ok(outcomes)
    }

    /// One message.
    pub fn message(&self, id: MessageId) -> Result<Option<Message>, StoreError> {
        let sql = format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], message_from_row)
            .optional()?)
    }

    /// Up to `limit` messages of a conversation older than `before` (the newest when `None`),
    /// newest first.
    pub fn messages_page(
        &self,
        conversation_id: ConversationId,
        before: Option<PageCursor>,
        limit: u32,
    ) -> Result<MessagePage, StoreError> {
        // One extra row tells whether an older page exists.
        let fetch = i64::from(limit) + 1;
        let mut messages = match before {
            None => {
                let sql = format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 \
                     ORDER BY sent_at DESC, id DESC LIMIT ?2"
                );
                let mut stmt = self.conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(params![conversation_id, fetch], message_from_row)?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
            Some(cursor) => {
                // `sent_at <= ?2` is the index range; the OR only filters the boundary ties.
                let sql = format!(
                    "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = ?1 \
                     AND sent_at <= ?2 AND (sent_at < ?2 OR id < ?3) \
                     ORDER BY sent_at DESC, id DESC LIMIT ?4"
                );
                let mut stmt = self.conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(
                    params![conversation_id, cursor.sent_at_ms, cursor.id, fetch],
                    message_from_row,
                )?;
                rows.collect::<Result<Vec<_>, _>>()?
            }
        };
        let has_more = messages.len() > limit as usize;
        messages.truncate(limit as usize);
        let older = if has_more {
            messages.last().map(|m| PageCursor {
                sent_at_ms: m.sent_at_ms,
                id: m.id,
            })
        } else {
            None
        };
        Ok(MessagePage { messages, older })
    }

    /// Applies a read receipt from `peer`: marks our messages to them with these sent times
    /// read. Returns how many changed.
    pub fn mark_outgoing_read(
        &mut self,
        peer: &SessionId,
        sent_at_ms: &[i64],
    ) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE messages SET is_read = 1 WHERE direction = 'out' AND is_read = 0 \
                 AND sent_at = ?2 \
                 AND conversation_id = (SELECT id FROM conversations WHERE peer = ?1)",
            )?;
            let peer = peer.to_hex();
            for timestamp in sent_at_ms {
                changed += stmt.execute(params![peer, timestamp])?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Deletes one message (and its pending send, if any).
    pub fn delete_message(&mut self, id: MessageId) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let unread_in: Option<ConversationId> = tx
            .query_row(
                "SELECT conversation_id FROM messages \
                 WHERE id = ?1 AND direction = 'in' AND is_read = 0",
                [id],
                |row| row.get(0),
            )
            .optional()?;
        let changed = tx.execute("DELETE FROM messages WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(StoreError::not_found("message", id));
        }
        if let Some(conversation) = unread_in {
            tx.execute(
                "UPDATE conversations SET unread_count = max(unread_count - 1, 0) WHERE id = ?1",
                [conversation],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

impl Store {
    /// For each `(sender, sent time)`, whether an incoming message from that sender with that
    /// signed sent time is already stored (in input order). Session clients treat the pair as
    /// a message's identity, so a replay stored under another server hash is recognised.
    pub fn incoming_exists(&self, keys: &[(SessionId, i64)]) -> Result<Vec<bool>, StoreError> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM messages WHERE direction = 'in' AND sender = ?1 AND sent_at = ?2",
        )?;
        let mut found = Vec::with_capacity(keys.len());
        for (sender, sent_at_ms) in keys {
            found.push(stmt.exists(params![sender.to_hex(), sent_at_ms])?);
        }
        Ok(found)
    }

    /// [`Store::mark_outgoing_read`] that also tells which messages changed, as
    /// `(conversation, message)` pairs.
    pub fn mark_outgoing_read_ids(
        &mut self,
        peer: &SessionId,
        sent_at_ms: &[i64],
    ) -> Result<Vec<(ConversationId, MessageId)>, StoreError> {
        let tx = self.conn.transaction()?;
        let mut changed = Vec::new();
        {
            let mut stmt = tx.prepare_cached(
                "UPDATE messages SET is_read = 1 WHERE direction = 'out' AND is_read = 0 \
                 AND sent_at = ?2 \
                 AND conversation_id = (SELECT id FROM conversations WHERE peer = ?1) \
                 RETURNING conversation_id, id",
            )?;
            let peer = peer.to_hex();
            for timestamp in sent_at_ms {
                let rows = stmt.query_map(params![peer, timestamp], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?;
                for row in rows {
                    changed.push(row?);
                }
            }
        }
        tx.commit()?;
        Ok(changed)
    }
}

impl Store {
    /// Incoming messages with an id above `after`, by id (arrival order), at most `limit`.
    pub fn incoming_after(&self, after: MessageId, limit: u32) -> Result<Vec<Message>, StoreError> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE direction = 'in' AND id > ?1 \
             ORDER BY id LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![after, limit], message_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The newest message id (0 when there are none).
    pub fn max_message_id(&self) -> Result<MessageId, StoreError> {
        Ok(MessageId(
            self.conn
                .prepare_cached("SELECT coalesce(max(id), 0) FROM messages")?
                .query_row([], |row| row.get(0))?,
        ))
    }
}
