//! Full-text search over message bodies (SQLite FTS5; see `migrations/002_message_search.sql`
//! and `004_search_index_in_batches.sql`).
//!
//! New messages join the index in batches ([`Store::index_pending_search`]): the client does
//! that in the background every few seconds, and every search first indexes whatever is still
//! waiting, so a search sees every stored message.
//!
//! The user's text is never passed to FTS5 as query syntax: each word becomes a quoted phrase
//! (so `"`, `*`, `AND`, `NEAR(` are plain text) matched as a word prefix, which suits
//! search-as-you-type ("meet not" finds "Meeting notes"). Matching ignores case and diacritics.

use rusqlite::params;
use session_protocol::identity::SessionId;

use super::{get_session_id, ConversationId, MessageId, Store, StoreError};

/// Marks the start of a matched word in [`SearchHit::snippet`].
pub const HIGHLIGHT_START: char = '\u{2}';
/// Marks the end of a matched word in [`SearchHit::snippet`].
pub const HIGHLIGHT_END: char = '\u{3}';

/// Words of context the snippet shows around the matches.
const SNIPPET_WORDS: i64 = 12;

/// Messages indexed per transaction by [`Store::index_all_pending_search`].
pub const SEARCH_INDEX_BATCH: u32 = 256;

/// A message that matches a search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    /// The message.
    pub message_id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The other person of that conversation.
    pub peer: SessionId,
    /// The message's sent time, ms.
    pub sent_at_ms: i64,
    /// An excerpt of the body, matches between [`HIGHLIGHT_START`] and [`HIGHLIGHT_END`].
    pub snippet: String,
}

/// The FTS5 query for free text: every word a quoted prefix. `None` when the text has no
/// words.
fn fts_query(text: &str) -> Option<String> {
    let mut query = String::with_capacity(text.len() + 8);
    for word in text.split_whitespace() {
        if !query.is_empty() {
            query.push(' ');
        }
        query.push('"');
        query.push_str(&word.replace('"', "\"\""));
        query.push_str("\"*");
    }
    (!query.is_empty()).then_some(query)
}

impl Store {
    /// Adds up to `limit` of the messages not yet in the search index to it, oldest first, in
    /// one transaction; returns how many.
    pub fn index_pending_search(&self, limit: u32) -> Result<usize, StoreError> {
        let tx = self.conn.unchecked_transaction()?;
        let upto: i64 = tx
            .prepare_cached("SELECT indexed_upto FROM search_progress WHERE id = 1")?
            .query_row([], |row| row.get(0))?;
        let last: Option<i64> = tx
            .prepare_cached(
                "SELECT max(id) FROM (SELECT id FROM messages WHERE id > ?1 ORDER BY id LIMIT ?2)",
            )?
            .query_row(params![upto, limit], |row| row.get(0))?;
        let Some(last) = last else {
            return Ok(0);
        };
        let added = tx
            .prepare_cached(
                "INSERT INTO messages_fts (rowid, body) \
                 SELECT id, body FROM messages WHERE id > ?1 AND id <= ?2",
            )?
            .execute(params![upto, last])?;
        tx.prepare_cached("UPDATE search_progress SET indexed_upto = ?1 WHERE id = 1")?
            .execute([last])?;
        tx.commit()?;
        Ok(added)
    }

    /// Indexes every message still waiting, [`SEARCH_INDEX_BATCH`] per transaction; returns
    /// how many.
    pub fn index_all_pending_search(&self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let added = self.index_pending_search(SEARCH_INDEX_BATCH)?;
            if added == 0 {
                return Ok(total);
            }
            total += added;
        }
    }

    /// Whether stored messages wait to join the search index.
    pub fn search_index_pending(&self) -> Result<bool, StoreError> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM messages \
                 WHERE id > (SELECT indexed_upto FROM search_progress WHERE id = 1))",
            )?
            .query_row([], |row| row.get(0))?)
    }

    /// Messages whose body has a word starting with each word of `text`, in one conversation
    /// or in all, most recently stored first (for live traffic that is newest first; history
    /// imported later would rank by import time).
    pub fn search_messages(
        &self,
        text: &str,
        conversation: Option<ConversationId>,
        limit: u32,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        self.index_all_pending_search()?;
        // Newest stored first, which FTS5 walks in index order and stops after `limit` hits
        // (sorting by sent time would visit every match: thousands for a common word).
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, m.conversation_id, c.peer, m.sent_at, \
               snippet(messages_fts, 0, ?2, ?3, '…', ?4) \
             FROM messages_fts \
             JOIN messages m ON m.id = messages_fts.rowid \
             JOIN conversations c ON c.id = m.conversation_id \
             WHERE messages_fts MATCH ?1 AND (?5 IS NULL OR m.conversation_id = ?5) \
             ORDER BY messages_fts.rowid DESC LIMIT ?6",
        )?;
        let rows = stmt.query_map(
            params![
                query,
                HIGHLIGHT_START.to_string(),
                HIGHLIGHT_END.to_string(),
                SNIPPET_WORDS,
                conversation,
                limit
            ],
            |row| {
                Ok(SearchHit {
                    message_id: row.get(0)?,
                    conversation_id: row.get(1)?,
                    peer: get_session_id(row, 2)?,
                    sent_at_ms: row.get(3)?,
                    snippet: row.get(4)?,
                })
            },
        )?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::fts_query;

    #[test]
    fn words_are_quoted_prefixes() {
        assert_eq!(fts_query("  "), None);
        assert_eq!(fts_query("hello").as_deref(), Some("\"hello\"*"));
        assert_eq!(
            fts_query("say \"hi\" AND").as_deref(),
            Some("\"say\"* \"\"\"hi\"\"\"* \"AND\"*")
        );
    }
}
