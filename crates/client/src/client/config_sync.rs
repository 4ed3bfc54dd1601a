//! Config sync at run time: the pusher task, what a poll does with the config namespaces, and
//! the hook local changes call. The config logic itself is in [`super::configs`].
//!
//! A local change edits the config object, saves its dump and wakes the pusher, which sends
//! every config that needs it as one `sequence` (stores, then a `delete` of the hashes they
//! replace) within [`PUSH_DEBOUNCE`]; a failed push is retried with a growing wait. A poll
//! retrieves the config namespaces together with the inbox in one `batch`; what it merges is
//! applied to the database with the new cursors in one transaction before the inbox page, so
//! that a restored account knows its contacts before their messages arrive.

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, MutexGuard, PoisonError};
use std::time::Duration;

use session_protocol::identity::SessionId;
use session_protocol::rpc::{message_hash_for, AccountPubkey, Namespace};

use super::configs::{PreparedPush, UserConfigs, CONFIG_TTL_MS};
use super::{nap, Client, ClientError, Inner, Update};
use crate::net::{ExpireRefresh, NetError, RetrieveResult, RetrievedMessage, SnodeInfo};
use crate::store::{ConfigApply, Contact, SeenHash};

/// How long the pusher waits after a change for more changes to send together.
const PUSH_DEBOUNCE: Duration = Duration::from_millis(100);
/// First and longest wait before a failed push is tried again.
const RETRY_FIRST: Duration = Duration::from_secs(1);
const RETRY_MAX: Duration = Duration::from_secs(60);
/// How long an idle pusher sleeps between checks (a wake-up comes with every change).
const IDLE_CHECK: Duration = Duration::from_secs(600);
/// Further pages fetched per config namespace in one poll (a safety net).
const MAX_CONFIG_PAGES: usize = 100;
/// How often the current configs' time to live is renewed while polling.
const TTL_REFRESH_EVERY_MS: i64 = 3600 * 1000;

