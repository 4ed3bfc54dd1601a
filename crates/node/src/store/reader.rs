//! Read-only connections, reused across reads and run on Tokio's blocking pool.
//!
//! At most [`MAX_READERS`] reads run at once (a semaphore), so every read finds an idle
//! connection with its prepared-statement cache warm instead of opening a new one under load.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::{schema, StoreError};

/// Concurrent reads (and open read connections).
const MAX_READERS: usize = 8;

/// A small pool of read-only connections to the store's database.
#[derive(Debug, Clone)]
pub(super) struct ReaderPool {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
}

impl ReaderPool {
    pub(super) fn new(path: PathBuf) -> ReaderPool {
        ReaderPool {
            path: Arc::new(path),
            idle: Arc::new(Mutex::new(Vec::new())),
            permits: Arc::new(Semaphore::new(MAX_READERS)),
        }
    }

    /// Runs a short read on the calling thread when an idle connection is free (no hop to the
    /// blocking pool and back: for small indexed reads that hop costs more than the read), else
    /// as [`ReaderPool::read`]. WAL readers never wait for the writer, and the database is
    /// memory-mapped, so such a read does not stall the async worker.
    pub(super) async fn read_inline<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if let Ok(_permit) = self.permits.try_acquire() {
            let idle = self.idle.lock().ok().and_then(|mut idle| idle.pop());
            if let Some(conn) = idle {
                let result = f(&conn);
                if let Ok(mut idle) = self.idle.lock() {
                    idle.push(conn);
                }
                return result;
            }
        }
        self.read(f).await
    }

    /// Runs `f` with a read connection on the blocking pool.
    pub(super) async fn read<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| StoreError::Closed)?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = match pool.idle.lock().map(|mut idle| idle.pop()) {
                Ok(Some(conn)) => conn,
                _ => schema::open_reader(&pool.path)?,
            };
            let result = f(&conn);
            if let Ok(mut idle) = pool.idle.lock() {
                idle.push(conn);
            }
            result
        })
        .await
        .map_err(|e| StoreError::Interrupted(e.to_string()))?
    }
}
