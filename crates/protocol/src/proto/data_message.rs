//! `DataMessage`, the visible-message part of `Content`, and the types it embeds.
//!
//! Field numbers from session-desktop `protos/SignalService.proto` (2026-04); the legacy fields
//! (`timestamp` 7, `closedGroupControlMessage` 104, quote text/attachments) from libsession-util
//! `proto/SessionProtos.proto` and the desktop proto before 2025-03.

use super::legacy::ClosedGroupControlMessage;
use super::{redact_bytes, GroupUpdateMessage};

/// Bits of [`DataMessage::flags`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DataMessageFlags {
    /// The message announces a change of the disappearing-messages timer.
    ExpirationTimerUpdate = 2,
}

/// A visible message, or a control message that shows in the conversation.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct DataMessage {
    /// The message text.
    #[prost(string, optional, tag = "1")]
    pub body: Option<String>,
    /// Attachments (files on the file server).
    #[prost(message, repeated, tag = "2")]
    pub attachments: Vec<AttachmentPointer>,
    /// [`DataMessageFlags`] bits.
    #[prost(uint32, optional, tag = "4")]
    pub flags: Option<u32>,
    /// The sender's profile-picture key.
    #[prost(bytes = "vec", optional, tag = "6")]
    pub profile_key: Option<Vec<u8>>,
    /// Old clients' copy of the sent timestamp (reserved now).
    #[prost(uint64, optional, tag = "7")]
    pub timestamp: Option<u64>,
    /// The message this one replies to.
    #[prost(message, optional, tag = "8")]
    pub quote: Option<Quote>,
    /// Link previews.
    #[prost(message, repeated, tag = "10")]
    pub preview: Vec<Preview>,
    /// An emoji reaction to another message.
    #[prost(message, optional, tag = "11")]
    pub reaction: Option<Reaction>,
    /// The sender's display name and avatar URL.
    #[prost(message, optional, tag = "101")]
    pub profile: Option<LokiProfile>,
    /// An invitation to a community (`communityInvitation` in 2026 protos).
    #[prost(message, optional, tag = "102")]
    pub open_group_invitation: Option<OpenGroupInvitation>,
    /// Legacy closed-group control (reserved in 2025 desktop protos).
    #[prost(message, optional, tag = "104")]
    pub closed_group_control_message: Option<ClosedGroupControlMessage>,
    /// For a copy sent to the sender's own account: the conversation it belongs to.
    #[prost(string, optional, tag = "105")]
    pub sync_target: Option<String>,
    /// Whether the sender refuses message requests from community members.
    #[prost(bool, optional, tag = "106")]
    pub blocks_community_message_requests: Option<bool>,
    /// Groups v2 control message.
    #[prost(message, optional, tag = "120")]
    pub group_update_message: Option<GroupUpdateMessage>,
}

impl std::fmt::Debug for DataMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataMessage")
            .field("body", &self.body)
            .field("attachments", &self.attachments)
            .field("flags", &self.flags)
            .field("profile_key", &redact_bytes(&self.profile_key))
            .field("timestamp", &self.timestamp)
            .field("quote", &self.quote)
            .field("preview", &self.preview)
            .field("reaction", &self.reaction)
            .field("profile", &self.profile)
            .field("open_group_invitation", &self.open_group_invitation)
            .field(
                "closed_group_control_message",
                &self.closed_group_control_message,
            )
            .field("sync_target", &self.sync_target)
            .field(
                "blocks_community_message_requests",
                &self.blocks_community_message_requests,
            )
            .field("group_update_message", &self.group_update_message)
            .finish()
    }
}

/// A reply's reference to the quoted message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Quote {
    /// Sent timestamp (ms) of the quoted message.
    #[prost(uint64, required, tag = "1")]
    pub id: u64,
    /// Session id (hex) of the quoted message's author.
    #[prost(string, required, tag = "2")]
    pub author: String,
    /// Old clients: a copy of the quoted text (reserved now).
    #[prost(string, optional, tag = "3")]
    pub text: Option<String>,
    /// Old clients: descriptions of the quoted attachments (reserved now).
    #[prost(message, repeated, tag = "4")]
    pub attachments: Vec<QuotedAttachment>,
}

/// Old clients' description of an attachment in a quoted message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct QuotedAttachment {
    /// MIME type.
    #[prost(string, optional, tag = "1")]
    pub content_type: Option<String>,
    /// File name.
    #[prost(string, optional, tag = "2")]
    pub file_name: Option<String>,
    /// Thumbnail.
    #[prost(message, optional, tag = "3")]
    pub thumbnail: Option<AttachmentPointer>,
    /// [`AttachmentFlags`] bits.
    #[prost(uint32, optional, tag = "4")]
    pub flags: Option<u32>,
}

