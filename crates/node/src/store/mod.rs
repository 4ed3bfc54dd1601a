//! The node's message store: SQLite in WAL mode, one writer thread, a pool of readers.
//!
//! Under load, writes go through a single dedicated thread that groups whatever is queued into
//! one transaction (one commit for many stores), which is what lets a node sustain thousands of
//! stores a second; when the node is idle a write runs at once on the caller's thread (see
//! `writer`). Reads use their own connections, concurrently with the writer, on the calling
//! worker when a connection is free. Neither waits on the other's locks, and checkpoints run
//! only on the writer thread. Message hashes are computed by the caller; the store treats them
//! as opaque keys.

#[cfg(test)]
mod account_tests;
mod checkpointer;
mod ops;
mod reader;
mod schema;
#[cfg(test)]
mod tests;
mod writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use schema::SCHEMA_VERSION;

use crate::swarm::SpaceRange;

/// Errors from the message store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file could not be opened or configured.
    #[error("cannot open the message database {path}: {source}")]
    Open {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// The database was written by a newer version of session-node.
    #[error(
        "the message database {path} has schema version {found}, newer than the {supported} this \
         session-node understands; upgrade session-node or use another data directory"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Version found in the file.
        found: i64,
        /// Newest version this build knows.
        supported: i64,
    },
    /// A schema migration failed; the database is left at the previous version.
    #[error("upgrading the message database {path} to schema version {version} failed: {source}")]
    Migration {
        /// The database file.
        path: PathBuf,
        /// The version being applied.
        version: i64,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A query failed (disk full, I/O error, corruption).
    #[error("message database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The write's transaction could not be committed (disk full, I/O error); nothing was
    /// written.
    #[error("the message database could not commit a write: {0}")]
    Commit(String),
    /// The writer thread has stopped (the store is shutting down or it crashed).
    #[error("the message store is shut down")]
    Closed,
    /// A blocking read task was cancelled or panicked.
    #[error("a message store read was interrupted: {0}")]
    Interrupted(String),
}

impl StoreError {
    fn open(path: &Path, source: rusqlite::Error) -> StoreError {
        StoreError::Open {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Account key as stored: the prefix byte (`05`, `03`, …) followed by the 32-byte key.
pub type AccountKey = [u8; 33];

/// A message to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// The account the message is stored for.
    pub pubkey: AccountKey,
    /// Namespace (−32768..=32767).
    pub namespace: i16,
    /// The message hash (PROTOCOL.md §4), computed by the caller.
    pub hash: String,
    /// Sender's timestamp, ms since the Unix epoch.
    pub timestamp_ms: i64,
    /// When the message expires, ms since the Unix epoch.
    pub expiry_ms: i64,
    /// Raw message bytes.
    pub data: Vec<u8>,
}

/// A message read back from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    /// Insertion sequence number (increases with every insert, never reused).
    pub seq: i64,
    /// The account the message is stored for.
    pub pubkey: AccountKey,
    /// Namespace.
    pub namespace: i16,
    /// Message hash.
    pub hash: String,
    /// Sender's timestamp, ms since the Unix epoch.
    pub timestamp_ms: i64,
    /// Expiry, ms since the Unix epoch.
    pub expiry_ms: i64,
    /// Raw message bytes.
    pub data: Vec<u8>,
}

/// What `store` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreOutcome {
    /// The message was new and has been stored.
    New,
    /// A message with this hash was already stored; its expiry is unchanged.
    Exists {
        /// The stored expiry (ms).
        expiry_ms: i64,
    },
    /// The message was already stored and its expiry has been pushed out to the new one.
    Extended {
        /// The new expiry (ms).
        expiry_ms: i64,
    },
}

impl StoreOutcome {
    /// Whether the message was already stored before this call.
    pub fn already_existed(&self) -> bool {
        !matches!(self, StoreOutcome::New)
    }
}

/// Parameters of a retrieve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrieveQuery {
    /// Account.
    pub pubkey: AccountKey,
    /// Namespace.
    pub namespace: i16,
    /// Return only messages stored after this one; an unknown hash returns from the start.
    pub last_hash: Option<String>,
    /// At most this many messages.
    pub max_count: Option<usize>,
    /// Stop before the accounted size exceeds this (at least one message is always returned).
    pub max_size: Option<usize>,
    /// Bytes added to the accounted size per message (JSON field overhead).
    pub per_message_overhead: usize,
    /// Account data at its base64 size (4/3 of raw) rather than raw.
    pub size_as_base64: bool,
    /// Messages expired at this time (ms) are left out.
    pub now_ms: i64,
}

