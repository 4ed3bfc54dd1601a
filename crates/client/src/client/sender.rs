//! The send worker: drains the persisted send queue.
//!
//! Each due entry is encrypted once; the encrypted data is saved with the entry before the
//! first attempt, so every retry (also after a crash or restart) stores identical bytes under
//! the same server hash and the recipient never sees a duplicate.

use std::sync::Arc;
use std::time::Duration;

use session_protocol::identity::{Keypair, SessionId};
use session_protocol::message::wrap_for_store_prepared;
use session_protocol::proto::{Content, LokiProfile};
use session_protocol::rpc::Namespace;
use tokio::sync::OwnedSemaphorePermit;
use tokio::task::JoinSet;
use x25519_dalek::PublicKey;

use super::{nap, ClientError, Inner, Update, MESSAGE_TTL_MS};
use crate::net::prepared_keys::PreparedKeys;
use crate::net::StoreRequest;
use crate::store::{MessageStatus, QueuedSend, RetryPolicy, SendFailure};

/// Entries claimed (and sent concurrently) per round.
const CLAIM_BATCH: u32 = 8;
/// First attempts started by `send_text` itself that may run at once; further messages wait
/// for the worker, which sends them `CLAIM_BATCH` at a time.
pub(super) const FIRST_ATTEMPTS: usize = CLAIM_BATCH as usize;
/// Longest sleep when nothing is due (a safety net: a wake-up is normally notified).
const MAX_IDLE: Duration = Duration::from_secs(60);

/// Runs until shutdown.
pub(super) async fn run(inner: Arc<Inner>) {
    while !inner.is_stopping() {
        let wait = match round(&inner).await {
            Ok(Round::Sent) => continue,
            Ok(Round::Idle { next_due_ms }) => wait_until(&inner, next_due_ms),
            Err(error) => {
                tracing::warn!(%error, "the send queue could not be read");
                let due = inner.store.run(|s| s.next_send_due_at()).await;
                match due {
                    Ok(next_due_ms) => wait_until(&inner, next_due_ms),
                    Err(_) => Duration::from_secs(5),
                }
            }
        };
        if !nap(&inner, wait, &inner.send_wake).await {
            return;
        }
    }
}

/// How long to sleep until the next entry is due (`None`: nothing waits).
fn wait_until(inner: &Inner, next_due_ms: Option<i64>) -> Duration {
    match next_due_ms {
        Some(at) => {
            let ms = at.saturating_sub(inner.local_now_ms()).max(0);
            Duration::from_millis(u64::try_from(ms).unwrap_or(0)).min(MAX_IDLE)
        }
        None => MAX_IDLE,
    }
}

/// What a round did.
enum Round {
    /// Entries were claimed and attempted.
    Sent,
    /// Nothing was due; the next entry is due then (`None`: the queue is empty).
    Idle { next_due_ms: Option<i64> },
}

/// Claims, encrypts and sends one batch of due entries. Claiming, encrypting and saving the
/// encrypted data happen in one database call (one transaction), so each batch costs one
/// hand-off to a blocking thread before the network and one per entry after it.
async fn round(inner: &Arc<Inner>) -> Result<Round, ClientError> {
    let now = inner.local_now_ms();
    let policy = inner.retry;
    let keypair = Arc::clone(&inner.keypair);
    let contact_keys = Arc::clone(&inner.contact_keys);
    let (due, profile_name, next_due_ms) = inner
        .store
        .run(move |s| {
            let profile_name = s.account()?.and_then(|a| a.display_name);
            let due = s.claim_and_prepare_sends(now, CLAIM_BATCH, &policy, |entry| {
                encrypt(
                    &keypair,
                    &contact_keys,
                    &entry.peer,
                    &entry.body,
                    entry.sent_at_ms,
                    profile_name.as_deref(),
                )
                .ok()
            })?;
            let next_due_ms = if due.is_empty() {
                s.next_send_due_at()?
            } else {
                None
            };
            Ok((due, profile_name, next_due_ms))
        })
        .await?;
    if due.is_empty() {
        return Ok(Round::Idle { next_due_ms });
    }
    let mut attempts = JoinSet::new();
    for entry in due {
        inner.emit(Update::MessageStatus {
            conversation: entry.conversation_id,
            message: entry.message_id,
            status: MessageStatus::Sending,
        });
        let inner = Arc::clone(inner);
        let profile_name = profile_name.clone();
        attempts.spawn(async move { send_one(&inner, entry, profile_name).await });
    }
    while let Some(joined) = attempts.join_next().await {
        if let Ok(Err(error)) = joined {
            tracing::warn!(%error, "recording a send attempt failed");
        }
    }
    Ok(Round::Sent)
}

