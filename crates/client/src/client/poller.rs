//! The poller: retrieves the account's messages from its swarm, opens them and stores them.
//!
//! A poll pages through `retrieve` answers from the last cursor on. Pages are pipelined: while
//! page N is being decrypted on blocking threads, page N+1 is fetched (its cursor is page N's
//! last hash, known before decrypting), and page N is stored (messages, seen hashes and cursor
//! in one transaction) while N+1 decrypts. Undecryptable, forged, replayed and garbage
//! messages are counted and skipped; they are marked seen so they are not opened twice.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use session_protocol::identity::SessionId;
use session_protocol::rpc::account::PREFIX_SESSION_ID;
use session_protocol::rpc::{AccountPubkey, Namespace};
use tokio::task::JoinHandle;

use super::config_sync;
use super::configs::CONFIG_NAMESPACES;
use super::incoming::{open_all, open_here, Item, Sealed, Verdict, MIN_PER_THREAD};
use super::{nap, ClientError, Inner, Update};
use crate::net::RetrievedMessage;
use crate::shared_store::SharedStore;
use crate::store::{
    ConversationId, Direction, IncomingOutcome, Message, MessageId, NewIncoming, PollBatch,
    SeenHash, Store, StoreError,
};

/// Pages of one poll at most (a safety net against a node that always says "more").
const MAX_PAGES: usize = 10_000;
/// A typing indicator older than this is stale (it sat in the swarm while we were offline).
const TYPING_FRESH_MS: i64 = 30_000;
/// How often expired seen hashes and cursors are deleted.
const PRUNE_EVERY_MS: i64 = 3600 * 1000;

/// What polling has processed since the client started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PollStats {
    /// Messages retrieved that were not seen before.
    pub opened: u64,
    /// Text messages stored.
    pub stored: u64,
    /// Texts already stored (same sender and sent time: replays) or from blocked senders.
    pub dropped: u64,
    /// Receipts, typing indicators and request responses handled.
    pub controls: u64,
    /// Own messages (skipped).
    pub own: u64,
    /// Valid messages of a kind this client does not handle.
    pub unsupported: u64,
    /// Data that is not a Session message.
    pub garbage: u64,
    /// Messages that could not be decrypted or whose signature did not match.
    pub undecryptable: u64,
    /// Messages whose visible timestamp differs from the signed one.
    pub tampered: u64,
    /// Config messages skipped: not decryptable, not parseable, or refused by the merge.
    pub configs_skipped: u64,
}

/// Lock-free counters behind [`PollStats`].
#[derive(Debug, Default)]
pub(crate) struct StatsCounters {
    opened: AtomicU64,
    stored: AtomicU64,
    dropped: AtomicU64,
    controls: AtomicU64,
    own: AtomicU64,
    unsupported: AtomicU64,
    garbage: AtomicU64,
    undecryptable: AtomicU64,
    tampered: AtomicU64,
    configs_skipped: AtomicU64,
}

