//! Opening the message database and bringing its schema up to date.
//!
//! Migrations are numbered; `PRAGMA user_version` records how many have been applied, so a newer
//! binary upgrades an older database in place and an older binary refuses a newer database.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// Schema migrations, applied in order; entry `i` takes the database from version `i` to `i + 1`.
pub(super) const MIGRATIONS: &[&str] = &[
    // 1: messages. `seq` is the insertion sequence used for `last_hash` paging and catch-up
    // cursors (AUTOINCREMENT: never reused, even after the newest row is deleted). Message hashes
    // commit to the account key and the namespace (PROTOCOL.md §4), so a unique hash is a unique
    // (pubkey, namespace, hash) key; every operation still filters by pubkey. `space` is the
    // account's swarm-space position, stored with its top bit flipped so SQLite's signed order
    // is the unsigned order, which makes "messages of one swarm" an index range scan.
    r"
    CREATE TABLE messages (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        hash TEXT NOT NULL UNIQUE,
        pubkey BLOB NOT NULL,
        namespace INTEGER NOT NULL,
        timestamp INTEGER NOT NULL,
        expiry INTEGER NOT NULL,
        data BLOB NOT NULL,
        space INTEGER NOT NULL
    );
    CREATE INDEX messages_owner ON messages(pubkey, namespace, seq);
    CREATE INDEX messages_expiry ON messages(expiry);
    CREATE INDEX messages_space ON messages(space, seq);
    ",
    // 2: one index per account instead of two. An account's swarm-space position is a function
    // of its key, so `(space, seq)` already lists each account's messages in insertion order;
    // queries by account match `space` (and then the key and namespace on the row). Every
    // stored message dirtied a random page of each index; this saves one page write per message
    // (about a fifth of the database's cost per store). Measured and not taken: a table
    // clustered by `(space, seq)` (WITHOUT ROWID, no space index) read full mailboxes about 8%
    // cheaper but made replicated stores about 15% dearer (rows land on random table leaves,
    // which split far more often than index leaves), so rows stay in insertion order.
    r"
    DROP INDEX messages_owner;
    ",
    // 3: tombstones. A deleted message's hash is kept until the message would have expired, so
    // catch-up neither pulls it back from a member that missed the delete nor lets that member
    // keep it: pages of catch-up carry the slice's tombstones. Written by a trigger, so every
    // way of deleting records one; messages that have expired by the wall clock (the sweep)
    // leave none. A message stored again removes its tombstone (`ops::store`).
    r"
    CREATE TABLE tombstones (
        hash TEXT PRIMARY KEY,
        space INTEGER NOT NULL,
        expiry INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE INDEX tombstones_space ON tombstones(space);
    CREATE INDEX tombstones_expiry ON tombstones(expiry);
    CREATE TRIGGER messages_tombstone AFTER DELETE ON messages
        WHEN old.expiry > CAST(unixepoch('subsec') * 1000 AS INTEGER)
    BEGIN
        INSERT OR REPLACE INTO tombstones (hash, space, expiry)
            VALUES (old.hash, old.space, old.expiry);
    END;
    ",
];

/// The schema version this binary writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// The writer connection's page cache, in KiB (as a negative `cache_size`). Small on purpose:
/// an index page split moves a page through a temporary page number far past the end of the
/// file, after which SQLite walks the cache's whole hash table at commit; with a 64 MiB cache
/// that walk cost about as much as the inserts (measured). Pages not cached are one `mmap` read
/// away.
const WRITER_CACHE_KIB: i64 = -2_048;

/// Page size of new databases (SQLite's default, stated so the choice is visible). Measured:
/// 2 KiB pages made stores about 8% cheaper in SQLite (each message dirties random leaves of
/// two indexes, written whole to the WAL) but full-mailbox retrieves about 50% dearer (a
/// mailbox's rows lie on separate table pages, and pages still in the WAL are read with a
/// system call each). An existing database keeps the page size it was created with.
const PAGE_SIZE: i64 = 4_096;

/// WAL bytes after which the writer checkpoints (SQLite's default is 1000 pages of 4 KiB).
const WAL_AUTOCHECKPOINT_BYTES: i64 = 40 * 1024 * 1024;

/// Bytes of the database file mapped into memory, so reads of pages that are not in the WAL
/// need no system call (SQLite maps what exists, up to this).
const MMAP_SIZE: i64 = 256 * 1024 * 1024;

/// How long a connection waits for another connection's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens (creating if needed) the database at `path` for writing and applies pending migrations.
pub fn open_writer(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::open(path, e))?;
    configure(&conn).map_err(|e| StoreError::open(path, e))?;
    migrate(&conn, path)?;
    Ok(conn)
}

/// Opens a read-only connection to an existing (already migrated) database.
pub fn open_reader(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| StoreError::open(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .and_then(|()| stable_plans(&conn))
        .and_then(|()| conn.pragma_update(None, "mmap_size", MMAP_SIZE))
        .map_err(|e| StoreError::open(path, e))?;
    Ok(conn)
}

/// Turns on SQLite's query planner stability guarantee: plans never depend on bound values.
/// Without it SQLite (3.54) plans a `LIMIT ?` with the value bound at the time and compiles the
/// statement again whenever that value changes, and rusqlite clears the bindings of every
/// statement it returns to its cache: each retrieve compiled its query from scratch.
fn stable_plans(conn: &Connection) -> rusqlite::Result<()> {
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG,
        true,
    )
    .map(|_| ())
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    stable_plans(conn)?;
    // Only takes effect on a new, empty database (before WAL mode and the first table).
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    // WAL lets readers run while the writer commits; NORMAL sync is durable across process
    // crashes and loses at most the last commits on power loss, which replication repairs.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode stayed {mode}"
        )));
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // The writer's page cache stays valid (no other connection writes); see WRITER_CACHE_KIB.
    conn.pragma_update(None, "cache_size", WRITER_CACHE_KIB)?;
    conn.pragma_update(None, "mmap_size", MMAP_SIZE)?;
    // A batch in which a job failed runs again with one savepoint per job; a batch of
    // replicated stores touches hundreds of pages, whose undo copies would otherwise spill into
    // a temporary file.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Random-key indexes dirty a few pages per message; checkpointing (copy into the database
    // plus two fsyncs) every 4 MiB of WAL cost more than the inserts. A larger WAL is copied
    // less often and rewrites each hot index page once per checkpoint, not once per 4 MiB.
    let page_size: i64 = conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
    conn.pragma_update(
        None,
        "wal_autocheckpoint",
        WAL_AUTOCHECKPOINT_BYTES / page_size.max(512),
    )?;
    Ok(())
}

fn migrate(conn: &Connection, path: &Path) -> Result<(), StoreError> {
    let current: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| StoreError::open(path, e))?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current.max(0) as usize) {
        let version = index as i64 + 1;
        let tx = conn
            .unchecked_transaction()
            .map_err(|e| StoreError::open(path, e))?;
        tx.execute_batch(sql)
            .and_then(|()| tx.pragma_update(None, "user_version", version))
            .and_then(|()| tx.commit())
            .map_err(|e| StoreError::Migration {
                path: path.to_path_buf(),
                version,
                source: e,
            })?;
    }
    Ok(())
}
