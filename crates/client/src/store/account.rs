//! The account row: whose database this is, the display name and the user's settings.

use rusqlite::types::{FromSql, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{params, OptionalExtension, ToSql};
use session_protocol::identity::SessionId;

use super::{get_session_id, text_enum, Store, StoreError};

/// Longest display name accepted, in characters (Session clients cut names at 100).
pub const MAX_DISPLAY_NAME_CHARS: usize = 100;

/// What a notification shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotificationContent {
    /// Sender name and message text.
    #[default]
    NameAndContent,
    /// Sender name only.
    NameOnly,
    /// Neither: just "new message".
    Hidden,
}

impl NotificationContent {
    fn as_str(self) -> &'static str {
        match self {
            NotificationContent::NameAndContent => "name_and_content",
            NotificationContent::NameOnly => "name_only",
            NotificationContent::Hidden => "hidden",
        }
    }

    fn parse(text: &str) -> Option<NotificationContent> {
        match text {
            "name_and_content" => Some(NotificationContent::NameAndContent),
            "name_only" => Some(NotificationContent::NameOnly),
            "hidden" => Some(NotificationContent::Hidden),
            _ => None,
        }
    }
}

impl ToSql for NotificationContent {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.as_str()))
    }
}

impl FromSql for NotificationContent {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        text_enum(value, NotificationContent::parse)
    }
}

/// The user's privacy and notification settings. Off by default, as in Session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Settings {
    /// Send read receipts (and show the peer's).
    pub read_receipts: bool,
    /// Send typing indicators (and show the peer's).
    pub typing_indicators: bool,
    /// What notifications show.
    pub notification_content: NotificationContent,
}

/// The account this database belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    /// The account's Session ID.
    pub session_id: SessionId,
    /// The display name shown to contacts, if set.
    pub display_name: Option<String>,
    /// Settings.
    pub settings: Settings,
    /// When the account was set up in this directory.
    pub created_at_ms: i64,
}

const SELECT_ACCOUNT: &str = "SELECT session_id, display_name, read_receipts, typing_indicators, \
     notification_content, created_at FROM account WHERE id = 1";

fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AccountRow> {
    Ok(AccountRow {
        session_id: get_session_id(row, 0)?,
        display_name: row.get(1)?,
        settings: Settings {
            read_receipts: row.get(2)?,
            typing_indicators: row.get(3)?,
            notification_content: row.get(4)?,
        },
        created_at_ms: row.get(5)?,
    })
}

impl Store {
    /// Records which account this database belongs to (first call) or checks that it is the
    /// same one (later calls).
    pub fn init_account(
        &mut self,
        session_id: &SessionId,
        now_ms: i64,
    ) -> Result<AccountRow, StoreError> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO account (id, session_id, created_at) VALUES (1, ?1, ?2) \
             ON CONFLICT (id) DO NOTHING",
            params![session_id.to_hex(), now_ms],
        )?;
        let row = tx.query_row(SELECT_ACCOUNT, [], account_from_row)?;
        tx.commit()?;
        if row.session_id != *session_id {
            return Err(StoreError::WrongAccount {
                found: row.session_id,
                expected: *session_id,
            });
        }
        Ok(row)
    }

    /// The account row, if one has been set up.
    pub fn account(&self) -> Result<Option<AccountRow>, StoreError> {
        Ok(self
            .conn
            .prepare_cached(SELECT_ACCOUNT)?
            .query_row([], account_from_row)
            .optional()?)
    }

    /// The account's own Session ID.
    pub fn own_session_id(&self) -> Result<SessionId, StoreError> {
        self.account()?
            .map(|a| a.session_id)
            .ok_or(StoreError::NoAccount)
    }

    /// Sets (trimmed) or clears (`None`) the display name.
    pub fn set_display_name(&mut self, name: Option<&str>) -> Result<(), StoreError> {
        let name = match name.map(str::trim) {
            Some(name) => {
                let found = name.chars().count();
                if found == 0 || found > MAX_DISPLAY_NAME_CHARS {
                    return Err(StoreError::InvalidDisplayName { found });
                }
                Some(name)
            }
            None => None,
        };
        let changed = self
            .conn
            .prepare_cached("UPDATE account SET display_name = ?1 WHERE id = 1")?
            .execute(params![name])?;
        if changed == 0 {
            return Err(StoreError::NoAccount);
        }
        Ok(())
    }

    /// Replaces the settings.
    pub fn set_settings(&mut self, settings: &Settings) -> Result<(), StoreError> {
        let changed = self.conn.execute(
            "UPDATE account SET read_receipts = ?1, typing_indicators = ?2, \
             notification_content = ?3 WHERE id = 1",
            params![
                settings.read_receipts,
                settings.typing_indicators,
                settings.notification_content
            ],
        )?;
        if changed == 0 {
            return Err(StoreError::NoAccount);
        }
        Ok(())
    }
}