/// The encrypted, base64 data to store for a text to `peer` sent at `sent_at_ms`; the peer's
/// key is sealed to through `contact_keys` (a table once the contact is written to often).
pub(super) fn encrypt(
    keypair: &Keypair,
    contact_keys: &PreparedKeys,
    peer: &SessionId,
    body: &str,
    sent_at_ms: i64,
    profile_name: Option<&str>,
) -> Result<String, ClientError> {
    let sent_at = u64::try_from(sent_at_ms)
        .map_err(|_| ClientError::Encrypt("the message has a negative sent time".to_owned()))?;
    let content = Content::text(body, profile_name.map(LokiProfile::named));
    wrap_for_contact(keypair, contact_keys, peer, &content, sent_at)
}

/// `content` sealed to `peer` and wrapped as a store's base64 data, through the contact's key
/// table when it has earned one (see [`PreparedKeys`]).
pub(super) fn wrap_for_contact(
    keypair: &Keypair,
    contact_keys: &PreparedKeys,
    peer: &SessionId,
    content: &Content,
    sent_at: u64,
) -> Result<String, ClientError> {
    let prepared = contact_keys.get(&PublicKey::from(peer.x25519_public()));
    wrap_for_store_prepared(keypair, peer, prepared.as_deref(), content, sent_at)
        .map_err(|e| ClientError::Encrypt(e.to_string()))
}

/// Starts the first attempt of a message that was queued already claimed (see
/// [`crate::store::Store::queue_outgoing_encrypted`]), without waiting for the worker's next
/// round. Shutdown abandons the attempt at its next await point; the lease (or the release at
/// the next start) makes the entry due again.
pub(super) fn start_first_attempt(
    inner: &Arc<Inner>,
    entry: QueuedSend,
    profile_name: Option<String>,
    permit: OwnedSemaphorePermit,
) {
    let inner = Arc::clone(inner);
    tokio::spawn(async move {
        let _permit = permit;
        let mut stopping = inner.stopping.subscribe();
        tokio::select! {
            done = send_one(&inner, entry, profile_name) => {
                if let Err(error) = done {
                    tracing::warn!(%error, "recording a send attempt failed");
                }
            }
            _ = stopping.wait_for(|s| *s) => {}
        }
    });
}

/// One attempt for one entry, recorded in the store and reported.
async fn send_one(
    inner: &Arc<Inner>,
    entry: QueuedSend,
    profile_name: Option<String>,
) -> Result<(), ClientError> {
    let id = entry.message_id;
    let outcome = attempt(inner, &entry, profile_name).await;
    let now = inner.local_now_ms();
    let status = match outcome {
        Ok(hash) => {
            inner
                .store
                .run(move |s| s.mark_send_succeeded(id, &hash))
                .await?;
            MessageStatus::Sent
        }
        Err(error) => {
            tracing::debug!(%error, attempt = entry.attempt, "send attempt failed");
            // Errors that cannot heal by waiting give up at once.
            let policy = match &error {
                ClientError::Network(e) if e.is_retryable() => inner.retry,
                _ => RetryPolicy {
                    max_attempts: 0,
                    ..inner.retry
                },
            };
            let text = error.to_string();
            let failure = inner
                .store
                .run(move |s| s.mark_send_failed(id, &text, now, &policy))
                .await?;
            match failure {
                SendFailure::RetryAt { .. } => MessageStatus::Queued,
                SendFailure::GaveUp => {
                    inner.emit(Update::Problem(format!(
                        "a message could not be sent: {error}"
                    )));
                    MessageStatus::Failed
                }
            }
        }
    };
    inner.emit(Update::MessageStatus {
        conversation: entry.conversation_id,
        message: id,
        status,
    });
    Ok(())
}

/// Encrypts (or reuses the saved encryption of) the message and stores it on the recipient's
/// swarm; the server hash on success.
async fn attempt(
    inner: &Arc<Inner>,
    entry: &QueuedSend,
    profile_name: Option<String>,
) -> Result<String, ClientError> {
    let data_b64 = match &entry.payload {
        Some(payload) => payload.clone(),
        None => {
            // Encrypting at claim time failed (or this entry was claimed without it): try
            // once more here, so the error is recorded like any other failed attempt.
            let keypair = Arc::clone(&inner.keypair);
            let contact_keys = Arc::clone(&inner.contact_keys);
            let queued = entry.clone();
            let payload = tokio::task::spawn_blocking(move || {
                encrypt(
                    &keypair,
                    &contact_keys,
                    &queued.peer,
                    &queued.body,
                    queued.sent_at_ms,
                    profile_name.as_deref(),
                )
            })
            .await
            .map_err(|_| ClientError::ShutDown)??;
            let id = entry.message_id;
            let saved = payload.clone();
            inner
                .store
                .run(move |s| s.set_send_payload(id, &saved))
                .await?;
            payload
        }
    };
    let request = StoreRequest {
        recipient: entry.peer,
        namespace: Namespace::DEFAULT,
        data_b64,
        ttl_ms: MESSAGE_TTL_MS,
        timestamp_ms: entry.sent_at_ms,
        signer: None,
    };
    match inner.network.store(request).await {
        Ok(ack) => Ok(ack.hash),
        Err(error) => Err(ClientError::Network(error)),
    }
}
