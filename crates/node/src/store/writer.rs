//! The single writer thread: runs queued write jobs in batches, one transaction per batch.
//!
//! A store costs a few microseconds of SQL but a commit costs a WAL write; grouping every job
//! that queued up while the previous batch committed amortises the commit over the whole batch.
//! A failing job must leave no partial effects and must not spoil the rest of the batch. Jobs
//! almost never fail, so a batch first runs without savepoints (a savepoint copies every page a
//! job touches); if any job fails, the transaction is rolled back and the batch runs again with
//! one savepoint per job. Callers are answered only after their batch has committed.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::{Connection, Transaction};
use tokio::sync::oneshot;

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

/// A queued write.
trait WriteJob: Send {
    /// Runs the job (again, if an earlier run was rolled back) and keeps its result; says
    /// whether it succeeded.
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller with the kept result, or with `error` if the batch did not commit.
    fn finish(self: Box<Self>, error: Option<&str>);
}

type Job = Box<dyn WriteJob>;

struct CallJob<F, T> {
    work: F,
    result: Option<Result<T, StoreError>>,
    reply_tx: oneshot::Sender<Result<T, StoreError>>,
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

    /// Runs `f` inside the next batch transaction and returns its result once committed. `f`
    /// may run twice (see the module documentation); only the committed run's effects remain.
    pub(super) async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let (reply_tx, reply_rx) = oneshot::channel::<Result<T, StoreError>>();
        let job: Job = Box::new(CallJob {
            work: f,
            result: None,
            reply_tx,
        });
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
