//! Messages that current clients no longer send but that old peers and old stored data contain:
//! legacy closed-group control (`DataMessage` 104), `SharedConfigMessage` (`Content` 11) and
//! `ConfigurationMessage` (`Content` 7).
//!
//! Layouts confirmed from session-desktop `protos/SignalService.proto` history (before 2025-03
//! for 104, before 2023-11 for 7 and 11) and libsession-util `proto/SessionProtos.proto`.

use zeroize::Zeroize;

use super::redact_bytes;

/// What a legacy closed-group control message does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ClosedGroupControlType {
    /// Group created: public key, name, key pair, members, admins, timer.
    New = 1,
    /// New group key pair, wrapped for each member.
    EncryptionKeyPair = 3,
    /// Group renamed.
    NameChange = 4,
    /// Members added.
    MembersAdded = 5,
    /// Members removed.
    MembersRemoved = 6,
    /// The sender left.
    MemberLeft = 7,
    /// Asks for the current key pair.
    EncryptionKeyPairRequest = 8,
}

/// Legacy closed-group control message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ClosedGroupControlMessage {
    /// A [`ClosedGroupControlType`] value.
    #[prost(enumeration = "ClosedGroupControlType", required, tag = "1")]
    pub r#type: i32,
    /// Group public key (05-prefixed, 33 bytes).
    #[prost(bytes = "vec", optional, tag = "2")]
    pub public_key: Option<Vec<u8>>,
    /// Group name.
    #[prost(string, optional, tag = "3")]
    pub name: Option<String>,
    /// The group's X25519 key pair (for `New`).
    #[prost(message, optional, tag = "4")]
    pub encryption_key_pair: Option<KeyPair>,
    /// Members' public keys.
    #[prost(bytes = "vec", repeated, tag = "5")]
    pub members: Vec<Vec<u8>>,
    /// Admins' public keys.
    #[prost(bytes = "vec", repeated, tag = "6")]
    pub admins: Vec<Vec<u8>>,
    /// The key pair encrypted for each member (for `EncryptionKeyPair`).
    #[prost(message, repeated, tag = "7")]
    pub wrappers: Vec<KeyPairWrapper>,
    /// Disappearing-messages timer in seconds.
    #[prost(uint32, optional, tag = "8")]
    pub expiration_timer: Option<u32>,
}

/// A legacy group's X25519 key pair. The private key is wiped on drop and never printed.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct KeyPair {
    /// Public key.
    #[prost(bytes = "vec", required, tag = "1")]
    pub public_key: Vec<u8>,
    /// Private key.
    #[prost(bytes = "vec", required, tag = "2")]
    pub private_key: Vec<u8>,
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        self.private_key.zeroize();
    }
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair")
            .field("public_key", &hex::encode(&self.public_key))
            .field("private_key", &"<redacted>")
            .finish()
    }
}

/// A group key pair encrypted (Session protocol) for one member.
#[derive(Clone, PartialEq, prost::Message)]
pub struct KeyPairWrapper {
    /// The member the key pair is for.
    #[prost(bytes = "vec", required, tag = "1")]
    pub public_key: Vec<u8>,
    /// The encrypted [`KeyPair`].
    #[prost(bytes = "vec", required, tag = "2")]
    pub encrypted_key_pair: Vec<u8>,
}

/// Which user config a [`SharedConfigMessage`] holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum SharedConfigKind {
    /// UserProfile config.
    UserProfile = 1,
    /// Contacts config.
    Contacts = 2,
    /// ConvoInfoVolatile config.
    ConvoInfoVolatile = 3,
    /// UserGroups config.
    UserGroups = 4,
}

/// Legacy wrapper of a libsession config message.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SharedConfigMessage {
    /// A [`SharedConfigKind`] value.
    #[prost(enumeration = "SharedConfigKind", required, tag = "1")]
    pub kind: i32,
    /// Config sequence number.
    #[prost(int64, required, tag = "2")]
    pub seqno: i64,
    /// The encrypted config.
    #[prost(bytes = "vec", required, tag = "3")]
    pub data: Vec<u8>,
}

/// Legacy multi-device configuration snapshot.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct ConfigurationMessage {
    /// Legacy closed groups the user is in.
    #[prost(message, repeated, tag = "1")]
    pub closed_groups: Vec<ConfigurationClosedGroup>,
    /// Community URLs.
    #[prost(string, repeated, tag = "2")]
    pub open_groups: Vec<String>,
    /// Display name.
    #[prost(string, optional, tag = "3")]
    pub display_name: Option<String>,
    /// Avatar URL.
    #[prost(string, optional, tag = "4")]
    pub profile_picture: Option<String>,
    /// Avatar key.
    #[prost(bytes = "vec", optional, tag = "5")]
    pub profile_key: Option<Vec<u8>>,
    /// Contacts.
    #[prost(message, repeated, tag = "6")]
    pub contacts: Vec<ConfigurationContact>,
}

impl std::fmt::Debug for ConfigurationMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigurationMessage")
            .field("closed_groups", &self.closed_groups)
            .field("open_groups", &self.open_groups)
            .field("display_name", &self.display_name)
            .field("profile_picture", &self.profile_picture)
            .field("profile_key", &redact_bytes(&self.profile_key))
            .field("contacts", &self.contacts)
            .finish()
    }
}

/// A legacy closed group inside a [`ConfigurationMessage`].
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigurationClosedGroup {
    /// Group public key.
    #[prost(bytes = "vec", optional, tag = "1")]
    pub public_key: Option<Vec<u8>>,
    /// Group name.
    #[prost(string, optional, tag = "2")]
    pub name: Option<String>,
    /// Group key pair.
    #[prost(message, optional, tag = "3")]
    pub encryption_key_pair: Option<KeyPair>,
    /// Members.
    #[prost(bytes = "vec", repeated, tag = "4")]
    pub members: Vec<Vec<u8>>,
    /// Admins.
    #[prost(bytes = "vec", repeated, tag = "5")]
    pub admins: Vec<Vec<u8>>,
}

/// A contact inside a [`ConfigurationMessage`].
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct ConfigurationContact {
    /// Contact public key.
    #[prost(bytes = "vec", required, tag = "1")]
    pub public_key: Vec<u8>,
    /// Contact name.
    #[prost(string, required, tag = "2")]
    pub name: String,
    /// Avatar URL.
    #[prost(string, optional, tag = "3")]
    pub profile_picture: Option<String>,
    /// Avatar key.
    #[prost(bytes = "vec", optional, tag = "4")]
    pub profile_key: Option<Vec<u8>>,
    /// Whether the user approved this contact.
    #[prost(bool, optional, tag = "5")]
    pub is_approved: Option<bool>,
    /// Whether the contact is blocked.
    #[prost(bool, optional, tag = "6")]
    pub is_blocked: Option<bool>,
    /// Whether the contact approved the user.
    #[prost(bool, optional, tag = "7")]
    pub did_approve_me: Option<bool>,
}

impl std::fmt::Debug for ConfigurationContact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConfigurationContact")
            .field("public_key", &hex::encode(&self.public_key))
            .field("name", &self.name)
            .field("profile_picture", &self.profile_picture)
            .field("profile_key", &redact_bytes(&self.profile_key))
            .field("is_approved", &self.is_approved)
            .field("is_blocked", &self.is_blocked)
            .field("did_approve_me", &self.did_approve_me)
            .finish()
    }
}
