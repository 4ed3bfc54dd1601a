//! Numbered schema migrations, embedded from `crates/client/migrations/NNN_name.sql`.
//!
//! The schema version is SQLite's `PRAGMA user_version`: it lives in the database header and
//! is written in the same transaction as the migration, so a migration is applied completely
//! or not at all.

use rusqlite::Connection;

use super::StoreError;

/// One migration: the version it brings the schema to, its name and its SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    /// Schema version after this migration (1, 2, …, without gaps).
    pub version: i64,
    /// Short name (the file name without number and extension).
    pub name: &'static str,
    /// The SQL, run as one batch.
    pub sql: &'static str,
}

/// Every migration, in order. Append new files here; never edit a released one.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "initial",
        sql: include_str!("../../migrations/001_initial.sql"),
    },
    Migration {
        version: 2,
        name: "message_search",
        sql: include_str!("../../migrations/002_message_search.sql"),
    },
    Migration {
        version: 3,
        name: "incoming_by_sender",
        sql: include_str!("../../migrations/003_incoming_by_sender.sql"),
    },
    Migration {
        version: 4,
        name: "search_index_in_batches",
        sql: include_str!("../../migrations/004_search_index_in_batches.sql"),
    },
    Migration {
        version: 5,
        name: "config_sync",
        sql: include_str!("../../migrations/005_config_sync.sql"),
    },
];

/// The newest schema version this build knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The database's current schema version (0 for a new, empty file).
pub fn current_version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
}

/// Applies every migration newer than the database's version, each in its own transaction.
/// Refuses a database written by a newer build rather than guessing at its schema.
pub fn migrate(conn: &mut Connection, path: &std::path::Path) -> Result<i64, StoreError> {
    let found = current_version(conn).map_err(|e| StoreError::open(path, e))?;
    let supported = latest_version();
    if found > supported {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    for migration in MIGRATIONS.iter().filter(|m| m.version > found) {
        let fail = |source| StoreError::Migration {
            path: path.to_path_buf(),
            version: migration.version,
            name: migration.name,
            source,
        };
        let tx = conn.transaction().map_err(fail)?;
        tx.execute_batch(migration.sql).map_err(fail)?;
        tx.pragma_update(None, "user_version", migration.version)
            .map_err(fail)?;
        tx.commit().map_err(fail)?;
        tracing::debug!(
            version = migration.version,
            name = migration.name,
            "applied migration"
        );
    }
    Ok(supported)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_contiguous_from_one() {
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            assert_eq!(migration.version, index as i64 + 1, "{}", migration.name);
        }
    }
}
