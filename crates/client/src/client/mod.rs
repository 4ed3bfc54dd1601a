//! The running client: the one object the app and `session-cli` talk to.
//!
//! [`Client::start`] opens the account's database, starts the network layer and two tasks: the
//! send worker (drains the persisted send queue) and the poller (retrieves, decrypts and stores
//! the account's messages). Everything they do is reported as [`Update`]s on a broadcast
//! channel. Calls that only read or write the database run on a blocking thread.

mod api;
mod config;
mod config_sync;
mod configs;
mod control;
mod error;
mod incoming;
mod poller;
mod sender;
mod update;

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use session_protocol::identity::{Keypair, SessionId};
use tokio::sync::{broadcast, watch, Notify, Semaphore};
use tokio::task::JoinHandle;

use crate::account::{Account, AccountError, AccountLock};
use crate::clock::SharedClock;
use crate::net::prepared_keys::PreparedKeys;
use crate::net::{Network, NetworkStatus};
use crate::shared_store::SharedStore;
use crate::store::RetryPolicy;

pub use config::{ClientConfig, DEFAULT_POLL_ACTIVE, DEFAULT_POLL_IDLE_MAX};
pub use configs::ConfigSyncError;
pub use error::{ClientError, MAX_TEXT_CHARS};
pub use poller::PollStats;
pub use update::Update;

/// The devnet seed a fresh install talks to (session_node's default base port).
pub const DEFAULT_SEED_URL: &str = "http://127.0.0.1:22000";
/// How many updates a slow subscriber may fall behind before it sees `Lagged`.
const UPDATE_CHANNEL_CAPACITY: usize = 1024;
/// Time to live of a message on the recipient's swarm (Session's default for messages).
pub const MESSAGE_TTL_MS: i64 = 14 * 24 * 3600 * 1000;

/// A running client for one account. Cheap to clone; every clone drives the same tasks. The
/// tasks stop on [`Client::shutdown`] or when the last clone is dropped.
#[derive(Clone)]
pub struct Client {
    handle: Arc<Handle>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("session_id", &self.inner().session_id)
            .finish_non_exhaustive()
    }
}

/// Owned by the `Client` clones only (the tasks hold [`Inner`]): dropping the last clone stops
/// the tasks.
struct Handle {
    inner: Arc<Inner>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.inner.stop_tasks();
        self.inner.store.close_soon();
    }
}

/// How long [`Client::start`] waits for the account's lock: a client of this process that was
/// just dropped releases it once its database call in progress ends.
const ACCOUNT_LOCK_WAIT: Duration = Duration::from_secs(3);

/// Takes the account's lock, waiting up to [`ACCOUNT_LOCK_WAIT`] while another client has it.
async fn lock_account(account: &Account) -> Result<AccountLock, ClientError> {
    let deadline = tokio::time::Instant::now() + ACCOUNT_LOCK_WAIT;
    loop {
        match account.lock() {
            Err(AccountError::InUse { .. }) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            result => return Ok(result?),
        }
    }
}

/// State shared by the API and the tasks.
pub(crate) struct Inner {
    account: Account,
    keypair: Arc<Keypair>,
    session_id: SessionId,
    store: SharedStore,
    network: Network,
    clock: SharedClock,
    poll_active: Duration,
    poll_idle_max: Duration,
    retry: RetryPolicy,
    updates: broadcast::Sender<Update>,
    /// Wakes the send worker (a message was queued or retried).
    send_wake: Notify,
    /// First attempts started by `send_text` that may run at the same time.
    first_attempts: Arc<Semaphore>,
    /// Tables for the X25519 keys of contacts written to often (each message is sealed to one).
    contact_keys: Arc<PreparedKeys>,
    /// Wakes the poller (poll now, e.g. the window became active).
    poll_wake: Notify,
    active: AtomicBool,
    /// `true` once shutdown began.
    stopping: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    /// One poll at a time (the poller and `poll_now`), so cursors only move forward.
    poll_lock: tokio::sync::Mutex<()>,
    /// Newest sent timestamp handed out, so that messages queued in the same millisecond
    /// still get distinct, ordered timestamps.
    last_sent_ms: AtomicI64,
    stats: poller::StatsCounters,
    /// The account's config objects (config sync).
    configs: Mutex<configs::UserConfigs>,
    /// Wakes the config pusher (a local change to push).
    config_wake: Notify,
    /// One config push at a time (the pusher and `sync_now`): two at once would both send a
    /// Waiting config, and the second could carry deletes the first was meant to make.
    push_lock: tokio::sync::Mutex<()>,
    /// When the current configs' time to live was last renewed (local ms).
    config_ttl_renewed_ms: AtomicI64,
}

