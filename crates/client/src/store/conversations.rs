//! One-to-one conversations: the conversation list, message requests, drafts and unread counts.
//!
//! A message from someone we have not approved opens a conversation with `is_request` set; it
//! waits in the requests list until accepted (the contact becomes approved) or declined (the
//! conversation and its messages are deleted, optionally blocking the sender). Sending to
//! someone approves them.

use rusqlite::{params, Connection, OptionalExtension};
use session_protocol::identity::SessionId;

use super::contacts::{approve, ensure_contact};
use super::{get_count, get_session_id, ConversationId, Store, StoreError};

/// A conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversation {
    /// Local id.
    pub id: ConversationId,
    /// The other person.
    pub peer: SessionId,
    /// Still a message request (the peer is not approved).
    pub is_request: bool,
    /// Sent time of the newest message, or creation time when empty.
    pub last_activity_ms: i64,
    /// Incoming messages not read yet.
    pub unread_count: u32,
    /// Unsent text in the compose box.
    pub draft: String,
    /// When the conversation was created locally.
    pub created_at_ms: i64,
}

/// A conversation as the conversation list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversationListItem {
    /// The conversation.
    pub conversation: Conversation,
    /// The name shown for the peer: our nickname for them when set, else their display name,
    /// if known.
    pub peer_name: Option<String>,
    /// The peer is blocked.
    pub peer_blocked: bool,
    /// Body of the newest message, if any.
    pub last_message: Option<String>,
}

const CONVERSATION_COLUMNS: &str =
    "c.id, c.peer, c.is_request, c.last_activity_at, c.unread_count, c.draft, c.created_at";

fn conversation_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Conversation> {
    Ok(Conversation {
        id: row.get(0)?,
        peer: get_session_id(row, 1)?,
        is_request: row.get(2)?,
        last_activity_ms: row.get(3)?,
        unread_count: get_count(row, 4)?,
        draft: row.get(5)?,
        created_at_ms: row.get(6)?,
    })
}

fn list_item_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ConversationListItem> {
    Ok(ConversationListItem {
        conversation: conversation_from_row(row)?,
        peer_name: row.get(7)?,
        peer_blocked: row.get(8)?,
        last_message: row.get(9)?,
    })
}

/// The conversation with `peer`, created if missing (as a request when `is_request`).
/// Returns its id and whether it is (still) a request.
pub(super) fn ensure_conversation(
    conn: &Connection,
    peer: &str,
    is_request: bool,
    now_ms: i64,
) -> rusqlite::Result<(ConversationId, bool)> {
    ensure_contact(conn, peer, now_ms)?;
    conn.prepare_cached(
        "INSERT INTO conversations (peer, is_request, last_activity_at, created_at) \
         VALUES (?1, ?2, ?3, ?3) ON CONFLICT (peer) DO NOTHING",
    )?
    .execute(params![peer, is_request, now_ms])?;
    conn.prepare_cached("SELECT id, is_request FROM conversations WHERE peer = ?1")?
        .query_row([peer], |row| Ok((row.get(0)?, row.get(1)?)))
}

fn peer_of(conn: &Connection, id: ConversationId) -> Result<SessionId, StoreError> {
    conn.prepare_cached("SELECT peer FROM conversations WHERE id = ?1")?
        .query_row([id], |row| get_session_id(row, 0))
        .optional()?
        .ok_or_else(|| StoreError::not_found("conversation", id))
}

impl Store {
    /// The conversation with `peer`, created if needed, for a chat the user starts: the peer
    /// becomes an approved contact (and a pending request from them is accepted).
    pub fn start_conversation(
        &mut self,
        peer: &SessionId,
        now_ms: i64,
    ) -> Result<Conversation, StoreError> {
        let tx = self.conn.transaction()?;
        let (id, _) = ensure_conversation(&tx, &peer.to_hex(), false, now_ms)?;
        approve(&tx, peer, now_ms)?;
        tx.commit()?;
        self.conversation(id)?
            .ok_or_else(|| StoreError::not_found("conversation", id))
    }

