//! The wire pipeline of libsession config messages (CONFIG-GROUPS.md §1.7, §1.8, §1.10;
//! PROTOCOL.md §10), sans I/O: everything works on byte slices and takes the current time as a
//! parameter.
//!
//! This module does not build or merge config messages (the bencoded `d1:#i…e…` dicts); it
//! carries an already serialized message to the bytes stored in the swarm and back:
//!
//! ```text
//! push:    message ─ compress ('z' ‖ zstd-1 if shorter) ─ pad (leading 0x00) ─┬─ encrypt ─ wrap (user configs) ─ store
//!                                                                              └─ > 76 800: split into 'm' parts, encrypt each
//! receive: stored ─ unwrap (or raw) ─ decrypt (each key) ─ strip 0x00 ─┬─ 'm': buffer parts ─ reassemble ─ strip ─ 'z'?
//!                                                                      └─ 'z': inflate ─ must start with 'd'
//! ```
//!
//! * [`compress`]: the `'z'` zstd layer with a bounded inflater.
//! * [`wrap`]: the protobuf wrapping of user configs (`WebSocketMessage` → `Envelope` → sealed
//!   `Content.sharedConfigMessage`), including the 2023 legacy form.
//! * [`multipart`]: splitting configs above 76 800 bytes into `'m'` parts and a sans-I/O buffer
//!   that reassembles them.
//! * [`pipeline`]: [`pipeline::push_config`] and [`pipeline::receive_config`] tie the steps
//!   together.
//!
//! Facts confirmed in upstream libsession-util (newest `src/config/base.cpp` in the search index,
//! `src/config/protos.cpp` and `src/config/internal.cpp` at 8762e9d3, `include/session/hash.hpp`,
//! `tests/test_config_contacts.cpp` multipart expiry test):
//! * the multipart final hash is `hash::hash(final_hash, msg)` with no key argument, i.e. an
//!   **unkeyed** BLAKE2b-256 over the padded (possibly compressed) message before it is split;
//! * a part is `'m'` ‖ bencoded list `[32:final_hash, 1:index, 1:count, chunk]`, index and count
//!   being one-byte strings; count 2–255; the chunk is at most 76 800 − 50 − 40 = 76 710 bytes so
//!   each full part encrypts to exactly 76 800 bytes; parts are encrypted unpadded and never
//!   protobuf-wrapped; the padded message may be at most 5 000 000 bytes;
//! * receivers reject a part larger than 76 800 bytes, count ≤ 1, index ≥ count, an empty chunk,
//!   extra list elements and a count differing from earlier parts of the same set; duplicate parts
//!   and parts of an already completed set are accepted but ignored; an incomplete set expires a
//!   fixed time after its latest part, a completed set is remembered for a while so re-fetched
//!   parts are not reassembled twice (upstream's default durations were not found; ours are in
//!   [`multipart::MultipartLimits`]);
//! * the reassembled data is hash-checked, stripped of leading zeros, inflated if it starts with
//!   `'z'` and must then start with `'d'`;
//! * if wrapping a single message would exceed 76 800 bytes it is stored unwrapped;
//! * unwrapping checks: `WebSocketMessage.type == REQUEST`, the envelope parses, the sealed
//!   content opens and is signed by our own Ed25519 key, the content is non-empty and its last
//!   non-zero byte is `0x80`, `Content` has a `sharedConfigMessage` of the expected kind (the
//!   envelope type is not checked); the receiver then tries a second unwrap (one client release
//!   double-wrapped) and falls back to the raw bytes when the first fails.

pub mod compress;
pub mod multipart;
pub mod pipeline;
pub mod wrap;

use crate::config_encrypt::{
    DOMAIN_CONTACTS, DOMAIN_CONVO_INFO_VOLATILE, DOMAIN_GROUP_INFO, DOMAIN_GROUP_MEMBERS,
    DOMAIN_USER_GROUPS, DOMAIN_USER_PROFILE,
};
use crate::proto::SharedConfigKind;

/// Largest message the storage server accepts (`MAX_MESSAGE_SIZE`).
pub const MAX_MESSAGE_SIZE: usize = 76_800;

/// The config types that travel through this pipeline (CONFIG-GROUPS.md §1.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ConfigKind {
    /// The user's profile (namespace 2).
    UserProfile,
    /// The user's contacts (namespace 3).
    Contacts,
    /// Read state and other volatile conversation info (namespace 4).
    ConvoInfoVolatile,
    /// Communities and groups the user is in (namespace 5).
    UserGroups,
    /// A v2 group's info (namespace 13 of the group).
    GroupInfo,
    /// A v2 group's members (namespace 14 of the group).
    GroupMembers,
}

impl ConfigKind {
    /// Every kind, in namespace order.
    pub const ALL: [ConfigKind; 6] = [
        ConfigKind::UserProfile,
        ConfigKind::Contacts,
        ConfigKind::ConvoInfoVolatile,
        ConfigKind::UserGroups,
        ConfigKind::GroupInfo,
        ConfigKind::GroupMembers,
    ];

    /// The swarm namespace the config is stored in.
    pub fn namespace(self) -> i16 {
        match self {
            ConfigKind::UserProfile => 2,
            ConfigKind::Contacts => 3,
            ConfigKind::ConvoInfoVolatile => 4,
            ConfigKind::UserGroups => 5,
            ConfigKind::GroupInfo => 13,
            ConfigKind::GroupMembers => 14,
        }
    }

    /// The encryption domain ([`crate::config_encrypt`]).
    pub fn domain(self) -> &'static str {
        match self {
            ConfigKind::UserProfile => DOMAIN_USER_PROFILE,
            ConfigKind::Contacts => DOMAIN_CONTACTS,
            ConfigKind::ConvoInfoVolatile => DOMAIN_CONVO_INFO_VOLATILE,
            ConfigKind::UserGroups => DOMAIN_USER_GROUPS,
            ConfigKind::GroupInfo => DOMAIN_GROUP_INFO,
            ConfigKind::GroupMembers => DOMAIN_GROUP_MEMBERS,
        }
    }

    /// The `SharedConfigMessage.kind` of a user config; `None` for group configs, which are
    /// never protobuf-wrapped.
    pub fn shared_config_kind(self) -> Option<SharedConfigKind> {
        match self {
            ConfigKind::UserProfile => Some(SharedConfigKind::UserProfile),
            ConfigKind::Contacts => Some(SharedConfigKind::Contacts),
            ConfigKind::ConvoInfoVolatile => Some(SharedConfigKind::ConvoInfoVolatile),
            ConfigKind::UserGroups => Some(SharedConfigKind::UserGroups),
            ConfigKind::GroupInfo | ConfigKind::GroupMembers => None,
        }
    }

    /// Whether pushes are protobuf-wrapped (user configs: libsession's `accepts_protobuf()`).
    pub fn is_wrapped(self) -> bool {
        self.shared_config_kind().is_some()
    }
}