impl Inner {
    fn emit(&self, update: Update) {
        // No subscriber is fine: nothing is watching.
        let _ = self.updates.send(update);
    }

    /// Network time (the clock corrected by what the nodes told us), ms.
    fn now_ms(&self) -> i64 {
        self.network.network_now_ms()
    }

    /// Local wall-clock time, ms (for local bookkeeping such as `received_at`).
    fn local_now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// A sent timestamp for a new outgoing message: network now, strictly after the last one.
    fn next_sent_timestamp(&self) -> i64 {
        let now = self.now_ms();
        let mut last = self.last_sent_ms.load(Ordering::SeqCst);
        loop {
            let next = now.max(last.saturating_add(1));
            match self
                .last_sent_ms
                .compare_exchange(last, next, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => return next,
                Err(current) => last = current,
            }
        }
    }

    fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }

    fn stop_tasks(&self) {
        self.stopping.send_replace(true);
        let tasks = std::mem::take(
            &mut *self
                .tasks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for task in tasks {
            task.abort();
        }
    }
}

impl Client {
    /// Opens the account's store, starts the network, the send worker and the poller.
    pub async fn start(account: Account, config: ClientConfig) -> Result<Client, ClientError> {
        let clock = config.clock.clone();
        let now = clock.now_ms();
        let lock = lock_account(&account).await?;
        let (account, store) = tokio::task::spawn_blocking(move || {
            let store = account.open_store(now);
            (account, store)
        })
        .await
        .map_err(|_| ClientError::ShutDown)?;
        let store = SharedStore::with_lock(store?, lock);
        let dumps = store.run(|s| s.config_dumps()).await?;
        let configs = configs::UserConfigs::load(&dumps);
        let network = Network::new(config.network.clone(), store.clone(), clock.clone());
        let (updates, _) = broadcast::channel(UPDATE_CHANNEL_CAPACITY);
        let keypair = Arc::new(account.keypair().clone());
        let inner = Arc::new(Inner {
            session_id: account.session_id(),
            account,
            keypair,
            store,
            network,
            clock,
            poll_active: config.poll_active,
            poll_idle_max: config.poll_idle_max.max(config.poll_active),
            retry: config.retry,
            updates,
            send_wake: Notify::new(),
            first_attempts: Arc::new(Semaphore::new(sender::FIRST_ATTEMPTS)),
            contact_keys: Arc::default(),
            poll_wake: Notify::new(),
            active: AtomicBool::new(true),
            stopping: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
            poll_lock: tokio::sync::Mutex::new(()),
            last_sent_ms: AtomicI64::new(0),
            stats: poller::StatsCounters::default(),
            configs: Mutex::new(configs),
            config_wake: Notify::new(),
            push_lock: tokio::sync::Mutex::new(()),
            config_ttl_renewed_ms: AtomicI64::new(i64::MIN),
        });
        let released = inner
            .store
            .run(move |s| s.release_claimed_sends(now))
            .await?;
        if released > 0 {
            tracing::info!(released, "resuming sends interrupted by a restart");
        }
        let tasks = vec![
            tokio::spawn(sender::run(Arc::clone(&inner))),
            tokio::spawn(poller::run(Arc::clone(&inner))),
            tokio::spawn(config_sync::run_pusher(Arc::clone(&inner))),
            tokio::spawn(forward_network_status(Arc::clone(&inner))),
            tokio::spawn(index_search(Arc::clone(&inner))),
        ];
        *inner
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = tasks;
        Ok(Client {
            handle: Arc::new(Handle { inner }),
        })
    }

