//! The store's writer: runs write jobs in batches, one transaction per batch.
//!
//! A store costs a few microseconds of SQL but a commit costs a WAL write; grouping every job
//! that queued up while the previous batch committed amortises the commit over the whole batch.
//! Under load, jobs queue for a dedicated writer thread that does that. When the node is not
//! busy (nothing queued, the last batch held one job) a job runs at once on the caller's thread
//! instead: a batch of one either way, without the two thread hand-offs. A caller that can
//! wait ([`WriterHandle::call_waiting`]: the entry node of a store while other requests are in
//! flight, whose answer waits for its swarm peers anyway) always queues, and the writer then
//! holds the batch open up to [`SHARED_COMMIT_WAIT`], so such stores share commits even when
//! they arrive farther apart than a commit takes. A WAL hook replaces
//! SQLite's automatic checkpoint: the commit that brings the WAL to its checkpoint size wakes
//! the checkpoint thread ([`super::checkpointer`]), which copies the WAL while writes go on;
//! the writer thread then copies what was committed meanwhile, so the WAL starts afresh. A
//! caller never copies the WAL.
//!
//! A failing job must leave no partial effects and must not spoil the rest of the batch. Jobs
//! almost never fail, so a batch first runs without savepoints (a savepoint copies every page a
//! job touches); if any job fails, the transaction is rolled back and the batch runs again with
//! one savepoint per job. Callers are answered only after their batch has committed.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

use super::checkpointer::Checkpointer;
use super::StoreError;

/// Upper bound on jobs per transaction, so one batch cannot hold the write lock for long.
const MAX_BATCH: usize = 1024;

/// Under load (the previous batch held more than one job), how long the writer waits for more
/// jobs before committing: a commit costs about as much as another insert (measured: 47 µs
/// per message committed alone, 27 µs in batches of 16), and jobs from concurrent requests
/// arrive microseconds apart. A lone writer never waits. (2 ms measured no better.)
const LINGER: Duration = Duration::from_micros(500);

/// Jobs that end the wait early.
const LINGER_ENOUGH: usize = 64;
/// How long the writer naps at a time while it waits for more jobs.
const GATHER_SLICE: Duration = Duration::from_micros(200);
/// How long the writer holds a batch open for more jobs when it holds a job whose caller can
/// wait ([`WriterHandle::call_waiting`]).
pub(super) const SHARED_COMMIT_WAIT: Duration = Duration::from_millis(1);

/// The hard limit on the WAL, in checkpoint sizes (see [`Shared::hard_limit_frames`]).
const HARD_LIMIT_FACTOR: usize = 2;

/// How long the writer waits without a commit before it folds the WAL into the database.
const IDLE_CHECKPOINT_AFTER: Duration = Duration::from_millis(200);

/// WAL frames below which an idle writer leaves the WAL alone (a short WAL is cheap to read
/// through, and each checkpoint costs two `fsync`s).
const IDLE_CHECKPOINT_FRAMES: usize = 256;

/// A queued write.
trait WriteJob: Send {
    /// Runs the job (again, if an earlier run was rolled back) and keeps its result; says
    /// whether it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller with the kept result, or with `error` if the batch did not commit.
    fn finish(self: Box<Self>, error: Option<&str>);
    /// Whether the caller can wait for others to share its commit.
    fn may_wait(&self) -> bool;
}

type Job = Box<dyn WriteJob>;

struct CallJob<F, T> {
    work: F,
    result: Option<Result<T, StoreError>>,
    reply_tx: oneshot::Sender<Result<T, StoreError>>,
    may_wait: bool,
}

impl<F, T> WriteJob for CallJob<F, T>
where
    T: Send + 'static,
    F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let result = (self.work)(conn);
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn finish(self: Box<Self>, error: Option<&str>) {
        let result = match (error, self.result) {
            (Some(e), _) => Err(StoreError::Commit(e.to_string())),
            (None, Some(result)) => result,
            (None, None) => Err(StoreError::Interrupted("the write job never ran".into())),
        };
        let _ = self.reply_tx.send(result);
    }

    fn may_wait(&self) -> bool {
        self.may_wait
    }
}