impl StatsCounters {
    pub(crate) fn snapshot(&self) -> PollStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        PollStats {
            opened: get(&self.opened),
            stored: get(&self.stored),
            dropped: get(&self.dropped),
            controls: get(&self.controls),
            own: get(&self.own),
            unsupported: get(&self.unsupported),
            garbage: get(&self.garbage),
            undecryptable: get(&self.undecryptable),
            tampered: get(&self.tampered),
            configs_skipped: get(&self.configs_skipped),
        }
    }

    pub(super) fn add_configs_skipped(&self, n: usize) {
        Self::add(&self.configs_skipped, n);
    }

    fn add(counter: &AtomicU64, n: usize) {
        counter.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// Runs until shutdown: polls every `poll_active` while active; while inactive (or failing)
/// the interval doubles up to `poll_idle_max` as long as nothing arrives.
pub(super) async fn run(inner: Arc<Inner>) {
    let mut interval = inner.poll_active;
    let mut failing = false;
    let mut last_prune = i64::MIN;
    while !inner.is_stopping() {
        let result = poll_once(&inner).await;
        let active = inner.active.load(Ordering::SeqCst);
        let backed_off = interval.saturating_mul(2).min(inner.poll_idle_max);
        interval = match result {
            Ok(stored) => {
                failing = false;
                if active || stored > 0 {
                    inner.poll_active
                } else {
                    backed_off
                }
            }
            Err(error) => {
                tracing::debug!(%error, "poll failed");
                if !failing {
                    failing = true;
                    inner.emit(Update::Problem(format!(
                        "cannot fetch new messages: {error}"
                    )));
                }
                backed_off
            }
        };
        let now = inner.local_now_ms();
        if now.saturating_sub(last_prune) >= PRUNE_EVERY_MS {
            last_prune = now;
            if let Err(error) = inner
                .store
                .run(move |s| s.prune_expired_poll_state(now))
                .await
            {
                tracing::debug!(%error, "pruning poll state failed");
            }
        }
        if !nap(&inner, interval, &inner.poll_wake).await {
            return;
        }
    }
}

/// One poll: every page waiting on the swarm. Returns how many texts were stored.
pub(super) async fn poll_once(inner: &Arc<Inner>) -> Result<usize, ClientError> {
    let _one_at_a_time = inner.poll_lock.lock().await;
    let account = AccountPubkey::new(PREFIX_SESSION_ID, inner.session_id.x25519_public());
    let node = inner.network.poll_node(&account).await?;
    let now = inner.local_now_ms();
    let node_ed = node.ed25519;
    // A few one-row reads: done in place when the store is free.
    let read = move |s: &mut Store| {
        std::iter::once(Namespace::DEFAULT)
            .chain(CONFIG_NAMESPACES)
            .map(|ns| Ok((ns, s.last_hash(&node_ed, ns, now)?)))
            .collect::<Result<Vec<_>, StoreError>>()
    };
    let cursors = match inner.store.try_run_now(read) {
        Some(found) => found?,
        None => inner.store.run(read).await?,
    };
    let mut last_hash = cursors.first().and_then(|(_, h)| h.clone());
    // The inbox and the config namespaces in one request; the configs are applied first.
    let mut first_page = Some(config_sync::poll_with_configs(inner, &node, cursors).await?);
    let mut stored = 0;
    let mut pending: Option<JoinHandle<Result<Prepared, ClientError>>> = None;
    for _ in 0..MAX_PAGES {
        let fetched = match first_page.take() {
            Some(page) => page,
            None => {
                inner
                    .network
                    .retrieve(&node, &inner.keypair, Namespace::DEFAULT, last_hash.clone())
                    .await
            }
        };
        let page = match fetched {
            Ok(page) => page,
            Err(error) => {
                // Pages already fetched are kept; the next poll continues from them.
                let Some(previous) = pending.take() else {
                    return Err(error.into());
                };
                tracing::debug!(%error, "poll stopped after a failed page");
                return Ok(stored + finish(inner, previous).await?);
            }
        };
        let newest = page.messages.last().map(|m| m.hash.clone());
        let more = page.more && newest.is_some() && newest != last_hash;
        if newest.is_some() {
            last_hash = newest;
        }
        if !more && pending.is_none() && page.messages.len() <= MIN_PER_THREAD {
            // The usual poll: one small page. Checked, opened and stored in one hand-off.
            return Ok(stored + store_small_page(inner, node_ed, page.messages).await?);
        }
        let next = tokio::spawn(prepare(Arc::clone(inner), node_ed, page.messages));
        if let Some(previous) = pending.replace(next) {
            stored += finish(inner, previous).await?;
        }
        if !more || inner.is_stopping() {
            break;
        }
    }
    if let Some(previous) = pending {
        stored += finish(inner, previous).await?;
    }
    Ok(stored)
}

/// A page, decrypted and classified, ready to store.
struct Prepared {
    node: [u8; 32],
    newest: Option<SeenHash>,
    seen: Vec<SeenHash>,
    verdicts: Vec<Verdict>,
}

/// Drops already-seen hashes and opens the rest.
async fn prepare(
    inner: Arc<Inner>,
    node: [u8; 32],
    messages: Vec<RetrievedMessage>,
) -> Result<Prepared, ClientError> {
    if messages.len() <= MIN_PER_THREAD {
        // A small page: the seen check and the decryption in one hand-off to a blocking
        // thread.
        return tokio::task::spawn_blocking(move || prepare_here(&inner, node, messages))
            .await
            .map_err(|_| ClientError::ShutDown)?;
    }
    let seen = seen_of(&messages);
    let store = inner.store.clone();
    let sealed = tokio::task::spawn_blocking(move || unseen_of(&store, messages))
        .await
        .map_err(|_| ClientError::ShutDown)??;
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    let verdicts = open_all(
        Arc::clone(&inner.keypair),
        inner.session_id,
        sealed,
        threads,
    )
    .await;
    Ok(Prepared {
        node,
        newest: seen.last().cloned(),
        seen,
        verdicts,
    })
}

/// [`prepare`] on the calling thread (blocking code only).
fn prepare_here(
    inner: &Inner,
    node: [u8; 32],
    messages: Vec<RetrievedMessage>,
) -> Result<Prepared, ClientError> {
    let seen = seen_of(&messages);
    let sealed = unseen_of(&inner.store, messages)?;
    Ok(Prepared {
        node,
        newest: seen.last().cloned(),
        seen,
        verdicts: open_here(&inner.keypair, &inner.session_id, &sealed),
    })
}

/// The hashes of a page with their expiries, in order.
fn seen_of(messages: &[RetrievedMessage]) -> Vec<SeenHash> {
    messages
        .iter()
        .map(|m| SeenHash {
            hash: m.hash.clone(),
            expires_at_ms: m.expires_at_ms,
        })
        .collect()
}

/// The messages not processed before (each hash once), to open. Blocking.
fn unseen_of(
    store: &SharedStore,
    messages: Vec<RetrievedMessage>,
) -> Result<Vec<Sealed>, ClientError> {
    let unseen: HashSet<String> = store.run_blocking(|s| {
        let refs: Vec<&str> = messages.iter().map(|m| m.hash.as_str()).collect();
        Ok(s.unseen_hashes(&refs)?
            .into_iter()
            .map(str::to_owned)
            .collect())
    })?;
    let mut taken = HashSet::new();
    Ok(messages
        .into_iter()
        .filter(|m| unseen.contains(&m.hash) && taken.insert(m.hash.clone()))
        .map(|m| Sealed {
            hash: m.hash,
            data: m.data,
        })
        .collect())
}

/// What storing a page changed, for the updates.
#[derive(Default)]
struct Applied {
    added: Vec<(Message, bool)>,
    dropped: usize,
    read: Vec<(ConversationId, MessageId)>,
    changed: Vec<ConversationId>,
    typing: Vec<(ConversationId, bool)>,
}

/// Stores a prepared page and reports it. Returns how many texts were stored.
async fn finish(
    inner: &Arc<Inner>,
    prepared: JoinHandle<Result<Prepared, ClientError>>,
) -> Result<usize, ClientError> {
    let prepared = prepared.await.map_err(|_| ClientError::ShutDown)??;
    let sorted = sort(inner, prepared);
    let now = inner.local_now_ms();
    let network_now = inner.now_ms();
    let applied = inner
        .store
        .run(move |s| sorted.apply(s, now, network_now))
        .await?;
    Ok(record(inner, applied))
}

/// Drops seen hashes, opens, stores and reports one small page, all on one blocking thread.
async fn store_small_page(
    inner: &Arc<Inner>,
    node: [u8; 32],
    messages: Vec<RetrievedMessage>,
) -> Result<usize, ClientError> {
    let worker = Arc::clone(inner);
    let applied = tokio::task::spawn_blocking(move || {
        let sorted = sort(&worker, prepare_here(&worker, node, messages)?);
        let now = worker.local_now_ms();
        let network_now = worker.now_ms();
        Ok::<_, ClientError>(
            worker
                .store
                .run_blocking(|s| sorted.apply(s, now, network_now))?,
        )
    })
    .await
    .map_err(|_| ClientError::ShutDown)??;
    Ok(record(inner, applied))
}

/// A page's verdicts sorted into what to store.
struct Sorted {
    batch: PollBatch,
    texts: Vec<(NewIncoming, Option<String>)>,
    controls: Vec<Item>,
}

impl Sorted {
    fn apply(self, s: &mut Store, now: i64, network_now: i64) -> Result<Applied, StoreError> {
        apply(s, self.batch, self.texts, &self.controls, now, network_now)
    }
}

/// Counts the verdicts and keeps the texts and control messages.
fn sort(inner: &Inner, prepared: Prepared) -> Sorted {
    let mut texts = Vec::new();
    let mut controls = Vec::new();
    let stats = &inner.stats;
    StatsCounters::add(&stats.opened, prepared.verdicts.len());
    for verdict in prepared.verdicts {
        match verdict {
            Verdict::Item(Item::Text {
                message,
                profile_name,
            }) => texts.push((message, profile_name)),
            Verdict::Item(control) => controls.push(control),
            Verdict::Own => StatsCounters::add(&stats.own, 1),
            Verdict::Unsupported => StatsCounters::add(&stats.unsupported, 1),
            Verdict::Garbage => StatsCounters::add(&stats.garbage, 1),
            Verdict::Undecryptable => StatsCounters::add(&stats.undecryptable, 1),
            Verdict::Tampered => StatsCounters::add(&stats.tampered, 1),
        }
    }
    StatsCounters::add(&stats.controls, controls.len());
    Sorted {
        batch: PollBatch {
            node_ed25519: prepared.node,
            namespace: Namespace::DEFAULT,
            newest: prepared.newest,
            seen: prepared.seen,
            messages: Vec::new(),
        },
        texts,
        controls,
    }
}

/// Counts and reports a stored page; how many texts it stored.
fn record(inner: &Inner, applied: Applied) -> usize {
    let stored = applied.added.len();
    StatsCounters::add(&inner.stats.stored, stored);
    StatsCounters::add(&inner.stats.dropped, applied.dropped);
    report(inner, applied);
    stored
}

/// Writes a page: texts (minus replays), seen hashes and cursor in one transaction, then the
/// control messages' effects.
fn apply(
    s: &mut Store,
    mut batch: PollBatch,
    texts: Vec<(NewIncoming, Option<String>)>,
    controls: &[Item],
    now: i64,
    network_now: i64,
) -> Result<Applied, StoreError> {
    let settings = s.account()?.map(|a| a.settings).unwrap_or_default();
    let mut applied = Applied::default();
    // (sender, sent time) identifies a message: a re-wrapped copy under another hash is a
    // replay.
    let keys: Vec<(SessionId, i64)> = texts
        .iter()
        .map(|(m, _)| (m.sender, m.sent_at_ms))
        .collect();
    let exists = s.incoming_exists(&keys)?;
    let mut in_batch = HashSet::new();
    let mut names = Vec::new();
    for ((message, name), exists) in texts.into_iter().zip(exists) {
        if exists || !in_batch.insert((message.sender, message.sent_at_ms)) {
            applied.dropped += 1;
            continue;
        }
        names.push(name);
        batch.messages.push(message);
    }
    let outcomes = s.apply_poll_batch(&batch, now)?;
    let mut latest_names: HashMap<SessionId, String> = HashMap::new();
    for ((message, name), outcome) in batch.messages.into_iter().zip(names).zip(outcomes) {
        match outcome {
            IncomingOutcome::Inserted {
                message_id,
                conversation_id,
                is_request,
            } => {
                if let Some(name) = name {
                    latest_names.insert(message.sender, name);
                }
                applied.added.push((
                    Message {
                        id: message_id,
                        conversation_id,
                        direction: Direction::Incoming,
                        sender: message.sender,
                        body: message.body,
                        sent_at_ms: message.sent_at_ms,
                        received_at_ms: now,
                        server_hash: Some(message.server_hash),
                        status: None,
                        is_read: false,
                    },
                    is_request,
                ));
            }
            IncomingOutcome::Duplicate | IncomingOutcome::SenderBlocked => applied.dropped += 1,
        }
    }
    for (sender, name) in &latest_names {
        let known = s.contact(sender)?.and_then(|c| c.name);
        if known.as_deref() != Some(name.trim()) {
            s.set_contact_name(sender, Some(name), now)?;
        }
    }
    for control in controls {
        apply_control(
            s,
            control,
            settings.read_receipts,
            settings.typing_indicators,
            now,
            network_now,
            &mut applied,
        )?;
    }
    Ok(applied)
}

/// The effect of one receipt, typing indicator or request response.
fn apply_control(
    s: &mut Store,
    control: &Item,
    read_receipts: bool,
    typing_indicators: bool,
    now: i64,
    network_now: i64,
    applied: &mut Applied,
) -> Result<(), StoreError> {
    let sender = match control {
        Item::Receipt { sender, .. }
        | Item::Typing { sender, .. }
        | Item::RequestResponse { sender, .. } => sender,
        Item::Text { .. } => return Ok(()),
    };
    if s.contact(sender)?.is_some_and(|c| c.blocked) {
        return Ok(());
    }
    match control {
        Item::Receipt { timestamps, .. } if read_receipts => {
            applied
                .read
                .extend(s.mark_outgoing_read_ids(sender, timestamps)?);
        }
        Item::Typing {
            typing,
            timestamp_ms,
            ..
        } if typing_indicators => {
            let fresh = network_now.saturating_sub(*timestamp_ms).abs() <= TYPING_FRESH_MS;
            if let Some(conversation) = s.conversation_with(sender)? {
                if fresh && !conversation.is_request {
                    applied.typing.push((conversation.id, *typing));
                }
            }
        }
        Item::RequestResponse {
            approved: true,
            profile_name,
            ..
        } => {
            s.set_contact_approved_me(sender, now)?;
            if let Some(name) = profile_name {
                s.set_contact_name(sender, Some(name), now)?;
            }
            if let Some(conversation) = s.conversation_with(sender)? {
                applied.changed.push(conversation.id);
            }
        }
        _ => {}
    }
    Ok(())
}

/// Emits the updates for a stored page.
fn report(inner: &Inner, applied: Applied) {
    let mut requests = Vec::new();
    let mut changed = applied.changed;
    for (message, is_request) in applied.added {
        let conversation = message.conversation_id;
        if is_request {
            requests.push(conversation);
        } else {
            changed.push(conversation);
        }
        inner.emit(Update::MessageAdded {
            conversation,
            message,
        });
    }
    requests.sort_unstable();
    requests.dedup();
    changed.sort_unstable();
    changed.dedup();
    for conversation in requests {
        inner.emit(Update::RequestArrived { conversation });
    }
    for conversation in changed {
        inner.emit(Update::ConversationChanged { conversation });
    }
    for (conversation, message) in applied.read {
        inner.emit(Update::MessageRead {
            conversation,
            message,
        });
    }
    for (conversation, typing) in applied.typing {
        inner.emit(Update::Typing {
            conversation,
            typing,
        });
    }
}
