//! The client's SQLite database: account settings, contacts, conversations, messages, the send
//! queue, poll cursors and the network caches. All SQL of the client lives under this module.
//!
//! The API is synchronous. A [`Store`] owns one connection: it is `Send` but not `Sync`, so the
//! async client keeps it in one owner task (or behind a `Mutex`) and calls it from
//! `spawn_blocking` or a dedicated thread. Every write that touches more than one row runs in
//! one transaction, so a process killed mid-write leaves either all of it or none of it.
//! Time is never read here: callers pass `now_ms` (milliseconds since the Unix epoch).
//!
//! The database runs in WAL mode with `synchronous = NORMAL` (a power cut may lose the last
//! commits but never corrupts the file) and enforces foreign keys.

mod account;
mod configs;
mod contacts;
mod conversations;
mod messages;
pub mod migrations;
mod network_cache;
mod poll_state;
mod queue;
mod search;

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags, Row, ToSql};
use session_protocol::identity::SessionId;

pub use account::{AccountRow, NotificationContent, Settings, MAX_DISPLAY_NAME_CHARS};
pub use configs::{ConfigApply, SyncedContact};
pub use contacts::Contact;
pub use conversations::{Conversation, ConversationListItem};
pub use messages::{
    Direction, IncomingOutcome, Message, MessagePage, MessageStatus, NewIncoming, PageCursor,
};
pub use network_cache::{CachedSwarm, SnodePool, SnodeRecord};
pub use poll_state::{PollBatch, SeenHash};
pub use queue::{QueueEntry, QueuedSend, RetryPolicy, SendFailure};
pub use search::{SearchHit, HIGHLIGHT_END, HIGHLIGHT_START, SEARCH_INDEX_BATCH};

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Prepared statements kept per connection. rusqlite's default (16) is smaller than the set
/// one send plus one poll use, so statements were evicted and parsed again on every call.
const STATEMENT_CACHE: usize = 128;

/// Errors from the database.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The file exists but is not an SQLite database (or is encrypted or damaged beyond reading).
    #[error(
        "{path} is not a Session client database (it is not an SQLite file, or it is damaged); \
         move it away or choose another data directory"
    )]
    NotADatabase {
        /// The file.
        path: PathBuf,
    },
    /// The database could not be opened or configured.
    #[error("cannot open the database {path}: {source}")]
    Open {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of this program.
    #[error(
        "the database {path} has schema version {found}, but this program knows only up to \
         {supported}; update the program or use another data directory"
    )]
    TooNew {
        /// The file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A migration failed; the database stays at the previous version.
    #[error("upgrading the database {path} to schema version {version} ({name}) failed: {source}")]
    Migration {
        /// The file.
        path: PathBuf,
        /// Version being applied.
        version: i64,
        /// Its name.
        name: &'static str,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A stored value does not have the form this program writes (edited or damaged file).
    #[error("the database holds an invalid value in column {column}: {detail}")]
    CorruptValue {
        /// Column index in the query that read it.
        column: usize,
        /// What is wrong with it.
        detail: String,
    },
    /// SQLite's consistency check or the search-index check found damage.
    #[error("the database {path} is damaged: {detail}; restore it from a backup or move it away")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the check reported.
        detail: String,
    },
    /// The database task could not run (the client is shutting down).
    #[error("the database is not available: {detail}")]
    Unavailable {
        /// Why.
        detail: String,
    },
    /// The row the call refers to does not exist (any more).
    #[error("there is no {what} with id {id} in the database")]
    NotFound {
        /// What was looked for ("conversation", "message", …).
        what: &'static str,
        /// The id asked for.
        id: String,
    },
    /// The database belongs to another account than the one asked for.
    #[error("this database belongs to account {found}, not {expected}")]
    WrongAccount {
        /// The account in the database.
        found: SessionId,
        /// The account the caller expected.
        expected: SessionId,
    },
    /// No account has been set up in this database yet.
    #[error("no account has been set up in this database yet")]
    NoAccount,
    /// A display name that is empty or too long.
    #[error("a display name must have 1 to {MAX_DISPLAY_NAME_CHARS} characters (not counting surrounding spaces), but this one has {found}")]
    InvalidDisplayName {
        /// Number of characters after trimming.
        found: usize,
    },
    /// Any other SQLite failure (disk full, I/O error, locked).
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        match error {
            rusqlite::Error::FromSqlConversionFailure(column, _, detail) => {
                StoreError::CorruptValue {
                    column,
                    detail: detail.to_string(),
                }
            }
            other => StoreError::Sqlite(other),
        }
    }
}

