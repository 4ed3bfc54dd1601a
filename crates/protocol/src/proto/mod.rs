//! Session's protobuf messages (proto2, package `SessionProtos`), written by hand as `prost`
//! structs because no `protoc` is needed this way.
//!
//! Field numbers follow `docs/PROTOCOL.md` section 3 and were checked against the upstream
//! `.proto` files each submodule names. Proto2 `optional` fields are `Option`s; `required`
//! fields are plain values (prost does not reject a message that lacks them: it decodes the
//! default, so callers check what matters). Enum fields are `i32` as prost stores them; prost
//! generates typed getters such as `envelope.r#type()`. Unknown fields are skipped on decode, so
//! messages from newer clients still parse.

mod builders;
mod content;
mod data_message;
mod envelope;
mod group_update;
mod legacy;

pub use content::{
    CallMessage, CallMessageType, Content, DataExtractionNotification, DataExtractionType,
    ExpirationType, MessageRequestResponse, ProMessage, ProProof, ReceiptMessage, ReceiptType,
    TypingAction, TypingMessage, UnsendRequest,
};
pub use data_message::{
    AttachmentFlags, AttachmentPointer, DataMessage, DataMessageFlags, LokiProfile,
    OpenGroupInvitation, Preview, Quote, QuotedAttachment, Reaction, ReactionAction,
};
pub use envelope::{
    Envelope, EnvelopeType, WebSocketMessage, WebSocketMessageType, WebSocketRequestMessage,
    WebSocketResponseMessage,
};
pub use group_update::{
    GroupInfoChangeType, GroupMemberChangeType, GroupUpdateDeleteMemberContentMessage,
    GroupUpdateInfoChangeMessage, GroupUpdateInviteMessage, GroupUpdateInviteResponseMessage,
    GroupUpdateMemberChangeMessage, GroupUpdateMemberLeftMessage,
    GroupUpdateMemberLeftNotificationMessage, GroupUpdateMessage, GroupUpdatePromoteMessage,
};
pub use legacy::{
    ClosedGroupControlMessage, ClosedGroupControlType, ConfigurationClosedGroup,
    ConfigurationContact, ConfigurationMessage, KeyPair, KeyPairWrapper, SharedConfigKind,
    SharedConfigMessage,
};
pub use prost::Message;

/// What `Debug` shows for a secret byte field: whether it is there, never its value.
fn redact_bytes(value: &Option<Vec<u8>>) -> &'static str {
    match value {
        Some(_) => "<redacted>",
        None => "None",
    }
}
