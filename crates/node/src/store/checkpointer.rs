//! Copies the WAL into the database on a thread and connection of its own, so the writer does
//! not stop for it.
//!
//! A checkpoint of the writer's 40 MiB WAL took 30–140 ms on the benchmark VM (copying the
//! pages, then two `fsync`s). Run on the writer thread it stopped every write of the node for
//! that long, and because a swarm's members receive the same stores they checkpoint at about
//! the same moment: the entry node's stores all waited on them (measured). Here the commit that
//! brings the WAL to its checkpoint size wakes this thread, which copies everything committed so
//! far while writes go on. SQLite reuses the WAL from its start only when a checkpoint has
//! copied every frame, which cannot happen while writes go on; so once this thread is done, the
//! writer copies the few frames committed meanwhile itself (a short stop) and the next write
//! starts the WAL afresh. Should this thread fall behind, the writer stops at a hard limit: it
//! waits for this thread's copy to end (see [`Checkpointer::wait_idle`]) and copies the rest
//! itself, so the WAL never grows past the hard limit plus one batch, however slowly this thread
//! is scheduled.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, OpenFlags};

use super::StoreError;

/// How long the checkpoint connection waits for the database lock it needs to start.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The checkpoint thread's state, shared with the writer and the WAL hook.
#[derive(Debug)]
pub(super) struct Checkpointer {
    wake: mpsc::SyncSender<()>,
    /// A background checkpoint was asked for and has not finished.
    running: AtomicBool,
    /// A background checkpoint finished: the writer should copy the rest and let the WAL
    /// start afresh.
    bulk_done: AtomicBool,
    /// Background checkpoints finished so far.
    finished: AtomicUsize,
    /// Taken when `running` turns false, so [`Checkpointer::wait_idle`] cannot miss the wake-up.
    idle: Mutex<()>,
    idle_changed: Condvar,
    /// Held by a test to stall the thread before it copies.
    #[cfg(test)]
    pub(super) pause: Mutex<()>,
    /// Times the writer had to wait for a background copy (for tests).
    #[cfg(test)]
    pub(super) writer_waits: AtomicUsize,
}

impl Checkpointer {
    /// Starts the thread with its own connection to the database at `path`. The thread exits
    /// when the returned value is dropped.
    pub(super) fn start(path: &Path) -> Result<std::sync::Arc<Checkpointer>, StoreError> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::open(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)
            // The same durability as the writer: the checkpoint syncs the WAL, then the file.
            .and_then(|()| conn.pragma_update(None, "synchronous", "NORMAL"))
            .map_err(|e| StoreError::open(path, e))?;
        // One pending wake-up is enough: a request while one is queued changes nothing.
        let (wake, requests) = mpsc::sync_channel(1);
        let checkpointer = std::sync::Arc::new(Checkpointer {
            wake,
            running: AtomicBool::new(false),
            bulk_done: AtomicBool::new(false),
            finished: AtomicUsize::new(0),
            idle: Mutex::new(()),
            idle_changed: Condvar::new(),
            #[cfg(test)]
            pause: Mutex::new(()),
            #[cfg(test)]
            writer_waits: AtomicUsize::new(0),
        });
        let weak = std::sync::Arc::downgrade(&checkpointer);
        std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || {
                while requests.recv().is_ok() {
                    let Some(state) = weak.upgrade() else { return };
                    #[cfg(test)]
                    drop(state.pause.lock().unwrap_or_else(PoisonError::into_inner));
                    match conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
                        Ok(_) => {
                            state.finished.fetch_add(1, Ordering::Relaxed);
                            state.bulk_done.store(true, Ordering::Release);
                        }
                        Err(error) => tracing::warn!(%error, "background WAL checkpoint failed"),
                    }
                    state.running.store(false, Ordering::Release);
                    let _idle = state.idle.lock().unwrap_or_else(PoisonError::into_inner);
                    state.idle_changed.notify_all();
                }
            })
            .map_err(|e| {
                StoreError::Interrupted(format!("cannot start the checkpoint thread: {e}"))
            })?;
        Ok(checkpointer)
    }

    /// Asks for a background checkpoint unless one is under way or done and not yet finished
    /// by the writer. Cheap enough for the WAL hook.
    pub(super) fn request(&self) {
        if self.bulk_done.load(Ordering::Acquire) || self.running.swap(true, Ordering::AcqRel) {
            return;
        }
        if self.wake.try_send(()).is_err() {
            // The thread is gone (or a wake-up is already queued): the writer's hard limit
            // still bounds the WAL.
            self.running.store(false, Ordering::Release);
        }
    }

    /// Whether a background checkpoint is under way.
    pub(super) fn is_running(&self) -> bool {
        self.running.load(Ordering::Acquire)
    }

    /// Blocks until no background checkpoint is under way. A background copy never waits for
    /// the writer (it is passive), so this ends as soon as the copy does.
    pub(super) fn wait_idle(&self) {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        while self.is_running() {
            #[cfg(test)]
            self.writer_waits.fetch_add(1, Ordering::Relaxed);
            idle = self
                .idle_changed
                .wait(idle)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Whether the writer should now copy the rest of the WAL (and clears the flag).
    pub(super) fn take_bulk_done(&self) -> bool {
        self.bulk_done.swap(false, Ordering::AcqRel)
    }

    /// Whether the writer has the rest to copy.
    pub(super) fn bulk_done(&self) -> bool {
        self.bulk_done.load(Ordering::Acquire)
    }

    /// Background checkpoints finished so far.
    #[cfg(test)]
    pub(super) fn finished(&self) -> usize {
        self.finished.load(Ordering::Relaxed)
    }
}