/// Runs jobs, at once or through the writer thread. The thread exits when every handle is
/// dropped.
#[derive(Debug)]
pub(super) struct WriterHandle {
    tx: mpsc::Sender<Job>,
    shared: Arc<Shared>,
}

/// What the callers and the writer thread share.
#[derive(Debug)]
struct Shared {
    conn: Mutex<Connection>,
    /// Jobs sent to the thread and not yet taken into a batch.
    queued: AtomicUsize,
    /// The thread's last batch held more than one job: the node is busy, so jobs queue.
    busy: AtomicBool,
    /// Frames in the WAL after the last commit (from the WAL hook).
    wal_frames: Arc<AtomicUsize>,
    /// Commits so far (from the WAL hook), so the writer thread can tell an idle store from
    /// one whose jobs run on their callers' threads.
    commits: Arc<AtomicUsize>,
    /// The checkpoint thread, woken by the WAL hook at the checkpoint size.
    checkpointer: Arc<Checkpointer>,
    /// WAL frames at which the writer thread checkpoints by itself, should the checkpoint
    /// thread fall behind.
    hard_limit_frames: usize,
    /// How long a batch holding a job that can wait stays open ([`SHARED_COMMIT_WAIT`]; tests
    /// set a long one so that arrivals inside it do not depend on the scheduler).
    shared_commit_wait: Duration,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Connection> {
        // A panic inside a job leaves no open transaction behind (rusqlite rolls back on drop).
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the WAL is long enough for an idle writer to fold it into the database.
    fn idle_checkpoint_worthwhile(&self) -> bool {
        self.wal_frames.load(Ordering::Relaxed) >= IDLE_CHECKPOINT_FRAMES
    }

    /// Whether the writer thread should checkpoint after its next batch: the checkpoint
    /// thread has copied the WAL up to a moment ago (the writer copies the rest), or the WAL
    /// reached the hard limit (the writer then waits for a background copy under way).
    fn checkpoint_due(&self) -> bool {
        self.checkpointer.bulk_done()
            || self.wal_frames.load(Ordering::Relaxed) >= self.hard_limit_frames
    }

    /// Copies the WAL on the writer thread if [`Shared::checkpoint_due`]. At the hard limit a
    /// background copy still under way is waited for first (two checkpoints cannot run at
    /// once): writes stop meanwhile, which is what bounds the WAL when the checkpoint thread
    /// is scheduled slowly.
    fn checkpoint_if_due(&self, conn: &Connection) {
        if self.checkpoint_due() {
            self.checkpointer.wait_idle();
            self.checkpointer.take_bulk_done();
            checkpoint(conn, self);
        }
    }
}

impl WriterHandle {
    /// Starts the writer thread over `conn` (the database at `path`), taking over its
    /// automatic checkpoints (at the size its `wal_autocheckpoint` names), and the checkpoint
    /// thread.
    pub(super) fn start(conn: Connection, path: &Path) -> Result<WriterHandle, StoreError> {
        Self::start_holding(conn, path, SHARED_COMMIT_WAIT)
    }

