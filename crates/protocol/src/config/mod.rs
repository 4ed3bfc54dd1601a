//! libsession-util "config objects": the sans-I/O core of config sync (CONFIG-GROUPS.md §1–2).
//!
//! * [`bt`]: strict bencode codec;
//! * [`data`]: the config data model (scalars, sets, dicts) and diffs;
//! * [`message`]: one config message (parse, serialize, hash, sign/verify, increment);
//! * [`merge`]: loading and merging several messages;
//! * [`mutable`]: the config object state machine (push / confirm / merge, obsolete hashes,
//!   local dump);
//! * typed views: [`user_profile`] (ns 2), [`contacts`] (ns 3), [`convo_info`] (ns 4),
//!   [`user_groups`] (ns 5) with [`community`] URL handling, built on [`fields`].
//!
//! The wire pipeline (compression, padding, encryption, protobuf wrapping) is elsewhere; the
//! functions here take and return the plaintext bencoded message.
//!
//! Facts confirmed by reading upstream libsession-util (session-foundation, via the search
//! index; formats only, no code copied), beyond what CONFIG-GROUPS.md states:
//! * `src/config.cpp`: in a merge the replay map is filled from each input's own `=` first and
//!   then its `<` entries, inputs taken highest (seqno, hash) first, first insertion wins; the
//!   merged message has no unknown keys and an empty `=` (its "original data" is the merged data);
//!   lag entries older than the window are skipped on parse before their hash is checked; `<` and
//!   `=` are optional on parse; keys sorting after `~` are refused even without a signature;
//!   the read-only case takes the highest (seqno, hash) among non-redundant inputs.
//! * `src/config/base.cpp`: leaving Clean moves the current server hash to the obsolete set; in
//!   `merge` our own serialized message takes part only when seqno ≠ 0 or dirty; every input
//!   except the one kept, unparseable ones and empty hashes becomes obsolete; read-only objects
//!   never return obsolete hashes; the dump is `! $ ( ) +`.
//! * `src/util.cpp` `parse_url` and `src/config/community.cpp`: the exact host, port and path
//!   rules of community base URLs (see [`community`]).
//! * `src/config/contacts.cpp`, `user_groups.cpp`, `convo_info_volatile.cpp`: which helper writes
//!   each key (flag / nonzero / positive / pair), `n` always written for contacts and legacy
//!   groups, `K` empty for non-admin groups, `s` only touched when not admin, legacy `m`/`a` sets.

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
