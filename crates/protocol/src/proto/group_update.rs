//! Groups v2 control messages (`DataMessage.groupUpdateMessage`, tag 120).
//!
//! Field numbers from session-desktop `protos/SignalService.proto` (2026-04), identical in
//! libsession-util `proto/SessionProtos.proto`.

use zeroize::Zeroize;

/// Exactly one of the fields is set.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupUpdateMessage {
    /// An admin invites the recipient.
    #[prost(message, optional, tag = "1")]
    pub invite_message: Option<GroupUpdateInviteMessage>,
    /// Name, avatar or timer changed.
    #[prost(message, optional, tag = "2")]
    pub info_change_message: Option<GroupUpdateInfoChangeMessage>,
    /// Members added, removed or promoted.
    #[prost(message, optional, tag = "3")]
    pub member_change_message: Option<GroupUpdateMemberChangeMessage>,
    /// The recipient is made an admin (carries the group seed).
    #[prost(message, optional, tag = "4")]
    pub promote_message: Option<GroupUpdatePromoteMessage>,
    /// The sender left.
    #[prost(message, optional, tag = "5")]
    pub member_left_message: Option<GroupUpdateMemberLeftMessage>,
    /// Accepting an invitation.
    #[prost(message, optional, tag = "6")]
    pub invite_response: Option<GroupUpdateInviteResponseMessage>,
    /// Delete some members' messages.
    #[prost(message, optional, tag = "7")]
    pub delete_member_content: Option<GroupUpdateDeleteMemberContentMessage>,
    /// Shown to others when a member left.
    #[prost(message, optional, tag = "8")]
    pub member_left_notification_message: Option<GroupUpdateMemberLeftNotificationMessage>,
}

/// Invitation into a group, sent one-to-one.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct GroupUpdateInviteMessage {
    /// The group id: `03` followed by the group Ed25519 key, in hex.
    #[prost(string, required, tag = "1")]
    pub group_session_id: String,
    /// Group name.
    #[prost(string, required, tag = "2")]
    pub name: String,
    /// Sub-account auth data that lets the member read the group swarm.
    #[prost(bytes = "vec", required, tag = "3")]
    pub member_auth_data: Vec<u8>,
    /// Admin signature over the invite.
    #[prost(bytes = "vec", required, tag = "4")]
    pub admin_signature: Vec<u8>,
}

impl std::fmt::Debug for GroupUpdateInviteMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupUpdateInviteMessage")
            .field("group_session_id", &self.group_session_id)
            .field("name", &self.name)
            .field("member_auth_data", &"<redacted>")
            .field("admin_signature", &hex::encode(&self.admin_signature))
            .finish()
    }
}

/// What an info change altered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum GroupInfoChangeType {
    /// The group was renamed.
    Name = 1,
    /// The avatar changed.
    Avatar = 2,
    /// The disappearing-messages timer changed.
    DisappearingMessages = 3,
}

/// Group name, avatar or timer change notice.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupUpdateInfoChangeMessage {
    /// A [`GroupInfoChangeType`] value.
    #[prost(enumeration = "GroupInfoChangeType", required, tag = "1")]
    pub r#type: i32,
    /// New name, for `Name`.
    #[prost(string, optional, tag = "2")]
    pub updated_name: Option<String>,
    /// New timer in seconds, for `DisappearingMessages`.
    #[prost(uint32, optional, tag = "3")]
    pub updated_expiration: Option<u32>,
    /// Admin signature.
    #[prost(bytes = "vec", required, tag = "4")]
    pub admin_signature: Vec<u8>,
}

/// What a member change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum GroupMemberChangeType {
    /// Members were added.
    Added = 1,
    /// Members were removed.
    Removed = 2,
    /// Members were made admins.
    Promoted = 3,
}

/// Member list change notice.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupUpdateMemberChangeMessage {
    /// A [`GroupMemberChangeType`] value.
    #[prost(enumeration = "GroupMemberChangeType", required, tag = "1")]
    pub r#type: i32,
    /// The members concerned (hex session ids).
    #[prost(string, repeated, tag = "2")]
    pub member_session_ids: Vec<String>,
    /// Whether added members were given the history.
    #[prost(bool, optional, tag = "3")]
    pub history_shared: Option<bool>,
    /// Admin signature.
    #[prost(bytes = "vec", required, tag = "4")]
    pub admin_signature: Vec<u8>,
}

/// Makes the recipient an admin by handing over the group's secret seed. The seed is wiped when
/// the message is dropped.
#[derive(Clone, PartialEq, prost::Message)]
#[prost(skip_debug)]
pub struct GroupUpdatePromoteMessage {
    /// The group's Ed25519 seed (32 bytes).
    #[prost(bytes = "vec", required, tag = "1")]
    pub group_identity_seed: Vec<u8>,
    /// Group name.
    #[prost(string, required, tag = "2")]
    pub name: String,
}

impl Drop for GroupUpdatePromoteMessage {
    fn drop(&mut self) {
        self.group_identity_seed.zeroize();
    }
}

impl std::fmt::Debug for GroupUpdatePromoteMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupUpdatePromoteMessage")
            .field("group_identity_seed", &"<redacted>")
            .field("name", &self.name)
            .finish()
    }
}

/// The sender left the group (the sender's identity comes from the group encryption).
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct GroupUpdateMemberLeftMessage {}

/// Accepting (`is_approved`) a group invitation.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct GroupUpdateInviteResponseMessage {
    /// Whether the invitation was accepted.
    #[prost(bool, required, tag = "1")]
    pub is_approved: bool,
}

/// Delete messages by member or by hash.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GroupUpdateDeleteMemberContentMessage {
    /// Delete everything these members sent (hex session ids).
    #[prost(string, repeated, tag = "1")]
    pub member_session_ids: Vec<String>,
    /// Delete these storage-server message hashes.
    #[prost(string, repeated, tag = "2")]
    pub message_hashes: Vec<String>,
    /// Admin signature (absent when members delete their own messages).
    #[prost(bytes = "vec", optional, tag = "3")]
    pub admin_signature: Option<Vec<u8>>,
}

/// Tells the others that the sender left.
#[derive(Clone, Copy, PartialEq, prost::Message)]
pub struct GroupUpdateMemberLeftNotificationMessage {}