    /// One conversation.
    pub fn conversation(&self, id: ConversationId) -> Result<Option<Conversation>, StoreError> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], conversation_from_row)
            .optional()?)
    }

    /// The conversation with `peer`, if there is one.
    pub fn conversation_with(&self, peer: &SessionId) -> Result<Option<Conversation>, StoreError> {
        let sql = format!("SELECT {CONVERSATION_COLUMNS} FROM conversations c WHERE c.peer = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([peer.to_hex()], conversation_from_row)
            .optional()?)
    }

    /// The conversation list (requests excluded), most recent activity first.
    pub fn conversations(&self) -> Result<Vec<ConversationListItem>, StoreError> {
        self.list(false)
    }

    /// Pending message requests from unblocked senders, most recent first.
    pub fn message_requests(&self) -> Result<Vec<ConversationListItem>, StoreError> {
        self.list(true)
    }

    fn list(&self, requests: bool) -> Result<Vec<ConversationListItem>, StoreError> {
        let blocked_filter = if requests { "AND k.blocked = 0" } else { "" };
        let sql = format!(
            "SELECT {CONVERSATION_COLUMNS}, coalesce(k.nickname, k.name), k.blocked, \
               (SELECT m.body FROM messages m WHERE m.conversation_id = c.id \
                ORDER BY m.sent_at DESC, m.id DESC LIMIT 1) \
             FROM conversations c JOIN contacts k ON k.session_id = c.peer \
             WHERE c.is_request = ?1 {blocked_filter} \
             ORDER BY c.last_activity_at DESC, c.id DESC"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([requests], list_item_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Accepts a message request: the peer becomes an approved contact.
    pub fn accept_request(&mut self, id: ConversationId, now_ms: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let peer = peer_of(&tx, id)?;
        approve(&tx, &peer, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Declines a message request: deletes the conversation and its messages, and either blocks
    /// the sender or forgets them (so a later message arrives as a new request).
    pub fn decline_request(&mut self, id: ConversationId, block: bool) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let peer = peer_of(&tx, id)?;
        tx.execute("DELETE FROM conversations WHERE id = ?1", [id])?;
        if block {
            tx.execute(
                "UPDATE contacts SET blocked = 1, approved = 0 WHERE session_id = ?1",
                [peer.to_hex()],
            )?;
        } else {
            tx.execute(
                "DELETE FROM contacts WHERE session_id = ?1 AND approved = 0 AND blocked = 0",
                [peer.to_hex()],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Saves the compose-box text (empty clears it).
    pub fn set_draft(&mut self, id: ConversationId, draft: &str) -> Result<(), StoreError> {
        let changed = self
            .conn
            .prepare_cached("UPDATE conversations SET draft = ?2 WHERE id = ?1")?
            .execute(params![id, draft])?;
        if changed == 0 {
            return Err(StoreError::not_found("conversation", id));
        }
        Ok(())
    }

    /// Marks every incoming message of the conversation read and clears its unread count.
    /// Returns the sent timestamps of the messages that were unread, for read receipts.
    pub fn mark_conversation_read(&mut self, id: ConversationId) -> Result<Vec<i64>, StoreError> {
        let tx = self.conn.transaction()?;
        let changed = tx
            .prepare_cached("UPDATE conversations SET unread_count = 0 WHERE id = ?1")?
            .execute([id])?;
        if changed == 0 {
            return Err(StoreError::not_found("conversation", id));
        }
        let timestamps = {
            let mut stmt = tx.prepare_cached(
                "UPDATE messages SET is_read = 1 \
                 WHERE conversation_id = ?1 AND direction = 'in' AND is_read = 0 \
                 RETURNING sent_at",
            )?;
            let rows = stmt.query_map([id], |row| row.get(0))?;
            rows.collect::<Result<Vec<i64>, _>>()?
        };
        tx.commit()?;
        Ok(timestamps)
    }

    /// Deletes a conversation with all its messages and pending sends; the contact stays.
    pub fn delete_conversation(&mut self, id: ConversationId) -> Result<(), StoreError> {
        let changed = self
            .conn
            .execute("DELETE FROM conversations WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(StoreError::not_found("conversation", id));
        }
        Ok(())
    }
}