/// Result of a retrieve.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Retrieved {
    /// Messages in insertion order.
    pub messages: Vec<StoredMessage>,
    /// Whether more messages follow the last one returned.
    pub more: bool,
}

/// Which namespaces a bulk operation covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamespaceSel {
    /// One namespace.
    One(i16),
    /// Every namespace of the account.
    All,
}

/// How `expire` treats a message's current expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireMode {
    /// Set the new expiry whatever the current one is.
    Set,
    /// Only move expiries earlier (`shorten`).
    ShortenOnly,
    /// Only move expiries later (`extend`).
    ExtendOnly,
}

/// Result of `expire`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpireOutcome {
    /// Messages whose expiry was changed, with the expiry applied, in request order.
    pub updated: Vec<(String, i64)>,
    /// Messages found but left alone by a shorten/extend constraint, with their current expiry.
    pub unchanged: BTreeMap<String, i64>,
}

/// Position of a catch-up scan over swarm space: the last message returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpaceCursor {
    /// Swarm-space position of the last message's account.
    pub space: u64,
    /// Its insertion sequence.
    pub seq: i64,
}

/// One page of a catch-up scan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SpacePage {
    /// Messages ordered by swarm-space position (in range order), then insertion.
    pub messages: Vec<StoredMessage>,
    /// Where to continue, or `None` when the range is exhausted.
    pub next: Option<SpaceCursor>,
}

/// Handle to an open message store; cheap to clone, shared by all tasks of a node.
#[derive(Debug, Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    writer: writer::WriterHandle,
    readers: reader::ReaderPool,
}