/// A link preview.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Preview {
    /// The previewed URL.
    #[prost(string, required, tag = "1")]
    pub url: String,
    /// Page title.
    #[prost(string, optional, tag = "2")]
    pub title: Option<String>,
    /// Preview image.
    #[prost(message, optional, tag = "3")]
    pub image: Option<AttachmentPointer>,
}

/// Add or remove a reaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ReactionAction {
    /// Add the emoji.
    React = 0,
    /// Remove the emoji.
    Remove = 1,
}

/// An emoji reaction.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Reaction {
    /// Sent timestamp (ms) of the message reacted to.
    #[prost(uint64, required, tag = "1")]
    pub id: u64,
    /// Session id (hex) of that message's author.
    #[prost(string, required, tag = "2")]
    pub author: String,
    /// The emoji.
    #[prost(string, optional, tag = "3")]
    pub emoji: Option<String>,
    /// A [`ReactionAction`] value.
    #[prost(enumeration = "ReactionAction", required, tag = "4")]
    pub action: i32,
}

/// Display name and avatar, sent along with messages.
#[derive(Clone, PartialEq, prost::Message)]
pub struct LokiProfile {
    /// Display name.
    #[prost(string, optional, tag = "1")]
    pub display_name: Option<String>,
    /// Avatar URL on the file server (the key travels in `profile_key`).
    #[prost(string, optional, tag = "2")]
    pub profile_picture: Option<String>,
    /// When the profile last changed, in **seconds** (desktop switched from ms in 2025-09).
    #[prost(uint64, optional, tag = "3")]
    pub last_profile_update_seconds: Option<u64>,
}

/// An invitation to join a community.
#[derive(Clone, PartialEq, prost::Message)]
pub struct OpenGroupInvitation {
    /// Full community URL including `?public_key=`.
    #[prost(string, required, tag = "1")]
    pub url: String,
    /// Community name. Tag 3, not 2: tag 2 was an old channel id.
    #[prost(string, required, tag = "3")]
    pub name: String,
}

/// Bits of [`AttachmentPointer::flags`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum AttachmentFlags {
    /// A recorded voice message.
    VoiceMessage = 1,
}

/// Where an encrypted attachment lives and how to decrypt it.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct AttachmentPointer {
    /// File-server id (`deprecated_id` now: the id is taken from `url`).
    #[prost(fixed64, required, tag = "1")]
    pub id: u64,
    /// MIME type.
    #[prost(string, optional, tag = "2")]
    pub content_type: Option<String>,
    /// Decryption key (64 bytes classic AES+HMAC, or 32 bytes for the new scheme).
    #[prost(bytes = "vec", optional, tag = "3")]
    pub key: Option<Vec<u8>>,
    /// Plaintext size in bytes.
    #[prost(uint32, optional, tag = "4")]
    pub size: Option<u32>,
    /// Old clients' inline thumbnail (reserved now).
    #[prost(bytes = "vec", optional, tag = "5")]
    pub thumbnail: Option<Vec<u8>>,
    /// SHA-256 of the encrypted blob.
    #[prost(bytes = "vec", optional, tag = "6")]
    pub digest: Option<Vec<u8>>,
    /// Original file name.
    #[prost(string, optional, tag = "7")]
    pub file_name: Option<String>,
    /// [`AttachmentFlags`] bits.
    #[prost(uint32, optional, tag = "8")]
    pub flags: Option<u32>,
    /// Image width in pixels.
    #[prost(uint32, optional, tag = "9")]
    pub width: Option<u32>,
    /// Image height in pixels.
    #[prost(uint32, optional, tag = "10")]
    pub height: Option<u32>,
    /// Caption.
    #[prost(string, optional, tag = "11")]
    pub caption: Option<String>,
    /// Download URL; new clients append `#p=<server ed25519 pk hex>` and `&d=` (deterministic
    /// encryption) as a fragment.
    #[prost(string, optional, tag = "101")]
    pub url: Option<String>,
}

impl std::fmt::Debug for AttachmentPointer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttachmentPointer")
            .field("id", &self.id)
            .field("content_type", &self.content_type)
            .field("key", &redact_bytes(&self.key))
            .field("size", &self.size)
            .field("thumbnail_len", &self.thumbnail.as_ref().map(Vec::len))
            .field("digest", &self.digest.as_ref().map(hex::encode))
            .field("file_name", &self.file_name)
            .field("flags", &self.flags)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("caption", &self.caption)
            .field("url", &self.url)
            .finish()
    }
}
