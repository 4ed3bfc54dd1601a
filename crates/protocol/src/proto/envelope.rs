//! The outer layers of a one-to-one message: the `Envelope` and the WebSocket wrapper around it.
//!
//! Field numbers confirmed against session-desktop `protos/SignalService.proto` (2026-04) and
//! libsession-util `proto/SessionProtos.proto` / `proto/WebSocketResources.proto`.

/// What an [`Envelope`] carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum EnvelopeType {
    /// A one-to-one (or note-to-self) message sealed to the recipient's X25519 key.
    SessionMessage = 6,
    /// A legacy closed-group message sealed to the group's X25519 key; `source` is the group id.
    ClosedGroupMessage = 7,
}

/// The envelope around an encrypted `Content`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Envelope {
    /// An [`EnvelopeType`] value.
    #[prost(enumeration = "EnvelopeType", required, tag = "1")]
    pub r#type: i32,
    /// Empty for one-to-one messages (the sender is inside the sealed box); the group id for
    /// legacy closed groups.
    #[prost(string, optional, tag = "2")]
    pub source: Option<String>,
    /// Sent time in milliseconds since the Unix epoch, as the sender claims it.
    #[prost(uint64, required, tag = "5")]
    pub timestamp: u64,
    /// Reserved in the 2026 desktop proto, but libsession still sets it to 1 when it builds an
    /// envelope (`encode_for_destination`), so current clients put it on the wire.
    #[prost(uint32, optional, tag = "7")]
    pub source_device: Option<u32>,
    /// The sealed `Content` (one-to-one) or the group ciphertext.
    #[prost(bytes = "vec", optional, tag = "8")]
    pub content: Option<Vec<u8>>,
    /// Old clients only; reserved now.
    #[prost(uint64, optional, tag = "10")]
    pub server_timestamp: Option<u64>,
    /// Session Pro signature over `content` (64 bytes). Libsession attaches a random, unverifiable
    /// decoy when the sender has no Pro key, so Pro and non-Pro envelopes look alike.
    #[prost(bytes = "vec", optional, tag = "11")]
    pub pro_sig: Option<Vec<u8>>,
}

/// What a [`WebSocketMessage`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum WebSocketMessageType {
    /// Neither a request nor a response.
    Unknown = 0,
    /// `request` is set; this is how every stored message arrives.
    Request = 1,
    /// `response` is set (old servers only).
    Response = 2,
}

/// The Signal-era WebSocket frame that still wraps every one-to-one envelope in storage.
#[derive(Clone, PartialEq, prost::Message)]
pub struct WebSocketMessage {
    /// A [`WebSocketMessageType`] value.
    #[prost(enumeration = "WebSocketMessageType", optional, tag = "1")]
    pub r#type: Option<i32>,
    /// The request, whose body is the envelope.
    #[prost(message, optional, tag = "2")]
    pub request: Option<WebSocketRequestMessage>,
    /// Only in libsession's copy of `WebSocketResources.proto`; nothing sends it any more.
    #[prost(message, optional, tag = "3")]
    pub response: Option<WebSocketResponseMessage>,
}

/// A request frame; `body` holds the serialized [`Envelope`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct WebSocketRequestMessage {
    /// `PUT` in the desktop's old sender; libsession now sends an empty string. Receivers ignore it.
    #[prost(string, optional, tag = "1")]
    pub verb: Option<String>,
    /// `/api/v1/message` in the desktop's old sender; empty from libsession. Ignored on receipt.
    #[prost(string, optional, tag = "2")]
    pub path: Option<String>,
    /// The serialized envelope.
    #[prost(bytes = "vec", optional, tag = "3")]
    pub body: Option<Vec<u8>>,
    /// Called `requestId` in libsession's proto and `id` in the desktop's; always 0.
    #[prost(uint64, optional, tag = "4")]
    pub id: Option<u64>,
    /// Unused by Session.
    #[prost(string, repeated, tag = "5")]
    pub headers: Vec<String>,
}

/// A response frame (libsession `WebSocketResources.proto`; unused by Session today).
#[derive(Clone, PartialEq, prost::Message)]
pub struct WebSocketResponseMessage {
    /// The id of the request this answers.
    #[prost(uint64, optional, tag = "1")]
    pub id: Option<u64>,
    /// HTTP-like status code.
    #[prost(uint32, optional, tag = "2")]
    pub status: Option<u32>,
    /// Status text.
    #[prost(string, optional, tag = "3")]
    pub message: Option<String>,
    /// Response body.
    #[prost(bytes = "vec", optional, tag = "4")]
    pub body: Option<Vec<u8>>,
    /// Response headers.
    #[prost(string, repeated, tag = "5")]
    pub headers: Vec<String>,
}
