//! Tests of the store writer: where jobs run, shared commits, checkpoints.
use super::*;
use crate::store::schema;

fn writer(dir: &std::path::Path, checkpoint_pages: i64) -> WriterHandle {
    writer_holding(dir, checkpoint_pages, SHARED_COMMIT_WAIT)
}

fn writer_holding(
    dir: &std::path::Path,
    checkpoint_pages: i64,
    shared_commit_wait: Duration,
) -> WriterHandle {
    let path = dir.join("store.sqlite");
    let conn = schema::open_writer(&path).unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", checkpoint_pages)
        .unwrap();
    conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
    WriterHandle::start_holding(conn, &path, shared_commit_wait).unwrap()
}

/// Waits until `condition` holds; panics after a minute (only a hang takes that long).
async fn wait_until(what: &str, condition: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while !condition() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The largest WAL file the writer allows with `checkpoint_pages`, when each batch adds at
/// most `batch_frames` frames: the hard limit plus one batch (the writer stops at the limit
/// until the WAL is copied; the file is then reused from its start).
fn wal_bound(checkpoint_pages: usize, batch_frames: usize) -> u64 {
    const WAL_HEADER: usize = 32;
    const FRAME: usize = 24 + 4096;
    (WAL_HEADER + (checkpoint_pages * HARD_LIMIT_FACTOR + batch_frames) * FRAME) as u64
}

/// Frames one [`insert`] adds at most (a new leaf for the row, its parents when they split,
/// page 1), with room to spare.
const FRAMES_PER_INSERT: usize = 8;

/// Inserts a page-sized row; returns the name of the thread that ran the job.
async fn insert(writer: &WriterHandle) -> String {
    writer
        .call(|c| {
            c.execute("INSERT INTO t VALUES (zeroblob(4000))", [])?;
            Ok(std::thread::current().name().unwrap_or("").to_owned())
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn an_idle_writer_runs_jobs_on_the_callers_thread() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer(dir.path(), 1_000);
    let caller = std::thread::current().name().unwrap_or("").to_owned();
    for _ in 0..3 {
        assert_eq!(insert(&writer).await, caller);
    }
}

#[tokio::test]
async fn a_busy_writer_queues_jobs_for_its_thread() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer(dir.path(), 1_000);
    writer.shared.busy.store(true, Ordering::Relaxed);
    assert_eq!(insert(&writer).await, "store-writer");
    // That batch held one job: the writer is idle again once the thread has let go of the
    // connection, just after answering.
    wait_until("the writer thread lets go of the connection", || {
        writer.shared.conn.try_lock().is_ok()
    })
    .await;
    assert_eq!(
        insert(&writer).await,
        std::thread::current().name().unwrap_or("")
    );
}

/// Callers that can wait arrive apart, as requests do (each would commit alone if the writer
/// did not hold the batch open), and share one commit. The test holds the batch open for up
/// to a minute, so that every arrival falls inside the wait however slowly the callers are
/// scheduled; the batch closes at [`LINGER_ENOUGH`] jobs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_that_can_wait_share_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Arc::new(writer_holding(dir.path(), 1_000, Duration::from_secs(60)));
    let before = writer.shared.commits.load(Ordering::Relaxed);
    let mut tasks = Vec::new();
    for _ in 0..LINGER_ENOUGH {
        let writer = Arc::clone(&writer);
        tasks.push(tokio::spawn(async move {
            writer
                .call_waiting(|c| {
                    c.execute("INSERT INTO t VALUES (zeroblob(100))", [])?;
                    Ok(std::thread::current().name().unwrap_or("").to_owned())
                })
                .await
                .unwrap()
        }));
        std::thread::sleep(Duration::from_micros(200));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), "store-writer");
    }
    let commits = writer.shared.commits.load(Ordering::Relaxed) - before;
    assert_eq!(commits, 1, "{commits} commits for {LINGER_ENOUGH} jobs");
    let rows: i64 = writer
        .call(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(rows, LINGER_ENOUGH as i64);
}

/// With the real wait, a lone caller that can wait is answered: the wait is bounded (were it
/// not, this test would hang).
#[tokio::test]
async fn a_lone_caller_that_can_wait_is_answered() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer(dir.path(), 1_000);
    let thread = writer
        .call_waiting(|c| {
            c.execute("INSERT INTO t VALUES (1)", [])?;
            Ok(std::thread::current().name().unwrap_or("").to_owned())
        })
        .await
        .unwrap();
    assert_eq!(thread, "store-writer");
}