impl Inner {
    /// The config objects (never held across an await).
    pub(super) fn configs(&self) -> MutexGuard<'_, UserConfigs> {
        self.configs.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Sends local config changes until shutdown.
pub(super) async fn run_pusher(inner: Arc<Inner>) {
    let mut retry = RETRY_FIRST;
    let mut wait = PUSH_DEBOUNCE;
    while nap(&inner, wait, &inner.config_wake).await {
        // Let changes made together go together.
        if !nap(&inner, PUSH_DEBOUNCE, &tokio::sync::Notify::new()).await {
            return;
        }
        match push_once(&inner).await {
            Ok(()) => {
                retry = RETRY_FIRST;
                wait = IDLE_CHECK;
            }
            Err(error) => {
                tracing::debug!(%error, "pushing the account's configs failed; retrying");
                wait = retry;
                retry = retry.saturating_mul(2).min(RETRY_MAX);
            }
        }
    }
}

/// Pushes whatever needs it (nothing to do is fine).
async fn push_once(inner: &Arc<Inner>) -> Result<(), ClientError> {
    let _one_at_a_time = inner.push_lock.lock().await;
    let now = inner.now_ms();
    let worker = Arc::clone(inner);
    let prepared = tokio::task::spawn_blocking(move || {
        let mut configs = worker.configs();
        let mut prepared = configs.prepare_push(worker.keypair.seed32(), now)?;
        if let Some(push) = prepared.as_mut() {
            keep_current(&mut configs, &worker.session_id, push);
        }
        Ok::<_, ClientError>(prepared)
    })
    .await
    .map_err(|_| ClientError::ShutDown)??;
    let Some(push) = prepared else {
        return Ok(());
    };
    tracing::debug!(
        stores = push.stores.len(),
        deletes = push.delete.len(),
        "pushing configs"
    );
    let sent = inner
        .network
        .store_sequence(&inner.keypair, push.stores.clone(), push.delete.clone())
        .await;
    match sent {
        Ok(outcome) => {
            let now = inner.local_now_ms();
            let worker = Arc::clone(inner);
            tokio::task::spawn_blocking(move || {
                // Saved under the configs lock, so no other dump can be saved in between
                // and be overwritten by this older one (or overwrite it).
                let mut configs = worker.configs();
                let dumps = configs.confirm_push(&push, &outcome.hashes);
                worker
                    .store
                    .run_blocking(|s| s.save_config_dumps(&dumps, now))
            })
            .await
            .map_err(|_| ClientError::ShutDown)??;
            Ok(())
        }
        Err(error) => {
            inner.configs().push_failed(push);
            Err(error.into())
        }
    }
}

/// Drops from `push`'s delete every hash that must stay: the current messages, and the ones
/// this push stores (same data, same hash). The merge no longer names the server's copy of
/// our own unconfirmed push obsolete (`ConfigObject::merge`), which once made a sequence store
/// a config and delete it again; this keeps any other path from doing the same.
fn keep_current(configs: &mut UserConfigs, account: &SessionId, push: &mut PreparedPush) {
    let account = AccountPubkey::from(account);
    let mut keep: HashSet<String> = configs.current_hashes().into_iter().collect();
    keep.extend(
        push.stores
            .iter()
            .map(|s| message_hash_for(&account, s.namespace, &s.data)),
    );
    push.delete.retain(|hash| !keep.contains(hash));
}

/// After a local change that touches synced data: saves the changed config's dump and wakes
/// the pusher. `edit` returns the dump when the config changed.
pub(super) async fn after_local_change<F>(inner: &Arc<Inner>, edit: F) -> Result<(), ClientError>
where
    F: FnOnce(
            &mut UserConfigs,
        ) -> Result<Option<(Namespace, Vec<u8>)>, super::configs::ConfigSyncError>
        + Send
        + 'static,
{
    let worker = Arc::clone(inner);
    let now = inner.local_now_ms();
    let changed = tokio::task::spawn_blocking(move || {
        // Edited and saved under the configs lock (see `push_once`).
        let mut configs = worker.configs();
        let Some(dump) = edit(&mut configs)? else {
            return Ok::<_, ClientError>(false);
        };
        worker
            .store
            .run_blocking(|s| s.save_config_dumps(&[dump], now))?;
        Ok(true)
    })
    .await
    .map_err(|_| ClientError::ShutDown)??;
    if changed {
        inner.config_wake.notify_one();
    }
    Ok(())
}

/// After a local change to `peer`'s contact (approved, blocked, nickname): writes it into the
/// Contacts config and wakes the pusher.
pub(super) async fn contact_changed(
    inner: &Arc<Inner>,
    peer: SessionId,
) -> Result<(), ClientError> {
    let contact = inner.store.run(move |s| s.contact(&peer)).await?;
    match contact {
        Some(contact) => after_local_change(inner, move |c| c.put_contact(&contact)).await,
        None => Ok(()),
    }
}

/// The first request of a poll: the inbox after its cursor and every config namespace after
/// theirs (`cursors`: the inbox first), in one `batch`, with the renewal of the current
/// configs' time to live when it is due. The config pages (and, rarely, their further pages)
/// are merged and applied here; the inbox page is returned for the poller.
pub(super) async fn poll_with_configs(
    inner: &Arc<Inner>,
    node: &SnodeInfo,
    cursors: Vec<(Namespace, Option<String>)>,
) -> Result<Result<RetrieveResult, NetError>, ClientError> {
    let local_now = inner.local_now_ms();
    let renewed = inner.config_ttl_renewed_ms.load(Ordering::Relaxed);
    let refresh = if local_now.saturating_sub(renewed) >= TTL_REFRESH_EVERY_MS {
        let hashes = inner.configs().current_hashes();
        let expiry_ms = u64::try_from(inner.now_ms()).unwrap_or(0) + CONFIG_TTL_MS;
        Some(ExpireRefresh { hashes, expiry_ms })
    } else {
        None
    };
    let renewing = refresh.is_some();
    let results = inner
        .network
        .poll_batch(node, &inner.keypair, &cursors, refresh)
        .await?;
    if renewing {
        inner
            .config_ttl_renewed_ms
            .store(local_now, Ordering::Relaxed);
    }
    let mut results = results.into_iter();
    let inbox = results.next().unwrap_or_else(|| {
        Err(NetError::BadResponse(
            "the node answered no inbox retrieve".into(),
        ))
    });
    let mut pages = Vec::new();
    for ((namespace, cursor), result) in cursors.into_iter().skip(1).zip(results) {
        let page = match result {
            Ok(page) => page,
            Err(error) => {
                tracing::debug!(%error, namespace = namespace.get(), "config retrieve failed");
                continue;
            }
        };
        let mut messages = page.messages;
        let mut more = page.more;
        let mut last = messages.last().map(|m| m.hash.clone()).or(cursor);
        for _ in 0..MAX_CONFIG_PAGES {
            if !more {
                break;
            }
            let Ok(next) = inner
                .network
                .retrieve(node, &inner.keypair, namespace, last.clone())
                .await
            else {
                break;
            };
            more = next.more && !next.messages.is_empty();
            if let Some(newest) = next.messages.last() {
                last = Some(newest.hash.clone());
            }
            messages.extend(next.messages);
        }
        pages.push((namespace, messages));
    }
    let seeded = inner.configs().seeded;
    if !seeded || pages.iter().any(|(_, m)| !m.is_empty()) {
        let skipped = absorb_poll(inner, node.ed25519, pages).await?;
        inner.stats.add_configs_skipped(skipped);
    }
    Ok(inbox)
}

/// Merges the config pages of one poll and applies them (with their cursors) in one
/// transaction. Returns how many messages were skipped.
async fn absorb_poll(
    inner: &Arc<Inner>,
    node: [u8; 32],
    pages: Vec<(Namespace, Vec<RetrievedMessage>)>,
) -> Result<usize, ClientError> {
    let worker = Arc::clone(inner);
    let now = inner.now_ms();
    let local_now = inner.local_now_ms();
    let (skipped, changed, push) = tokio::task::spawn_blocking(move || {
        let mut apply = ConfigApply {
            node,
            ..ConfigApply::default()
        };
        let mut configs = worker.configs();
        let mut skipped = 0;
        for (namespace, messages) in &pages {
            if let Some(newest) = messages.last() {
                apply.cursors.push((*namespace, seen(newest)));
            }
            skipped += configs.absorb(
                *namespace,
                messages,
                worker.keypair.seed32(),
                now,
                &mut apply,
            );
        }
        // The configs lock is held while the transaction runs, so a local edit cannot save an
        // older dump over this one.
        let changed = worker
            .store
            .run_blocking(|s| s.apply_configs(&apply, local_now))?;
        if !configs.seeded {
            seed_from_store(&worker, &mut configs)?;
        }
        Ok::<_, ClientError>((skipped, changed, configs.needs_push()))
    })
    .await
    .map_err(|_| ClientError::ShutDown)??;
    if push {
        inner.config_wake.notify_one();
    }
    for conversation in changed {
        inner.emit(Update::ConversationChanged { conversation });
    }
    Ok(skipped)
}

/// First start with config sync: what the database already knows (display name, contacts)
/// goes into the configs, after the swarm's configs were merged so nothing newer is undone.
fn seed_from_store(inner: &Inner, configs: &mut UserConfigs) -> Result<(), ClientError> {
    let (name, contacts) = inner
        .store
        .run_blocking(|s| Ok((s.account()?.and_then(|a| a.display_name), s.all_contacts()?)))?;
    let mut dumps = Vec::new();
    if name.is_some() {
        dumps.extend(configs.set_display_name(name.as_deref())?);
    }
    for contact in contacts.iter().filter(|c| c.session_id != inner.session_id) {
        dumps.extend(configs.put_contact(contact)?);
    }
    // Keep only the newest dump of each config.
    dumps.reverse();
    dumps.dedup_by_key(|(namespace, _)| *namespace);
    let now = inner.local_now_ms();
    inner
        .store
        .run_blocking(|s| s.save_config_dumps(&dumps, now))?;
    configs.seeded = true;
    Ok(())
}

fn seen(message: &RetrievedMessage) -> SeenHash {
    SeenHash {
        hash: message.hash.clone(),
        expires_at_ms: message.expires_at_ms,
    }
}

impl Client {
    /// Every contact, approved or not, blocked or not (names and nicknames included).
    pub async fn all_contacts(&self) -> Result<Vec<Contact>, ClientError> {
        Ok(self.inner().store.run(|s| s.all_contacts()).await?)
    }

    /// Sets or clears our nickname for `peer`; it reaches the account's other devices.
    pub async fn set_nickname(
        &self,
        peer: SessionId,
        nickname: Option<String>,
    ) -> Result<(), ClientError> {
        let inner = self.inner();
        let now = inner.local_now_ms();
        inner
            .store
            .run(move |s| s.set_contact_nickname(&peer, nickname.as_deref(), now))
            .await?;
        contact_changed(inner, peer).await
    }

    /// Polls once (the config namespaces included) and sends local config changes that are
    /// still waiting. Returns how many messages the poll stored.
    pub async fn sync_now(&self) -> Result<usize, ClientError> {
        let stored = self.poll_now().await?;
        push_once(self.inner()).await?;
        Ok(stored)
    }

    /// Sends local config changes that are still waiting (the pusher sends them on its own
    /// shortly after each change; this is for callers about to shut down, such as
    /// `session-cli`). Nothing waiting is fine.
    pub async fn push_configs_now(&self) -> Result<(), ClientError> {
        push_once(self.inner()).await
    }

    /// Contacts in the account's synced contact list (the Contacts config).
    pub fn synced_contact_count(&self) -> usize {
        self.inner().configs().contact_count()
    }
}
