//! libsession-util "config objects": the sans-I/O core of config sync (CONFIG-GROUPS.md §1–2).
//!
//! * [`bt`]: strict bencode codec;
//! * [`data`]: the config data model (scalars, sets, dicts) and diffs;
//! * [`message`]: one config message (parse, serialize, hash, sign/verify, increment);
//! * [`merge`]: loading and merging several messages;
//! * [`mutable`]: the config object state machine (push / confirm / merge, obsolete hashes);
//! * typed views: [`user_profile`], [`contacts`], [`convo_info`], [`user_groups`] (with
//!   [`community`] URL handling), built on [`fields`].
//!
//! The wire pipeline (compression, padding, encryption, protobuf wrapping) is elsewhere; the
//! functions here take and return the plaintext bencoded message.

pub mod bt;
pub mod community;
pub mod contacts;
pub mod convo_info;
pub mod data;
pub mod fields;
pub mod merge;
pub mod message;
pub mod mutable;
pub mod user_groups;
pub mod user_profile;