    /// [`WriterHandle::start`] with another [`SHARED_COMMIT_WAIT`].
    fn start_holding(
        mut conn: Connection,
        path: &Path,
        shared_commit_wait: Duration,
    ) -> Result<WriterHandle, StoreError> {
        let checkpoint_pages: i64 =
            conn.pragma_query_value(None, "wal_autocheckpoint", |r| r.get(0))?;
        let checkpoint_frames = usize::try_from(checkpoint_pages).unwrap_or(1000).max(1);
        let checkpointer = Checkpointer::start(path)?;
        let wal_frames = Arc::new(AtomicUsize::new(0));
        let commits = Arc::new(AtomicUsize::new(0));
        let hook_frames = Arc::clone(&wal_frames);
        let hook_commits = Arc::clone(&commits);
        let hook_checkpointer = Arc::clone(&checkpointer);
        conn.wal_hook(Some(move |_: &mut rusqlite::hooks::Wal, frames| {
            let frames = usize::try_from(frames).unwrap_or(0);
            hook_frames.store(frames, Ordering::Relaxed);
            hook_commits.fetch_add(1, Ordering::Relaxed);
            if frames >= checkpoint_frames {
                hook_checkpointer.request();
            }
            Ok(())
        }))?;
        let (tx, rx) = mpsc::channel::<Job>();
        let shared = Arc::new(Shared {
            conn: Mutex::new(conn),
            queued: AtomicUsize::new(0),
            busy: AtomicBool::new(false),
            wal_frames,
            commits,
            checkpointer,
            hard_limit_frames: checkpoint_frames.saturating_mul(HARD_LIMIT_FACTOR),
            shared_commit_wait,
        });
        let thread_shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(&thread_shared, &rx))
            .map_err(|e| StoreError::Interrupted(format!("cannot start the writer thread: {e}")))?;
        Ok(WriterHandle { tx, shared })
    }

    /// Runs `f` inside a batch transaction and returns its result once committed. `f` may run
    /// twice (see the module documentation); only the committed run's effects remain.
    pub(super) async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.call_with(f, false).await
    }

    /// [`WriterHandle::call`] for a caller that can wait: always through the writer thread,
    /// which then holds the batch open up to [`SHARED_COMMIT_WAIT`] for more jobs.
    pub(super) async fn call_waiting<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.call_with(f, true).await
    }

    async fn call_with<T, F>(&self, f: F, may_wait: bool) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(CallJob {
            work: f,
            result: None,
            reply_tx,
            may_wait,
        });
        let queue = if may_wait {
            Some(job)
        } else {
            self.try_run_now(job)
        };
        if let Some(job) = queue {
            self.shared.queued.fetch_add(1, Ordering::AcqRel);
            if self.tx.send(job).is_err() {
                return Err(StoreError::Closed);
            }
        }
        reply_rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `job` on this thread if the node is not busy and no checkpoint is due; gives it
    /// back otherwise.
    fn try_run_now(&self, job: Job) -> Option<Job> {
        let shared = &self.shared;
        if shared.queued.load(Ordering::Acquire) > 0
            || shared.busy.load(Ordering::Relaxed)
            || shared.checkpoint_due()
        {
            return Some(job);
        }
        let Ok(mut conn) = shared.conn.try_lock() else {
            return Some(job);
        };
        run_batch(&mut conn, &mut vec![job]);
        None
    }
}

/// Waits for the next job; meanwhile folds the WAL into the database once no commit has
/// happened for [`IDLE_CHECKPOINT_AFTER`]. `None` when every handle is gone. (It wakes every
/// [`IDLE_CHECKPOINT_AFTER`] while waiting: jobs that run on their callers' threads grow the
/// WAL without passing through here.)
fn next_job(shared: &Shared, rx: &mpsc::Receiver<Job>) -> Option<Job> {
    let mut commits_seen = shared.commits.load(Ordering::Relaxed);
    loop {
        match rx.recv_timeout(IDLE_CHECKPOINT_AFTER) {
            Ok(job) => return Some(job),
            Err(mpsc::RecvTimeoutError::Disconnected) => return None,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let commits = shared.commits.load(Ordering::Relaxed);
                // A commit since the last look means jobs ran on their callers' threads: not
                // idle yet. (A checkpoint that readers held back is tried again next time.)
                if commits == commits_seen
                    && shared.idle_checkpoint_worthwhile()
                    && !shared.checkpointer.is_running()
                {
                    shared.checkpointer.take_bulk_done();
                    checkpoint(&shared.lock(), shared);
                }
                commits_seen = commits;
            }
        }
    }
}

