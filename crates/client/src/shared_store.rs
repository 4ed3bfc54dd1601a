//! The database shared by the client's tasks: one connection behind a mutex, used from blocking
//! threads so SQLite never stalls the async runtime.
//!
//! A running client's store also holds the account's lock. [`SharedStore::close`] drops both
//! once the call in progress (if any) has finished, so a client started next for the same
//! account never races a write of the one before it.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::account::AccountLock;
use crate::store::{Store, StoreError};

/// A cloneable handle to the one [`Store`] of a running client.
#[derive(Debug, Clone)]
pub struct SharedStore {
    inner: Arc<Mutex<Option<Open>>>,
}

#[derive(Debug)]
struct Open {
    store: Store,
    _lock: Option<AccountLock>,
}

impl SharedStore {
    /// Shares `store`.
    pub fn new(store: Store) -> SharedStore {
        SharedStore::wrap(store, None)
    }

    /// Shares `store` of an account whose lock this process holds; [`SharedStore::close`]
    /// releases the lock.
    pub fn with_lock(store: Store, lock: AccountLock) -> SharedStore {
        SharedStore::wrap(store, Some(lock))
    }

    fn wrap(store: Store, lock: Option<AccountLock>) -> SharedStore {
        SharedStore {
            inner: Arc::new(Mutex::new(Some(Open { store, _lock: lock }))),
        }
    }

    /// Runs `f` with the store on a blocking thread (use from async code).
    pub async fn run<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        R: Send + 'static,
        F: FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        match tokio::task::spawn_blocking(move || with_open(&mut lock(&inner), f)).await {
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
        Some(with_open(&mut guard, f))
    }

    /// Runs `f` with the store on the calling thread (use from blocking code only).
    pub fn run_blocking<R, F>(&self, f: F) -> Result<R, StoreError>
    where
        F: FnOnce(&mut Store) -> Result<R, StoreError>,
    {
        with_open(&mut lock(&self.inner), f)
    }

    /// Closes the database and releases the account's lock, after the call in progress.
    /// Later calls fail with [`StoreError::Unavailable`].
    pub async fn close(&self) {
        let inner = Arc::clone(&self.inner);
        // A failed join means the closing thread panicked; the store is then dropped with
        // the last handle instead.
        let _ = tokio::task::spawn_blocking(move || lock(&inner).take()).await;
    }

    /// [`SharedStore::close`] from code that cannot wait (a `Drop`): on a blocking thread of
    /// the current runtime, or right here outside one.
    pub fn close_soon(&self) {
        let inner = Arc::clone(&self.inner);
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                drop(runtime.spawn_blocking(move || lock(&inner).take()));
            }
            Err(_) => drop(lock(&inner).take()),
        }
    }
}

fn lock(inner: &Mutex<Option<Open>>) -> MutexGuard<'_, Option<Open>> {
    // A panic while holding the lock cannot leave a half-written row (every write is one
    // transaction), so a poisoned lock is safe to keep using.
    inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn with_open<R, F>(open: &mut Option<Open>, f: F) -> Result<R, StoreError>
where
    F: FnOnce(&mut Store) -> Result<R, StoreError>,
{
    match open {
        Some(open) => f(&mut open.store),
        None => Err(StoreError::Unavailable {
            detail: "the client has stopped".to_owned(),
        }),
    }
}
