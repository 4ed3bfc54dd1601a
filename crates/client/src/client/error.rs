//! Errors of the client API.

use std::time::Duration;

use crate::account::AccountError;
use crate::net::NetError;
use crate::store::{ConversationId, MessageId, StoreError};

/// Longest text message accepted, in characters (Session's limit for accounts without Pro).
pub const MAX_TEXT_CHARS: usize = 2_000;

/// Errors from [`Client`](super::Client) calls.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// Opening the account's files failed.
    #[error(transparent)]
    Account(#[from] AccountError),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The network failed.
    #[error(transparent)]
    Network(#[from] NetError),
    /// The account's synced settings (config messages) could not be changed or prepared.
    #[error(transparent)]
    ConfigSync(#[from] super::configs::ConfigSyncError),
    /// A message could not be encrypted.
    #[error("the message could not be encrypted: {0}")]
    Encrypt(String),
    /// The text is empty (or only spaces).
    #[error("the message is empty; type some text to send")]
    EmptyMessage,
    /// The text is longer than Session accepts.
    #[error("the message has {found} characters; Session allows at most {MAX_TEXT_CHARS}")]
    MessageTooLong {
        /// Characters in the text.
        found: usize,
    },
    /// No message with this id.
    #[error("there is no message with id {0}")]
    UnknownMessage(MessageId),
    /// No conversation with this id.
    #[error("there is no conversation with id {0}")]
    UnknownConversation(ConversationId),
    /// The conversation is not a message request.
    #[error("conversation {0} is not a message request")]
    NotARequest(ConversationId),
    /// Waiting for a send took too long; the message stays queued and is sent later.
    #[error(
        "the message was not confirmed by the network within {} s; it stays queued and will be \
         sent when the network is reachable",
        .0.as_secs()
    )]
    SendTimeout(Duration),
    /// The client was shut down.
    #[error("the client has shut down")]
    ShutDown,
}