    fn inner(&self) -> &Arc<Inner> {
        &self.handle.inner
    }

    /// A new subscription to the client's updates (many subscribers may exist).
    pub fn updates(&self) -> broadcast::Receiver<Update> {
        self.inner().updates.subscribe()
    }

    /// The account's Session ID.
    pub fn session_id(&self) -> &SessionId {
        &self.inner().session_id
    }

    /// The 13-word recovery phrase (secret: show it only when the user asks).
    pub fn recovery_phrase(&self) -> zeroize::Zeroizing<String> {
        self.inner().account.recovery_phrase()
    }

    /// Window focused / active → poll every `poll_active`; inactive → back off.
    pub fn set_active(&self, active: bool) {
        let was = self.inner().active.swap(active, Ordering::SeqCst);
        if active && !was {
            self.inner().poll_wake.notify_one();
        }
    }

    /// The network's current state.
    pub fn network_status(&self) -> NetworkStatus {
        self.inner().network.status()
    }

    /// Counters of what polling has processed (messages stored, dropped, undecryptable…).
    pub fn poll_stats(&self) -> PollStats {
        self.inner().stats.snapshot()
    }

    /// Stops the tasks, waits for them to end and closes the database (later calls fail with
    /// [`ClientError::ShutDown`] or a store error). Queued messages stay queued.
    pub async fn shutdown(&self) {
        let inner = self.inner();
        inner.stopping.send_replace(true);
        inner.send_wake.notify_one();
        inner.poll_wake.notify_one();
        let tasks = std::mem::take(
            &mut *inner
                .tasks
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        for mut task in tasks {
            // The tasks stop at their next await point; one stuck in a network request is
            // aborted.
            if tokio::time::timeout(Duration::from_secs(1), &mut task)
                .await
                .is_err()
            {
                task.abort();
            }
        }
        inner.store.close().await;
    }
}

/// Forwards every change of the network status as [`Update::Network`].
async fn forward_network_status(inner: Arc<Inner>) {
    let mut status = inner.network.watch_status();
    let mut stopping = inner.stopping.subscribe();
    loop {
        tokio::select! {
            changed = status.changed() => {
                if changed.is_err() {
                    return;
                }
                let current = status.borrow_and_update().clone();
                inner.emit(Update::Network(current));
            }
            _ = stopping.wait_for(|s| *s) => return,
        }
    }
}

/// How often newly stored messages join the search index (searches index what is still
/// waiting first, so this only keeps that work small).
const SEARCH_INDEX_EVERY: Duration = Duration::from_secs(5);

/// Runs until shutdown: adds newly stored messages to the search index in batches, a few
/// hundred per transaction, giving the store to other work between batches.
async fn index_search(inner: Arc<Inner>) {
    let never = Notify::new();
    while nap(&inner, SEARCH_INDEX_EVERY, &never).await {
        loop {
            let batch = inner
                .store
                .run(|s| s.index_pending_search(crate::store::SEARCH_INDEX_BATCH))
                .await;
            match batch {
                Ok(0) => break,
                Ok(_) if inner.is_stopping() => return,
                Ok(_) => tokio::task::yield_now().await,
                Err(error) => {
                    tracing::debug!(%error, "indexing messages for search failed");
                    break;
                }
            }
        }
    }
}

/// Sleeps for `duration`, or less if `wake` is notified or shutdown begins. Returns `false`
/// when shutting down.
async fn nap(inner: &Inner, duration: Duration, wake: &Notify) -> bool {
    let mut stopping = inner.stopping.subscribe();
    if *stopping.borrow() {
        return false;
    }
    tokio::select! {
        () = tokio::time::sleep(duration) => {}
        () = wake.notified() => {}
        _ = stopping.wait_for(|s| *s) => return false,
    }
    !inner.is_stopping()
}
