//! Contacts: everyone we have exchanged messages with, whether we approved them, whether they
//! approved us, and whether they are blocked.

use rusqlite::{params, Connection, OptionalExtension};
use session_protocol::identity::SessionId;

use super::{get_session_id, Store, StoreError};

/// A contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// Their Session ID.
    pub session_id: SessionId,
    /// The display name from their profile, if they sent one.
    pub name: Option<String>,
    /// Our nickname for them (from config sync), shown instead of their name.
    pub nickname: Option<String>,
    /// We accepted them: their messages go straight to the conversation list.
    pub approved: bool,
    /// They accepted us (they replied or sent a request response).
    pub approved_me: bool,
    /// Their messages are dropped.
    pub blocked: bool,
    /// When the contact was first seen.
    pub created_at_ms: i64,
}

const SELECT_CONTACT: &str =
    "SELECT session_id, name, approved, approved_me, blocked, created_at, nickname FROM contacts";

pub(super) fn contact_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Contact> {
    Ok(Contact {
        session_id: get_session_id(row, 0)?,
        name: row.get(1)?,
        approved: row.get(2)?,
        approved_me: row.get(3)?,
        blocked: row.get(4)?,
        created_at_ms: row.get(5)?,
        nickname: row.get(6)?,
    })
}

/// Creates the contact if it does not exist yet (not approved, not blocked).
pub(super) fn ensure_contact(
    conn: &Connection,
    session_id: &str,
    now_ms: i64,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO contacts (session_id, created_at) VALUES (?1, ?2) \
         ON CONFLICT (session_id) DO NOTHING",
    )?
    .execute(params![session_id, now_ms])?;
    Ok(())
}

/// Sets one of the contact's flags, creating the contact if needed.
fn set_flag(
    conn: &Connection,
    session_id: &SessionId,
    column: Flag,
    value: bool,
    now_ms: i64,
) -> rusqlite::Result<()> {
    let hex = session_id.to_hex();
    ensure_contact(conn, &hex, now_ms)?;
    let sql = match column {
        Flag::Approved => "UPDATE contacts SET approved = ?2 WHERE session_id = ?1",
        Flag::ApprovedMe => "UPDATE contacts SET approved_me = ?2 WHERE session_id = ?1",
        Flag::Blocked => "UPDATE contacts SET blocked = ?2 WHERE session_id = ?1",
    };
    conn.prepare_cached(sql)?.execute(params![hex, value])?;
    Ok(())
}

#[derive(Clone, Copy)]
enum Flag {
    Approved,
    ApprovedMe,
    Blocked,
}

impl Store {
    /// One contact, if known.
    pub fn contact(&self, session_id: &SessionId) -> Result<Option<Contact>, StoreError> {
        let sql = format!("{SELECT_CONTACT} WHERE session_id = ?1");
        Ok(self
            .conn
            .prepare_cached(&sql)?
            .query_row([session_id.to_hex()], contact_from_row)
            .optional()?)
    }

    /// Approved, unblocked contacts, by name (unnamed ones last, by Session ID).
    pub fn contacts(&self) -> Result<Vec<Contact>, StoreError> {
        let sql = format!(
            "{SELECT_CONTACT} WHERE approved = 1 AND blocked = 0 \
             ORDER BY name IS NULL, name COLLATE NOCASE, session_id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], contact_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every contact, whatever its state, by Session ID (what config sync writes out).
    pub fn all_contacts(&self) -> Result<Vec<Contact>, StoreError> {
        let sql = format!("{SELECT_CONTACT} ORDER BY session_id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], contact_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Blocked contacts, by Session ID.
    pub fn blocked_contacts(&self) -> Result<Vec<Contact>, StoreError> {
        let sql = format!("{SELECT_CONTACT} WHERE blocked = 1 ORDER BY session_id");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], contact_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Records a contact's display name from their profile (`None` clears it). Creates the
    /// contact if needed.
    pub fn set_contact_name(
        &mut self,
        session_id: &SessionId,
        name: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let hex = session_id.to_hex();
        ensure_contact(&tx, &hex, now_ms)?;
        tx.prepare_cached("UPDATE contacts SET name = ?2 WHERE session_id = ?1")?
            .execute(params![hex, name.map(str::trim).filter(|n| !n.is_empty())])?;
        tx.commit()?;
        Ok(())
    }

    /// Sets (trimmed) or clears our nickname for a contact, creating the contact if needed.
    pub fn set_contact_nickname(
        &mut self,
        session_id: &SessionId,
        nickname: Option<&str>,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        let hex = session_id.to_hex();
        ensure_contact(&tx, &hex, now_ms)?;
        tx.prepare_cached("UPDATE contacts SET nickname = ?2 WHERE session_id = ?1")?
            .execute(params![
                hex,
                nickname.map(str::trim).filter(|n| !n.is_empty())
            ])?;
        tx.commit()?;
        Ok(())
    }

    /// Records that the contact accepted our messages (a reply or a request response).
    pub fn set_contact_approved_me(
        &mut self,
        session_id: &SessionId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set_flag(&tx, session_id, Flag::ApprovedMe, true, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Blocks a contact: their future messages are dropped and their pending request leaves
    /// the requests list. Existing messages stay.
    pub fn block_contact(&mut self, session_id: &SessionId, now_ms: i64) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set_flag(&tx, session_id, Flag::Blocked, true, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Unblocks a contact.
    pub fn unblock_contact(
        &mut self,
        session_id: &SessionId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        set_flag(&tx, session_id, Flag::Blocked, false, now_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Approves a contact (and moves a pending request from them into the conversation list).
    pub fn approve_contact(
        &mut self,
        session_id: &SessionId,
        now_ms: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction()?;
        approve(&tx, session_id, now_ms)?;
        tx.commit()?;
        Ok(())
    }
}

/// Approves the contact and clears the request flag of their conversation.
pub(super) fn approve(
    conn: &Connection,
    session_id: &SessionId,
    now_ms: i64,
) -> rusqlite::Result<()> {
    set_flag(conn, session_id, Flag::Approved, true, now_ms)?;
    conn.prepare_cached("UPDATE conversations SET is_request = 0 WHERE peer = ?1")?
        .execute([session_id.to_hex()])?;
    Ok(())
}
