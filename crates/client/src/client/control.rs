//! Control messages that are not shown as messages and not queued: read receipts, typing
//! indicators and message-request responses. Sent in the background, retried a few times, then
//! dropped (each one only matters for a short while, or is repeated by the next action).

use std::sync::Arc;
use std::time::Duration;

use session_protocol::identity::SessionId;
use session_protocol::proto::{Content, LokiProfile};
use session_protocol::rpc::Namespace;

use super::{ClientError, Inner, MESSAGE_TTL_MS};
use crate::net::StoreRequest;

/// Lifetime of a typing indicator on the swarm: a stale one is useless.
const TYPING_TTL_MS: i64 = 20_000;
/// Attempts before a control message is dropped.
const ATTEMPTS: u32 = 3;

/// A control message to one peer.
#[derive(Debug, Clone)]
pub(super) enum Control {
    /// "I read your messages sent at these times."
    ReadReceipt {
        /// Sent timestamps of the messages read.
        timestamps: Vec<u64>,
    },
    /// Typing started or stopped.
    Typing {
        /// Started.
        typing: bool,
    },
    /// "I accepted your message request."
    RequestResponse {
        /// Our display name, so they can show it.
        profile_name: Option<String>,
    },
}

impl Control {
    fn content(&self, timestamp_ms: u64) -> Content {
        match self {
            Control::ReadReceipt { timestamps } => Content::read_receipt(timestamps),
            Control::Typing { typing } => Content::typing(*typing, timestamp_ms),
            Control::RequestResponse { profile_name } => Content::message_request_response(
                true,
                profile_name.as_deref().map(LokiProfile::named),
            ),
        }
    }

    fn ttl_ms(&self) -> i64 {
        match self {
            Control::Typing { .. } => TYPING_TTL_MS,
            Control::ReadReceipt { .. } | Control::RequestResponse { .. } => MESSAGE_TTL_MS,
        }
    }
}

/// Sends `control` to `peer` on a background task.
pub(super) fn send_in_background(inner: &Arc<Inner>, peer: SessionId, control: Control) {
    let inner = Arc::clone(inner);
    tokio::spawn(async move {
        if let Err(error) = send(&inner, peer, &control).await {
            tracing::debug!(%error, "a control message could not be sent");
        }
    });
}

/// Encrypts and stores a control message, retrying retryable network failures.
pub(super) async fn send(
    inner: &Arc<Inner>,
    peer: SessionId,
    control: &Control,
) -> Result<(), ClientError> {
    let timestamp = inner.next_sent_timestamp();
    let timestamp_u64 = u64::try_from(timestamp).unwrap_or_default();
    let content = control.content(timestamp_u64);
    let keypair = Arc::clone(&inner.keypair);
    let contact_keys = Arc::clone(&inner.contact_keys);
    let data_b64 = tokio::task::spawn_blocking(move || {
        super::sender::wrap_for_contact(&keypair, &contact_keys, &peer, &content, timestamp_u64)
    })
    .await
    .map_err(|_| ClientError::ShutDown)??;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let request = StoreRequest {
            recipient: peer,
            namespace: Namespace::DEFAULT,
            data_b64: data_b64.clone(),
            ttl_ms: control.ttl_ms(),
            timestamp_ms: timestamp,
            signer: None,
        };
        match inner.network.store(request).await {
            Ok(_) => return Ok(()),
            Err(error) if error.is_retryable() && attempt < ATTEMPTS && !inner.is_stopping() => {
                tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
            }
            Err(error) => return Err(error.into()),
        }
    }
}
