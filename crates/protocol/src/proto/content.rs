//! `Content`, the decrypted payload of every message, and its small control messages.
//!
//! Field numbers from session-desktop `protos/SignalService.proto` (2026-04); Pro messages from
//! the same file and libsession-util `proto/SessionProtos.proto`; Content 7/11/14 from the
//! desktop proto before they were reserved (2023-11).

use super::legacy::{ConfigurationMessage, SharedConfigMessage};
use super::{redact_bytes, DataMessage, LokiProfile};

/// How a disappearing message counts down.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ExpirationType {
    /// Not set (the message does not disappear).
    Unknown = 0,
    /// The timer starts when the recipient reads the message.
    DeleteAfterRead = 1,
    /// The timer starts when the message is sent.
    DeleteAfterSend = 2,
}

/// The decrypted payload of a message. Normally exactly one of the message fields is set.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Content {
    /// A visible message (text, attachments, reactions, group updates...).
    #[prost(message, optional, tag = "1")]
    pub data_message: Option<DataMessage>,
    /// Call signalling.
    #[prost(message, optional, tag = "3")]
    pub call_message: Option<CallMessage>,
    /// Read receipts.
    #[prost(message, optional, tag = "5")]
    pub receipt_message: Option<ReceiptMessage>,
    /// Typing indicator.
    #[prost(message, optional, tag = "6")]
    pub typing_message: Option<TypingMessage>,
    /// Legacy multi-device configuration (reserved since 2023; parsed for old data only).
    #[prost(message, optional, tag = "7")]
    pub configuration_message: Option<ConfigurationMessage>,
    /// Screenshot / media-saved notice.
    #[prost(message, optional, tag = "8")]
    pub data_extraction_notification: Option<DataExtractionNotification>,
    /// "Delete this message for everyone".
    #[prost(message, optional, tag = "9")]
    pub unsend_request: Option<UnsendRequest>,
    /// Accepting (or declining) a message request.
    #[prost(message, optional, tag = "10")]
    pub message_request_response: Option<MessageRequestResponse>,
    /// Legacy config wrapper (reserved since 2023; parsed for old data only).
    #[prost(message, optional, tag = "11")]
    pub shared_config_message: Option<SharedConfigMessage>,
    /// An [`ExpirationType`] value.
    #[prost(enumeration = "ExpirationType", optional, tag = "12")]
    pub expiration_type: Option<i32>,
    /// Disappearing-message timer in seconds.
    #[prost(uint32, optional, tag = "13")]
    pub expiration_timer: Option<u32>,
    /// Legacy `lastDisappearingMessageChangeTimestamp` (reserved now).
    #[prost(uint64, optional, tag = "14")]
    pub last_disappearing_message_change_timestamp: Option<u64>,
    /// The sent timestamp (ms) inside the signed payload. The envelope timestamp is not signed,
    /// so the desktop drops one-to-one messages whose envelope timestamp differs from this.
    #[prost(uint64, optional, tag = "15")]
    pub sig_timestamp: Option<u64>,
    /// Session Pro proof and feature bits.
    #[prost(message, optional, tag = "16")]
    pub pro_message: Option<ProMessage>,
    /// Pro signature, only for community messages sent as bare `Content`.
    #[prost(bytes = "vec", optional, tag = "17")]
    pub pro_sig_for_community_message_only: Option<Vec<u8>>,
}

/// Session Pro details attached to a message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProMessage {
    /// The proof the Pro backend issued.
    #[prost(message, optional, tag = "1")]
    pub proof: Option<ProProof>,
    /// Pro features of the sender's profile (bit set).
    #[prost(uint64, optional, tag = "2")]
    pub profile_bitset: Option<u64>,
    /// Pro features this message uses (bit set); `features` in late-2025 protos.
    #[prost(uint64, optional, tag = "3")]
    pub msg_bitset: Option<u64>,
}

/// A Session Pro proof. The desktop (2026-04) and libsession disagree on names and units of some
/// fields; the wire types agree, so both layouts decode into this struct.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ProProof {
    /// Proof format version (desktop); dropped in newer libsession.
    #[prost(uint32, optional, tag = "1")]
    pub version: Option<u32>,
    /// `genIndexHash` (desktop) / `revocationTag` (libsession).
    #[prost(bytes = "vec", optional, tag = "2")]
    pub revocation_tag: Option<Vec<u8>>,
    /// Ed25519 key whose signatures prove Pro.
    #[prost(bytes = "vec", optional, tag = "3")]
    pub rotating_public_key: Option<Vec<u8>>,
    /// Expiry: milliseconds (`expireAtMs`, desktop) or seconds (`expiryUnixTs`, libsession).
    #[prost(uint64, optional, tag = "4")]
    pub expiry: Option<u64>,
    /// The Pro backend's signature over the proof.
    #[prost(bytes = "vec", optional, tag = "5")]
    pub sig: Option<Vec<u8>>,
}