#[tokio::test]
async fn an_idle_writer_folds_a_long_wal_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    // No checkpoint by size during the test.
    let writer = writer(dir.path(), 1_000_000);
    let mut inserted = 0;
    while writer.shared.wal_frames.load(Ordering::Relaxed) < IDLE_CHECKPOINT_FRAMES {
        insert(&writer).await;
        inserted += 1;
    }
    // Once no commit has come for IDLE_CHECKPOINT_AFTER, the writer copies the WAL.
    wait_until("the idle writer folds the WAL", || {
        writer.shared.wal_frames.load(Ordering::Relaxed) == 0
    })
    .await;
    // Every frame is in the database file now, and nothing was lost.
    let reader = crate::store::schema::open_reader(&dir.path().join("store.sqlite")).unwrap();
    let rows: i64 = reader
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, inserted);
    let (log, checkpointed): (i64, i64) = writer
        .call(|c| {
            Ok(c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
                Ok((r.get(1)?, r.get(2)?))
            })?)
        })
        .await
        .unwrap();
    assert_eq!(log, checkpointed);
}

#[tokio::test]
async fn a_short_wal_is_left_alone_when_idle() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer(dir.path(), 1_000_000);
    insert(&writer).await;
    let frames = writer.shared.wal_frames.load(Ordering::Relaxed);
    assert!(frames > 0 && frames < IDLE_CHECKPOINT_FRAMES);
    tokio::time::sleep(IDLE_CHECKPOINT_AFTER * 3).await;
    assert_eq!(writer.shared.wal_frames.load(Ordering::Relaxed), frames);
}

/// Many writers at once keep the writer thread busy (jobs queue and batch); the WAL is
/// copied by the checkpoint thread and finished by the writer, and stays bounded.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn busy_writes_are_checkpointed_in_the_background_and_the_wal_stays_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Arc::new(writer(dir.path(), 64));
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let writer = Arc::clone(&writer);
        tasks.push(tokio::spawn(async move {
            for _ in 0..100 {
                insert(&writer).await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        writer.shared.checkpointer.finished() >= 3,
        "{} background checkpoints",
        writer.shared.checkpointer.finished()
    );
    // 1,600 rows of 4 KB were written (more than 6 MB of WAL frames); the WAL file is
    // reused from its start after each complete checkpoint and never passes the hard limit
    // plus one batch (at most one job from each of the 16 callers).
    let wal = std::fs::metadata(dir.path().join("store.sqlite-wal"))
        .unwrap()
        .len();
    let bound = wal_bound(64, 16 * FRAMES_PER_INSERT);
    assert!(wal <= bound, "WAL of {wal} bytes, bound {bound}");
    let rows: i64 = writer
        .call(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(rows, 1_600);
}

#[tokio::test]
async fn checkpoints_are_finished_on_the_writer_thread_and_bound_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let writer = writer(dir.path(), 64);
    let mut on_thread = 0;
    for _ in 0..1_600 {
        if insert(&writer).await == "store-writer" {
            on_thread += 1;
        }
    }
    // Each time the WAL reached 64 frames the checkpoint thread was woken to copy it; once it
    // was done, or at the hard limit, the next job went to the writer thread, which copied the
    // rest (waiting for the background copy at the limit), so the WAL file is reused from its
    // start. However the threads are scheduled, the WAL never passes the hard limit plus one
    // batch (one job here: the callers wait for each insert), far below the 6.5 MB written.
    let background = writer.shared.checkpointer.finished();
    assert!(background >= 3, "{background} background checkpoints");
    assert!(on_thread >= 3, "{on_thread} jobs on the writer thread");
    let wal = std::fs::metadata(dir.path().join("store.sqlite-wal"))
        .unwrap()
        .len();
    let bound = wal_bound(64, FRAMES_PER_INSERT);
    assert!(wal <= bound, "WAL of {wal} bytes, bound {bound}");
}

/// A checkpoint thread that falls behind (here: stalled by the test until the writer has had
/// to wait for it) cannot let the WAL grow: the writer stops at the hard limit until the
/// background copy ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_checkpoint_thread_stops_the_writer_at_the_hard_limit() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Arc::new(writer(dir.path(), 64));
    let checkpointer = Arc::clone(&writer.shared.checkpointer);
    let pause = checkpointer.pause.lock().unwrap();
    let inserts = {
        let writer = Arc::clone(&writer);
        tokio::spawn(async move {
            for _ in 0..400 {
                insert(&writer).await;
            }
        })
    };
    // Waited for here without awaiting (the pause guard is held): the inserts run on the
    // runtime's workers.
    let deadline = Instant::now() + Duration::from_secs(60);
    while checkpointer.writer_waits.load(Ordering::Relaxed) == 0 {
        assert!(
            Instant::now() < deadline,
            "the writer never waited at the hard limit"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let wal_path = dir.path().join("store.sqlite-wal");
    let bound = wal_bound(64, FRAMES_PER_INSERT);
    let wal = std::fs::metadata(&wal_path).unwrap().len();
    assert!(
        wal <= bound,
        "WAL of {wal} bytes while stalled, bound {bound}"
    );
    assert!(
        !inserts.is_finished(),
        "the writer went on past the hard limit"
    );
    drop(pause);
    inserts.await.unwrap();
    let wal = std::fs::metadata(&wal_path).unwrap().len();
    assert!(wal <= bound, "WAL of {wal} bytes, bound {bound}");
    let rows: i64 = writer
        .call(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(rows, 400);
}
