//! The database shared by the client's tasks: one connection behind a mutex, used from blocking
//! threads so SQLite never stalls the async runtime.

use std::sync::{Arc, Mutex};

use crate::store::{Store, StoreError};

/// A cloneable handle to the one [`Store`] of a running client.
#[derive(Debug, Clone)]
pub struct SharedStore {
    inner: Arc<Mutex<Store>>,
}

impl SharedStore {
    /// Shares `store`.
    pub fn new(store: Store) -> SharedStore {
        SharedStore {
            inner: Arc::new(Mutex::new(store)),
        }
    }

    /// Runs `f` with the store on a blocking thread (use from async code).
    pub async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match tokio::task::spawn_blocking(move || lock_and_run(&inner, f)).await {
            Ok(result) => result,
            Err(join) => Err(StoreError::Unavailable {
                detail: format!("database task stopped: {join}"),
            }),
        }
    }

    /// Runs `f` at once on the calling thread if the store is free, else `None`. Only for
    /// calls of a few microseconds (no disk writes), so async code does not need a hand-off
    /// to a blocking thread for them.
    pub fn try_run_now<R, F>(&self, f: F) -> Option<Result<R, StoreError>>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError>,
    {
        let mut guard = match self.inner.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return None,
        };
        Some(f(&mut guard))
    }

    /// Runs `f` with the store on the calling thread (use from blocking code only).
    pub fn run_blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError>,
    {
        lock_and_run(&self.inner, f)
    }
}

fn lock_and_run<R, F>(inner: &Mutex<Store>, f: F) -> Result<R, StoreError>
where
    F: FnOnce(&mut Store) -> Result<R, StoreError>,
{
    // A panic while holding the lock cannot leave a half-written row (every write is one
    // transaction), so a poisoned lock is safe to keep using.
    let mut guard = inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    f(&mut guard)
}
