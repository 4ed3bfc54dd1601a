//! The single writer thread: runs queued write jobs in batches, one transaction per batch.
//!
//! A store costs a few microseconds of SQL but a commit costs a WAL sync; grouping every job that
//! queued up while the previous batch committed amortises the commit over the whole batch.
//! Each job runs in its own savepoint, so a failing job leaves no partial effects and does not
//! spoil the rest of the batch. Callers are answered only after their batch has committed.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

use super::StoreError;

/// Upper bound on jobs per transaction, so one batch cannot hold the write lock for long.
const MAX_BATCH: usize = 1024;

/// Under load (the previous batch held more than one job), how long the writer waits for more
/// jobs before committing: a commit costs as much as dozens of inserts, and jobs from
/// concurrent requests arrive microseconds apart. A lone writer never waits.
const LINGER: Duration = Duration::from_micros(500);

/// Jobs that end the wait early.
const LINGER_ENOUGH: usize = 64;

/// Sends the job's result, or the batch's commit error instead.
type Reply = Box<dyn FnOnce(Option<&str>) + Send>;

/// A queued write.
trait WriteJob: Send {
    /// Runs the job; the flag says whether it succeeded (and its savepoint should be kept).
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Reply);
    /// Answers the caller with an error without running the job.
    fn fail(self: Box<Self>, error: &str);
}

type Job = Box<dyn WriteJob>;

struct CallJob<F, T> {
    work: F,
    reply_tx: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> WriteJob for CallJob<F, T>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> (bool, Reply) {
        let CallJob { work, reply_tx } = *self;
        let result = work(conn);
        let ok = result.is_ok();
        let reply: Reply = Box::new(move |commit_error| {
            let result = match commit_error {
                Some(e) => Err(StoreError::Commit(e.to_string())),
                None => result,
            };
            let _ = reply_tx.send(result);
        });
        (ok, reply)
    }

    fn fail(self: Box<Self>, error: &str) {
        let _ = self
            .reply_tx
            .send(Err(StoreError::Commit(error.to_string())));
    }
}

/// Sends jobs to the writer thread. The thread exits when every handle is dropped.
#[derive(Debug)]
pub(super) struct WriterHandle {
    tx: mpsc::Sender<Job>,
}

impl WriterHandle {
    /// Starts the writer thread over `conn`.
    pub(super) fn start(conn: Connection) -> Result<WriterHandle, StoreError> {
        let (tx, rx) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, &rx))
            .map_err(|e| StoreError::Interrupted(format!("cannot start the writer thread: {e}")))?;
        Ok(WriterHandle { tx })
    }

    /// Runs `f` inside the next batch transaction and returns its result once committed.
    pub(super) async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(CallJob { work: f, reply_tx });
        self.tx.send(job).map_err(|_| StoreError::Closed)?;
        reply_rx.await.map_err(|_| StoreError::Closed)?
    }
}

fn run(mut conn: Connection, rx: &mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut busy = false;
    while let Ok(first) = rx.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if busy || batch.len() > 1 {
            let deadline = Instant::now() + LINGER;
            while batch.len() < LINGER_ENOUGH {
                let left = deadline.saturating_duration_since(Instant::now());
                match rx.recv_timeout(left) {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        busy = batch.len() > 1;
        run_batch(&mut conn, &mut batch);
    }
    tracing::debug!("store writer stopped");
}

fn run_batch(conn: &mut Connection, batch: &mut Vec<Job>) {
    let mut tx = match conn.transaction() {
        Ok(tx) => tx,
        Err(e) => {
            tracing::error!(error = %e, "cannot begin a store transaction");
            let msg = e.to_string();
            batch.drain(..).for_each(|job| job.fail(&msg));
            return;
        }
    };
    let mut replies: Vec<Reply> = Vec::with_capacity(batch.len());
    for job in batch.drain(..) {
        replies.push(run_in_savepoint(&mut tx, job));
    }
    match tx.commit() {
        Ok(()) => replies.into_iter().for_each(|reply| reply(None)),
        Err(e) => {
            tracing::error!(error = %e, "store transaction commit failed");
            let msg = e.to_string();
            replies.into_iter().for_each(|reply| reply(Some(&msg)));
        }
    }
}

fn run_in_savepoint(tx: &mut Transaction<'_>, job: Job) -> Reply {
    let mut sp = match tx.savepoint() {
        Ok(sp) => sp,
        Err(e) => {
            let msg = e.to_string();
            return Box::new(move |_| job.fail(&msg));
        }
    };
    let (ok, reply) = job.run(&sp);
    let finished = if ok { sp.commit() } else { sp.rollback() };
    match finished {
        Ok(()) => reply,
        Err(e) => {
            let msg = e.to_string();
            Box::new(move |_| reply(Some(&msg)))
        }
    }
}
