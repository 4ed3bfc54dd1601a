//! What the client reports to the UI.

use crate::net::NetworkStatus;
use crate::store::{ConversationId, Message, MessageId, MessageStatus};

/// An event for the UI. Subscribe with [`Client::updates`](super::Client::updates); a receiver
/// that falls behind gets `Lagged` and should reload what it shows from the store.
#[derive(Clone, Debug)]
pub enum Update {
    /// A message was stored: incoming, or an own outgoing one just queued.
    MessageAdded {
        /// Its conversation.
        conversation: ConversationId,
        /// The message.
        message: Message,
    },
    /// An outgoing message's delivery state changed.
    MessageStatus {
        /// Its conversation.
        conversation: ConversationId,
        /// The message.
        message: MessageId,
        /// The new state.
        status: MessageStatus,
    },
    /// The peer read an outgoing message (read receipt).
    MessageRead {
        /// Its conversation.
        conversation: ConversationId,
        /// The message.
        message: MessageId,
    },
    /// A message was deleted.
    MessageDeleted {
        /// Its conversation.
        conversation: ConversationId,
        /// The message.
        message: MessageId,
    },
    /// The conversation's list entry changed (order, unread count, draft, accepted, removed).
    ConversationChanged {
        /// The conversation.
        conversation: ConversationId,
    },
    /// A new message request arrived (or an existing one got a new message).
    RequestArrived {
        /// The request's conversation.
        conversation: ConversationId,
    },
    /// The peer started or stopped typing.
    Typing {
        /// The conversation.
        conversation: ConversationId,
        /// Typing now.
        typing: bool,
    },
    /// The network's state changed (paths, pool, online).
    Network(NetworkStatus),
    /// Something the user should know, e.g. "cannot reach the network".
    Problem(String),
}