impl Store {
    /// Opens (or creates) the store at `path`, applying schema migrations, and starts its writer
    /// thread. Blocking: call from `spawn_blocking` or before the runtime is busy.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let conn = schema::open_writer(path)?;
        let writer = writer::WriterHandle::start(conn, path)?;
        let readers = reader::ReaderPool::new(path.to_path_buf());
        Ok(Store {
            inner: Arc::new(Inner { writer, readers }),
        })
    }

    /// [`Store::open`] run on the blocking pool.
    pub async fn open_async(path: PathBuf) -> Result<Store, StoreError> {
        tokio::task::spawn_blocking(move || Store::open(&path))
            .await
            .map_err(|e| StoreError::Interrupted(e.to_string()))?
    }

    /// Stores one message. A message already stored keeps its data; its expiry is extended if
    /// the new one is later. Storing to a public-outbox namespace (−1, −21, …) replaces what the
    /// account had there.
    pub async fn store(&self, msg: NewMessage) -> Result<StoreOutcome, StoreError> {
        self.inner
            .writer
            .call(move |c| ops::store(c, &msg).map_err(StoreError::from))
            .await
    }

    /// [`Store::store`] for a caller that can wait: the write goes to the writer thread, which
    /// holds its transaction open up to a millisecond for more writes (a
    /// commit costs about as much as two inserts). For the entry node of a recursive store
    /// under load, whose answer waits for its swarm peers' round trip anyway.
    pub async fn store_in_shared_commit(
        &self,
        msg: NewMessage,
    ) -> Result<StoreOutcome, StoreError> {
        self.inner
            .writer
            .call_waiting(move |c| ops::store(c, &msg).map_err(StoreError::from))
            .await
    }

    /// Stores many messages (replication and catch-up), returning one outcome per message.
    pub async fn store_many(&self, msgs: Vec<NewMessage>) -> Result<Vec<StoreOutcome>, StoreError> {
        self.inner
            .writer
            .call(move |c| {
                msgs.iter()
                    .map(|m| ops::store(c, m).map_err(StoreError::from))
                    .collect()
            })
            .await
    }

    /// Inserts the messages whose hashes are not stored yet and leaves stored ones untouched
    /// (catch-up from peers); a message deleted here (tombstoned) is not taken back. Returns
    /// how many were inserted.
    pub async fn insert_missing(&self, msgs: Vec<NewMessage>) -> Result<usize, StoreError> {
        self.inner
            .writer
            .call(move |c| {
                let mut inserted = 0;
                for m in &msgs {
                    if ops::insert_caught_up(c, m).map_err(StoreError::from)? {
                        inserted += 1;
                    }
                }
                Ok(inserted)
            })
            .await
    }

    /// Tombstones (hash, swarm-space position) of deleted, not yet expired messages of
    /// accounts in `range`, at most `limit` (catch-up pages carry them).
    pub async fn tombstones_in_range(
        &self,
        range: SpaceRange,
        limit: usize,
        now_ms: i64,
    ) -> Result<Vec<(String, u64)>, StoreError> {
        self.inner
            .readers
            .read(move |c| {
                ops::tombstones_in_space_range(c, range, limit, now_ms).map_err(StoreError::from)
            })
            .await
    }

    /// Deletes the messages that a peer's tombstones name; returns how many were deleted.
    pub async fn apply_tombstones(
        &self,
        tombstones: Vec<(String, u64)>,
    ) -> Result<usize, StoreError> {
        self.inner
            .writer
            .call(move |c| ops::apply_tombstones(c, &tombstones).map_err(StoreError::from))
            .await
    }

    /// Messages of one account and namespace after `last_hash`, within the count/size limits.
    pub async fn retrieve(&self, query: RetrieveQuery) -> Result<Retrieved, StoreError> {
        self.inner
            .readers
            .read_inline(move |c| ops::retrieve(c, &query))
            .await
    }

    /// Deletes the account's messages with these hashes; returns the hashes actually deleted.
    pub async fn delete_by_hashes(
        &self,
        pubkey: AccountKey,
        hashes: Vec<String>,
    ) -> Result<Vec<String>, StoreError> {
        self.inner
            .writer
            .call(move |c| ops::delete_by_hashes(c, &pubkey, &hashes).map_err(StoreError::from))
            .await
    }

    /// Deletes all the account's messages (in one namespace or all); returns (namespace, hash)
    /// of each deleted message.
    pub async fn delete_all(
        &self,
        pubkey: AccountKey,
        namespace: NamespaceSel,
    ) -> Result<Vec<(i16, String)>, StoreError> {
        self.inner
            .writer
            .call(move |c| ops::delete_all(c, &pubkey, namespace).map_err(StoreError::from))
            .await
    }

    /// Deletes the account's messages with timestamp ≤ `before_ms`.
    pub async fn delete_before(
        &self,
        pubkey: AccountKey,
        namespace: NamespaceSel,
        before_ms: i64,
    ) -> Result<Vec<(i16, String)>, StoreError> {
        self.inner
            .writer
            .call(move |c| {
                ops::delete_before(c, &pubkey, namespace, before_ms).map_err(StoreError::from)
            })
            .await
    }

    /// Sets new expiries on the account's messages: each `(hash, expiry_ms)` pair, constrained by
    /// `mode`.
    pub async fn expire(
        &self,
        pubkey: AccountKey,
        items: Vec<(String, i64)>,
        mode: ExpireMode,
    ) -> Result<ExpireOutcome, StoreError> {
        self.inner
            .writer
            .call(move |c| ops::expire(c, &pubkey, &items, mode).map_err(StoreError::from))
            .await
    }

    /// Shortens every expiry later than `expiry_ms` to `expiry_ms` (never extends); returns the
    /// (namespace, hash) of each message changed.
    pub async fn expire_all(
        &self,
        pubkey: AccountKey,
        namespace: NamespaceSel,
        expiry_ms: i64,
    ) -> Result<Vec<(i16, String)>, StoreError> {
        self.inner
            .writer
            .call(move |c| {
                ops::expire_all(c, &pubkey, namespace, expiry_ms).map_err(StoreError::from)
            })
            .await
    }

    /// Current expiries of those of `hashes` the account has stored.
    pub async fn get_expiries(
        &self,
        pubkey: AccountKey,
        hashes: Vec<String>,
    ) -> Result<BTreeMap<String, i64>, StoreError> {
        self.inner
            .readers
            .read(move |c| ops::get_expiries(c, &pubkey, &hashes))
            .await
    }

    /// Deletes every message expired at `now_ms`; returns how many.
    pub async fn sweep_expired(&self, now_ms: i64) -> Result<usize, StoreError> {
        self.inner
            .writer
            .call(move |c| ops::sweep_expired(c, now_ms).map_err(StoreError::from))
            .await
    }

    /// One page of the messages whose accounts lie in `range` of swarm space, continuing after
    /// `after` — what a swarm peer serves to a node catching up. Expired messages are skipped.
    pub async fn messages_in_space_range(
        &self,
        range: SpaceRange,
        after: Option<SpaceCursor>,
        limit: usize,
        now_ms: i64,
    ) -> Result<SpacePage, StoreError> {
        self.inner
            .readers
            .read(move |c| ops::messages_in_space_range(c, range, after, limit, now_ms))
            .await
    }

    /// Number of messages stored (expired ones included until swept).
    pub async fn count(&self) -> Result<u64, StoreError> {
        self.inner.readers.read(ops::count).await
    }
}
