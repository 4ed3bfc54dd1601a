//! Constructors for the `Content` messages the client sends, so later layers need not know
//! which nested fields each one uses.

use super::{
    Content, DataExtractionNotification, DataExtractionType, DataMessage, ExpirationType,
    LokiProfile, MessageRequestResponse, Reaction, ReactionAction, ReceiptMessage, ReceiptType,
    TypingAction, TypingMessage, UnsendRequest,
};

impl LokiProfile {
    /// A profile that carries only a display name.
    pub fn named(display_name: &str) -> Self {
        Self {
            display_name: Some(display_name.to_owned()),
            ..Self::default()
        }
    }
}

impl Content {
    /// Wraps a data message.
    pub fn data(data_message: DataMessage) -> Self {
        Self {
            data_message: Some(data_message),
            ..Self::default()
        }
    }

    /// A plain text message, optionally announcing the sender's profile.
    pub fn text(body: &str, profile: Option<LokiProfile>) -> Self {
        Self::data(DataMessage {
            body: Some(body.to_owned()),
            profile,
            ..DataMessage::default()
        })
    }

    /// Adds or removes an emoji reaction on the message sent at `message_timestamp_ms` by
    /// `author` (hex session id).
    pub fn reaction(message_timestamp_ms: u64, author: &str, emoji: &str, remove: bool) -> Self {
        let action = if remove {
            ReactionAction::Remove
        } else {
            ReactionAction::React
        };
        Self::data(DataMessage {
            reaction: Some(Reaction {
                id: message_timestamp_ms,
                author: author.to_owned(),
                emoji: Some(emoji.to_owned()),
                action: action.into(),
            }),
            ..DataMessage::default()
        })
    }

    /// Read receipt for the messages with these sent timestamps (ms).
    pub fn read_receipt(message_timestamps_ms: &[u64]) -> Self {
        Self {
            receipt_message: Some(ReceiptMessage {
                r#type: ReceiptType::Read.into(),
                timestamp: message_timestamps_ms.to_vec(),
            }),
            ..Self::default()
        }
    }

    /// Typing started (`true`) or stopped (`false`) at `timestamp_ms`.
    pub fn typing(started: bool, timestamp_ms: u64) -> Self {
        let action = if started {
            TypingAction::Started
        } else {
            TypingAction::Stopped
        };
        Self {
            typing_message: Some(TypingMessage {
                timestamp: timestamp_ms,
                action: action.into(),
            }),
            ..Self::default()
        }
    }

    /// Answer to a message request, optionally with the sender's profile.
    pub fn message_request_response(approved: bool, profile: Option<LokiProfile>) -> Self {
        Self {
            message_request_response: Some(MessageRequestResponse {
                is_approved: approved,
                profile_key: None,
                profile,
            }),
            ..Self::default()
        }
    }

    /// Asks the recipient to delete the message sent at `message_timestamp_ms` by `author`
    /// (hex session id, normally the sender's own).
    pub fn unsend(message_timestamp_ms: u64, author: &str) -> Self {
        Self {
            unsend_request: Some(UnsendRequest {
                timestamp: message_timestamp_ms,
                author: author.to_owned(),
            }),
            ..Self::default()
        }
    }

    /// Screenshot / media-saved notice; `message_timestamp_ms` names the saved message.
    pub fn data_extraction(kind: DataExtractionType, message_timestamp_ms: Option<u64>) -> Self {
        Self {
            data_extraction_notification: Some(DataExtractionNotification {
                r#type: kind.into(),
                timestamp: message_timestamp_ms,
            }),
            ..Self::default()
        }
    }

    /// Marks the message as disappearing `seconds` after it is read or sent.
    #[must_use]
    pub fn disappearing(mut self, kind: ExpirationType, seconds: u32) -> Self {
        self.expiration_type = Some(kind.into());
        self.expiration_timer = Some(seconds);
        self
    }

    /// Whether any message field is set. A `Content` with only timers or timestamps carries
    /// nothing to act on.
    pub fn has_payload(&self) -> bool {
        self.data_message.is_some()
            || self.call_message.is_some()
            || self.receipt_message.is_some()
            || self.typing_message.is_some()
            || self.configuration_message.is_some()
            || self.data_extraction_notification.is_some()
            || self.unsend_request.is_some()
            || self.message_request_response.is_some()
            || self.shared_config_message.is_some()
    }
}