fn run(shared: &Shared, rx: &mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut busy = false;
    while let Some(first) = next_job(shared, rx) {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let linger = if batch.iter().any(|job| job.may_wait()) {
            Some(shared.shared_commit_wait)
        } else if busy || batch.len() > 1 {
            Some(LINGER)
        } else {
            None
        };
        if let Some(linger) = linger {
            gather(rx, &mut batch, Instant::now() + linger);
        }
        busy = batch.len() > 1;
        shared.busy.store(busy, Ordering::Relaxed);
        shared.queued.fetch_sub(batch.len(), Ordering::AcqRel);
        let mut conn = shared.lock();
        run_batch(&mut conn, &mut batch);
        shared.checkpoint_if_due(&conn);
    }
    tracing::debug!("store writer stopped");
}

/// Adds the jobs that arrive until `deadline` (or until [`LINGER_ENOUGH`]) to `batch`. The
/// thread naps in slices and drains the queue between them instead of waiting on it: a
/// receiver blocked on the queue is woken by every job sent, which under load is a context
/// switch per job.
fn gather(rx: &mpsc::Receiver<Job>, batch: &mut Vec<Job>, deadline: Instant) {
    loop {
        while batch.len() < LINGER_ENOUGH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if batch.len() >= LINGER_ENOUGH || left.is_zero() {
            return;
        }
        std::thread::sleep(left.min(GATHER_SLICE));
    }
}

/// Copies the WAL into the database (as SQLite's automatic checkpoint would: passive, readers
/// keep reading); done on the writer thread, so no write comes between and a complete copy lets
/// the next write start the WAL afresh.
fn checkpoint(conn: &Connection, shared: &Shared) {
    match conn.wal_checkpoint_v2(None::<&str>, CheckpointMode::PASSIVE) {
        Ok((frames, done)) if frames == done => shared.wal_frames.store(0, Ordering::Relaxed),
        // Readers held back part of it: the next commit's hook reports the size, and the
        // next batch tries again.
        Ok(_) => {}
        Err(error) => tracing::warn!(%error, "WAL checkpoint failed"),
    }
}

fn run_batch(conn: &mut Connection, batch: &mut Vec<Job>) {
    match run_plain(conn, batch) {
        Ok(true) => {}
        Ok(false) => run_with_savepoints(conn, batch),
        Err(e) => {
            tracing::error!(error = %e, "store transaction failed");
            let msg = e.to_string();
            batch.drain(..).for_each(|job| job.finish(Some(&msg)));
        }
    }
}

/// Runs every job in one transaction without savepoints. `Ok(false)`: a job failed and the
/// transaction was rolled back, nothing answered; `Ok(true)`: committed and answered.
fn run_plain(conn: &mut Connection, batch: &mut Vec<Job>) -> rusqlite::Result<bool> {
    let tx = conn.transaction()?;
    for job in batch.iter_mut() {
        if !job.run(&tx) {
            tx.rollback()?;
            return Ok(false);
        }
    }
    tx.commit()?;
    batch.drain(..).for_each(|job| job.finish(None));
    Ok(true)
}

/// Runs every job in its own savepoint, so a failing job is undone alone.
fn run_with_savepoints(conn: &mut Connection, batch: &mut Vec<Job>) {
    let mut tx = match conn.transaction() {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a store transaction");
            let msg = e.to_string();
            batch.drain(..).for_each(|job| job.finish(Some(&msg)));
            return;
        }
    };
    let mut errors: Vec<Option<String>> = Vec::with_capacity(batch.len());
    for job in batch.iter_mut() {
        errors.push(run_in_savepoint(&mut tx, job).err().map(|e| e.to_string()));
    }
    let commit_error = tx.commit().err().map(|e| {
        tracing::error!(error = %e, "store transaction commit failed");
        e.to_string()
    });
    for (job, error) in batch.drain(..).zip(errors) {
        job.finish(commit_error.as_deref().or(error.as_deref()));
    }
}

fn run_in_savepoint(tx: &mut Transaction<'_>, job: &mut Job) -> rusqlite::Result<()> {
    let mut sp = tx.savepoint()?;
    if job.run(&sp) {
        sp.commit()
    } else {
        sp.rollback()
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