impl StoreError {
    /// An error from opening `path`, recognising "not a database".
    fn open(path: &Path, source: rusqlite::Error) -> StoreError {
        match source.sqlite_error_code() {
            Some(ErrorCode::NotADatabase) => StoreError::NotADatabase {
                path: path.to_path_buf(),
            },
            _ => StoreError::Open {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    fn not_found(what: &'static str, id: impl fmt::Display) -> StoreError {
        StoreError::NotFound {
            what,
            id: id.to_string(),
        }
    }
}

/// The client database. See the module documentation for threading and durability.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens (creating if missing) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn =
            Connection::open_with_flags(path, flags).map_err(|e| StoreError::open(path, e))?;
        configure(&conn).map_err(|e| StoreError::open(path, e))?;
        migrations::migrate(&mut conn, path)?;
        Ok(Store {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A number that changes whenever another connection (another process, or another
    /// [`Store`] on the same file) has committed since the last call; the caller's own
    /// commits do not change it. Lets callers keep copies of rows in memory.
    pub fn data_version(&self) -> Result<i64, StoreError> {
        Ok(self
            .conn
            .prepare_cached("PRAGMA data_version")?
            .query_row([], |row| row.get(0))?)
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(migrations::current_version(&self.conn)?)
    }

    /// Runs SQLite's full consistency check and checks the search index against the
    /// messages; `Ok(())` when both are sound.
    pub fn check_integrity(&self) -> Result<(), StoreError> {
        let report: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        if report != "ok" {
            return Err(StoreError::Damaged {
                path: self.path.clone(),
                detail: report,
            });
        }
        // rank = 1 also compares the index with the `messages` table it was built from, which
        // holds only once the index has caught up.
        self.index_all_pending_search()?;
        self.conn
            .execute(
                "INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)",
                [],
            )
            .map_err(|e| StoreError::Damaged {
                path: self.path.clone(),
                detail: format!("the search index does not match the messages ({e})"),
            })?;
        Ok(())
    }
}

/// WAL, synchronous=NORMAL, foreign keys, busy timeout. Reading `journal_mode` is also the first
/// access to the file, which is where a non-database file is detected.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    stable_plans(conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "the database could not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    Ok(())
}

/// Turns on SQLite's query planner stability guarantee: plans never depend on bound values.
/// Without it SQLite (3.54) plans a `LIMIT ?` with the value bound at the time and compiles the
/// statement again whenever that value changes; rusqlite clears the bindings of every statement
/// it returns to its cache, so each use of a cached statement with a bound LIMIT was compiled
/// from scratch (about a tenth of the client's database time per message).
pub(crate) fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
}

/// Conversion failure for a column whose text does not parse.
fn corrupt(column: usize, detail: impl fmt::Display) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        detail.to_string().into(),
    )
}

/// Reads a Session ID stored as hex text.
fn get_session_id(row: &Row<'_>, column: usize) -> rusqlite::Result<SessionId> {
    let text: String = row.get(column)?;
    text.parse().map_err(|e| corrupt(column, e))
}

/// Reads a 32-byte key stored as hex text.
fn get_key(row: &Row<'_>, column: usize) -> rusqlite::Result<[u8; 32]> {
    let text: String = row.get(column)?;
    let mut key = [0u8; 32];
    hex::decode_to_slice(&text, &mut key)
        .map_err(|e| corrupt(column, format!("not a 32-byte hex key: {e}")))?;
    Ok(key)
}

/// Reads a count stored as a non-negative integer.
fn get_count(row: &Row<'_>, column: usize) -> rusqlite::Result<u32> {
    let value: i64 = row.get(column)?;
    u32::try_from(value).map_err(|_| corrupt(column, format!("{value} is not a valid count")))
}

/// The local id of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConversationId(pub i64);

/// The local id of a message (not the server hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub i64);

macro_rules! sql_id {
    ($name:ident) => {
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                Ok(ToSqlOutput::from(self.0))
            }
        }

        impl FromSql for $name {
            fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
                i64::column_result(value).map($name)
            }
        }
    };
}

sql_id!(ConversationId);
sql_id!(MessageId);

/// Maps a text column onto an enum through its `parse` function.
fn text_enum<T>(value: ValueRef<'_>, parse: fn(&str) -> Option<T>) -> FromSqlResult<T> {
    let text = value.as_str()?;
    parse(text).ok_or_else(|| FromSqlError::Other(format!("unknown value {text:?}").into()))
}

#[cfg(test)]
mod tests;
