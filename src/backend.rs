//! The client types the app uses, in one place.

pub use session_client::client::{Client, ClientConfig, ClientError, PollStats, Update};
pub use session_client::protocol::identity::SessionId;
pub use session_client::store::{
    Conversation, ConversationId, ConversationListItem, Direction, Message as ChatMessage,
    MessageId, MessagePage, MessageStatus, NotificationContent, PageCursor, SearchHit, Settings,
    HIGHLIGHT_END, HIGHLIGHT_START,
};
pub use session_client::{NetworkStatus, PathInfo, PathState, SnodeInfo};

/// A client error as text the user can act on (messages carry text, so they stay `Clone`).
pub fn describe(error: &ClientError) -> String {
    error.to_string()
}