/// Typing started or stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum TypingAction {
    /// The sender started typing.
    Started = 0,
    /// The sender stopped typing.
    Stopped = 1,
}

/// Typing indicator.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TypingMessage {
    /// When the action happened (ms).
    #[prost(uint64, required, tag = "1")]
    pub timestamp: u64,
    /// A [`TypingAction`] value.
    #[prost(enumeration = "TypingAction", required, tag = "2")]
    pub action: i32,
}

/// Kind of receipt.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ReceiptType {
    /// Delivery receipt (old clients only).
    Delivery = 0,
    /// Read receipt.
    Read = 1,
}

/// Receipts for one or more messages, named by their sent timestamps.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReceiptMessage {
    /// A [`ReceiptType`] value.
    #[prost(enumeration = "ReceiptType", required, tag = "1")]
    pub r#type: i32,
    /// Sent timestamps (ms) of the messages this receipt is for.
    #[prost(uint64, repeated, packed = "false", tag = "2")]
    pub timestamp: Vec<u64>,
}

/// Asks the recipient to delete a message the sender sent earlier.
#[derive(Clone, PartialEq, prost::Message)]
pub struct UnsendRequest {
    /// Sent timestamp (ms) of the message to delete.
    #[prost(uint64, required, tag = "1")]
    pub timestamp: u64,
    /// Session id (hex) of that message's author.
    #[prost(string, required, tag = "2")]
    pub author: String,
}

/// Accepting a message request (the desktop only ever sends `is_approved = true`).
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct MessageRequestResponse {
    /// Whether the request was approved.
    #[prost(bool, required, tag = "1")]
    pub is_approved: bool,
    /// The sender's profile-picture key, so the other side can show the avatar.
    #[prost(bytes = "vec", optional, tag = "2")]
    pub profile_key: Option<Vec<u8>>,
    /// The sender's display name and avatar URL.
    #[prost(message, optional, tag = "3")]
    pub profile: Option<LokiProfile>,
}

impl std::fmt::Debug for MessageRequestResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MessageRequestResponse")
            .field("is_approved", &self.is_approved)
            .field("profile_key", &redact_bytes(&self.profile_key))
            .field("profile", &self.profile)
            .finish()
    }
}

/// What the recipient did with the sender's media.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum DataExtractionType {
    /// A screenshot was taken.
    Screenshot = 1,
    /// An attachment was saved.
    MediaSaved = 2,
}

/// Tells the other side that a screenshot was taken or media was saved.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DataExtractionNotification {
    /// A [`DataExtractionType`] value.
    #[prost(enumeration = "DataExtractionType", required, tag = "1")]
    pub r#type: i32,
    /// Sent timestamp (ms) of the saved message, for `MediaSaved`.
    #[prost(uint64, optional, tag = "2")]
    pub timestamp: Option<u64>,
}

/// Call signalling step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum CallMessageType {
    /// Announces a call before the offer.
    PreOffer = 6,
    /// SDP offer.
    Offer = 1,
    /// SDP answer.
    Answer = 2,
    /// Provisional answer.
    ProvisionalAnswer = 3,
    /// Batched ICE candidates.
    IceCandidates = 4,
    /// Hang up.
    EndCall = 5,
}

/// WebRTC call signalling.
#[derive(Clone, PartialEq, prost::Message)]
pub struct CallMessage {
    /// A [`CallMessageType`] value.
    #[prost(enumeration = "CallMessageType", required, tag = "1")]
    pub r#type: i32,
    /// SDP blobs (offer/answer) or ICE candidate strings.
    #[prost(string, repeated, tag = "2")]
    pub sdps: Vec<String>,
    /// ICE candidates' m-line indexes, parallel to `sdps`.
    #[prost(uint32, repeated, packed = "false", tag = "3")]
    pub sdp_m_line_indexes: Vec<u32>,
    /// ICE candidates' mids, parallel to `sdps`.
    #[prost(string, repeated, tag = "4")]
    pub sdp_mids: Vec<String>,
    /// Call id shared by all messages of one call.
    #[prost(string, required, tag = "5")]
    pub uuid: String,
}
