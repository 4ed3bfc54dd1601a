//! Decrypting and classifying retrieved messages. Runs on blocking threads, split across the
//! machine's cores: a backlog of thousands of messages is dominated by the X25519 and Ed25519
//! work of opening each one.

use std::sync::Arc;

use session_protocol::identity::{Keypair, SessionId};
use session_protocol::message::{unwrap_incoming, Incoming, MessageError};
use session_protocol::proto::{ReceiptType, TypingAction};

use crate::store::NewIncoming;

/// Below this many messages a batch is decrypted on one thread (splitting costs more).
pub(super) const MIN_PER_THREAD: usize = 32;

/// Something a retrieved message asks for.
#[derive(Debug, Clone)]
pub(super) enum Item {
    /// A visible text message.
    Text {
        /// The message to store.
        message: NewIncoming,
        /// The display name in the sender's profile, if sent.
        profile_name: Option<String>,
    },
    /// The peer read our messages sent at these times.
    Receipt {
        /// Who read them.
        sender: SessionId,
        /// Sent timestamps of our messages.
        timestamps: Vec<i64>,
    },
    /// The peer started or stopped typing.
    Typing {
        /// Who.
        sender: SessionId,
        /// Started.
        typing: bool,
        /// When (ms).
        timestamp_ms: i64,
    },
    /// The peer answered our message request.
    RequestResponse {
        /// Who.
        sender: SessionId,
        /// Accepted.
        approved: bool,
        /// Their display name, if sent.
        profile_name: Option<String>,
    },
}

/// The result of opening one retrieved message.
#[derive(Debug, Clone)]
pub(super) enum Verdict {
    /// Something to act on.
    Item(Item),
    /// Our own message (e.g. a copy to ourselves); already stored as outgoing.
    Own,
    /// Valid but nothing this client handles (reactions, calls, unsend…).
    Unsupported,
    /// Not a Session message at all.
    Garbage,
    /// Not for us, or the signature does not match the sender.
    Undecryptable,
    /// The sealed content is fine but the visible timestamp was changed.
    Tampered,
}

/// A retrieved message to open: its hash and bytes.
pub(super) struct Sealed {
    pub hash: String,
    pub data: Vec<u8>,
}

/// Opens every message, in order, using up to `threads` blocking threads.
pub(super) async fn open_all(
    keypair: Arc<Keypair>,
    own: SessionId,
    sealed: Vec<Sealed>,
    threads: usize,
) -> Vec<Verdict> {
    let threads = threads.clamp(1, (sealed.len() / MIN_PER_THREAD).max(1));
    let chunk = sealed.len().div_ceil(threads).max(1);
    let mut sealed = sealed;
    let mut parts = Vec::with_capacity(threads);
    while !sealed.is_empty() {
        let rest = sealed.split_off(chunk.min(sealed.len()));
        parts.push(std::mem::replace(&mut sealed, rest));
    }
    let mut handles = Vec::with_capacity(parts.len());
    for part in parts {
        let keypair = Arc::clone(&keypair);
        handles.push(tokio::task::spawn_blocking(move || {
            part.iter()
                .map(|m| open(&keypair, &own, m))
                .collect::<Vec<_>>()
        }));
    }
    let mut verdicts = Vec::new();
    for handle in handles {
        match handle.await {
            Ok(part) => verdicts.extend(part),
            // Only on shutdown; the caller stores nothing for a short answer.
            Err(_) => return Vec::new(),
        }
    }
    verdicts
}

/// Opens every message on the calling thread (blocking code only).
pub(super) fn open_here(keypair: &Keypair, own: &SessionId, sealed: &[Sealed]) -> Vec<Verdict> {
    sealed.iter().map(|m| open(keypair, own, m)).collect()
}

/// Opens and classifies one message.
fn open(keypair: &Keypair, own: &SessionId, sealed: &Sealed) -> Verdict {
    match unwrap_incoming(keypair, &sealed.data) {
        Ok(incoming) => classify(own, incoming, &sealed.hash),
        Err(MessageError::DecryptionFailed(_)) => Verdict::Undecryptable,
        Err(MessageError::TimestampMismatch { .. }) => Verdict::Tampered,
        Err(_) => Verdict::Garbage,
    }
}

fn classify(own: &SessionId, incoming: Incoming, hash: &str) -> Verdict {
    if incoming.sender == *own {
        return Verdict::Own;
    }
    let sender = incoming.sender;
    let Ok(sent_at_ms) = i64::try_from(incoming.envelope_timestamp_ms) else {
        return Verdict::Garbage;
    };
    let content = incoming.content;
    if let Some(data) = content.data_message {
        let profile_name = data.profile.and_then(|p| p.display_name);
        return match data.body.filter(|b| !b.trim().is_empty()) {
            Some(body) => Verdict::Item(Item::Text {
                message: NewIncoming {
                    sender,
                    body,
                    sent_at_ms,
                    server_hash: hash.to_owned(),
                },
                profile_name,
            }),
            None => Verdict::Unsupported,
        };
    }
    if let Some(receipt) = content.receipt_message {
        if receipt.r#type != i32::from(ReceiptType::Read) {
            return Verdict::Unsupported;
        }
        let timestamps = receipt
            .timestamp
            .iter()
            .filter_map(|t| i64::try_from(*t).ok())
            .collect();
        return Verdict::Item(Item::Receipt { sender, timestamps });
    }
    if let Some(typing) = content.typing_message {
        return Verdict::Item(Item::Typing {
            sender,
            typing: typing.action == i32::from(TypingAction::Started),
            timestamp_ms: i64::try_from(typing.timestamp).unwrap_or(sent_at_ms),
        });
    }
    if let Some(response) = content.message_request_response {
        return Verdict::Item(Item::RequestResponse {
            sender,
            approved: response.is_approved,
            profile_name: response.profile.and_then(|p| p.display_name),
        });
    }
    Verdict::Unsupported
}
