//! Tests of the store writer: where jobs run, shared commits, checkpoints.
use super::*;
use crate::store::schema;

fn writer(dir: &std::path::Path, checkpoint_pages: i64) -> WriterHandle {
    let path = dir.join("store.sqlite");
    let conn = schema::open_writer(&path).unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", checkpoint_pages)
        .unwrap();
    conn.execute_batch("CREATE TABLE t (x BLOB)").unwrap();
    WriterHandle::start(conn, &path).unwrap()
}

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
    // That batch held one job: the writer is idle again (once the thread has let go of
    // the connection, just after answering).
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert_eq!(
        insert(&writer).await,
        std::thread::current().name().unwrap_or("")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn callers_that_can_wait_share_a_commit() {
    let dir = tempfile::tempdir().unwrap();
    let writer = Arc::new(writer(dir.path(), 1_000));
    let before = writer.shared.commits.load(Ordering::Relaxed);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..8 {
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
        // Callers arrive apart, as requests do: far enough apart that each job would
        // commit alone if the writer did not wait (this task's worker sleeps; the other
        // runs the callers).
        std::thread::sleep(Duration::from_micros(200));
    }
    for task in tasks {
        assert_eq!(task.await.unwrap(), "store-writer");
    }
    let commits = writer.shared.commits.load(Ordering::Relaxed) - before;
    assert!(commits <= 4, "{commits} commits for 8 jobs");
    // The wait is bounded.
    assert!(started.elapsed() < Duration::from_secs(1));
    let rows: i64 = writer
        .call(|c| Ok(c.query_row("SELECT count(*) FROM t", [], |r| r.get(0))?))
        .await
        .unwrap();
    assert_eq!(rows, 8);
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
    // Still writing: no checkpoint yet (each insert is far quicker than the idle time).
    assert!(writer.shared.idle_checkpoint_worthwhile());
    tokio::time::sleep(IDLE_CHECKPOINT_AFTER * 4).await;
    assert_eq!(writer.shared.wal_frames.load(Ordering::Relaxed), 0);
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
    // reused from its start after each complete checkpoint, so it stays well below that
    // (how far below depends on how long each background copy took meanwhile).
    let wal = std::fs::metadata(dir.path().join("store.sqlite-wal"))
        .unwrap()
        .len();
    assert!(wal < 1_600 * 4096 / 2, "WAL of {wal} bytes");
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
    // Each time the WAL reached 64 frames the checkpoint thread copied it; the next job
    // then went to the writer thread, which copied the rest, so the WAL file is reused
    // from its start and stays well below the 6 MB written (inserts go on meanwhile).
    let background = writer.shared.checkpointer.finished();
    assert!(background >= 3, "{background} background checkpoints");
    assert!(on_thread >= 3, "{on_thread} jobs on the writer thread");
    let wal = std::fs::metadata(dir.path().join("store.sqlite-wal"))
        .unwrap()
        .len();
    assert!(wal < 1_600 * 4096 / 2, "WAL of {wal} bytes");
}
