//! ConvoInfoVolatile config (namespace 4): keys of CONFIG-GROUPS.md §2.3.
//!
//! * `1` → 33-byte binary session id → `{r: last read (ms), u: 1 if marked unread}`;
//! * `o` → canonical base URL → `{#: 32-byte server pubkey, R: {lower-case room → {r, u}}}`
//!   (erasing the last room also drops the server entry);
//! * `g` → 33-byte `03…` group id → `{r, u}`; `C` → 33-byte `05…` legacy group id → `{r, u}`.
//!
//! Pruning (libsession `convo_info_volatile.cpp` `set_base` / `prune_stale`), here as pure
//! functions of `now`: a new `r` is written only if it lowers an existing value or is newer than
//! `now − 30 days`; before a push, 1:1, legacy-group and community entries not marked unread with
//! `r` older than `now − 45 days` are removed (v2 groups are not pruned, as in libsession
//! 2025-01). An entry carrying an unexpired Session Pro proof (`e` expiry ms > 0 with a 32-byte
//! `g`, newer libsession) is not stale either.
//!
//! Newer libsession (read at commit 093e9b2f) also prunes stale `g` entries and adds a `b` section
//! (blinded 1:1 conversations) and `e`/`g` Pro keys inside 1:1 entries; we leave all of those
//! untouched (unknown keys and sections survive edits).

use super::community::{self, CommunityError};
use super::data::{ConfigDict, ConfigValue};
use super::fields::{self, FieldError};
use super::message::SigKeys;
use super::mutable::{ConfigError, ConfigObject, PushData};

/// Storage namespace of the conversation-info config.
pub const NAMESPACE: i16 = 4;
/// `PRUNE_LOW`: a last-read time older than this (before now) is not recorded.
pub const PRUNE_LOW_MS: i64 = 30 * 24 * 60 * 60 * 1000;
/// `PRUNE_HIGH`: entries read longer ago than this are pruned before a push.
pub const PRUNE_HIGH_MS: i64 = 45 * 24 * 60 * 60 * 1000;

/// Volatile state of a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadState {
    /// `r`: unix milliseconds of the last read message (0 if unknown)
    pub last_read_ms: i64,
    /// `u`: marked unread
    pub unread: bool,
}

/// State of a community room plus the server pubkey stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommunityReadState {
    /// `#` of the server entry, if present and 32 bytes
    pub pubkey: Option<[u8; 32]>,
    /// the room's state
    pub state: ReadState,
}

/// Whether a new last-read value is written (see module docs).
pub fn accept_last_read(existing: Option<i64>, new_ms: i64, now_ms: i64) -> bool {
    existing.is_some_and(|e| new_ms < e) || new_ms > now_ms.saturating_sub(PRUNE_LOW_MS)
}

/// Whether an entry is pruned before a push.
pub fn is_stale(state: &ReadState, now_ms: i64) -> bool {
    !state.unread && state.last_read_ms < now_ms.saturating_sub(PRUNE_HIGH_MS)
}

/// [`is_stale`] for a stored entry, honouring an unexpired Pro proof (`e` + 32-byte `g`).
pub fn is_stale_entry(d: &ConfigDict, now_ms: i64) -> bool {
    let cutoff = now_ms.saturating_sub(PRUNE_HIGH_MS);
    let pro_expiry = fields::get_int(d, b"e").unwrap_or(0);
    let has_proof = fields::get_bytes(d, b"g").is_some_and(|g| g.len() == 32);
    if pro_expiry > 0 && has_proof && pro_expiry >= cutoff {
        return false;
    }
    is_stale(&load_state(d), now_ms)
}

fn load_state(d: &ConfigDict) -> ReadState {
    ReadState {
        last_read_ms: fields::get_int(d, b"r").unwrap_or(0),
        unread: fields::get_int(d, b"u").unwrap_or(0) != 0,
    }
}

fn store_state(d: &mut ConfigDict, s: &ReadState, now_ms: i64) {
    if accept_last_read(fields::get_int(d, b"r"), s.last_read_ms, now_ms) {
        fields::set_int(d, b"r", s.last_read_ms);
    }
    fields::set_flag(d, b"u", s.unread);
}

/// Removes stale entries (see [`is_stale`]) from ConvoInfoVolatile data; returns how many.
pub fn prune_stale(data: &mut ConfigDict, now_ms: i64) -> usize {
    let mut removed = 0;
    let mut prune_section = |sec: &mut ConfigDict| {
        sec.retain(|_, v| {
            let stale = matches!(v, ConfigValue::Dict(d) if is_stale_entry(d, now_ms));
            removed += usize::from(stale);
            !stale
        });
    };
    for key in [b"1".as_slice(), b"C".as_slice()] {
        if let Some(ConfigValue::Dict(sec)) = data.get_mut(key) {
            prune_section(sec);
        }
    }
    if let Some(ConfigValue::Dict(servers)) = data.get_mut(b"o".as_slice()) {
        servers.retain(|_, server| {
            let ConfigValue::Dict(server) = server else {
                return true;
            };
            let Some(ConfigValue::Dict(rooms)) = server.get_mut(b"R".as_slice()) else {
                return true;
            };
            prune_section(rooms);
            !rooms.is_empty()
        });
    }
    removed
}

/// Errors of the conversation-info view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConvoInfoError {
    /// bad session id
    #[error(transparent)]
    Field(#[from] FieldError),
    /// bad community URL or room
    #[error(transparent)]
    Community(#[from] CommunityError),
    /// config object refused the edit
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Last-read / unread state of every conversation.
#[derive(Debug, Clone)]
pub struct ConvoInfoVolatile {
    /// the underlying config object (merge / dump; push through [`Self::push`])
    pub config: ConfigObject,
}

impl Default for ConvoInfoVolatile {
    fn default() -> Self {
        Self::new()
    }
}

impl ConvoInfoVolatile {
    /// Empty.
    pub fn new() -> Self {
        ConvoInfoVolatile {
            config: ConfigObject::new(SigKeys::default()),
        }
    }

    /// Restores a dump.
    pub fn from_dump(dump: &[u8]) -> Result<Self, ConfigError> {
        Ok(ConvoInfoVolatile {
            config: ConfigObject::from_dump(dump, SigKeys::default())?,
        })
    }

    fn get_in(&self, section: &[u8], id: &[u8]) -> Option<ReadState> {
        let sec = fields::get_dict(self.config.data(), section)?;
        fields::get_dict(sec, id).map(load_state)
    }

    fn list_in(&self, section: &[u8]) -> Vec<([u8; 33], ReadState)> {
        fields::get_dict(self.config.data(), section)
            .map(|sec| {
                sec.iter()
                    .filter_map(|(k, v)| match v {
                        ConfigValue::Dict(d) => {
                            Some((k.as_slice().try_into().ok()?, load_state(d)))
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    fn set_in(
        &mut self,
        section: &[u8],
        id: &[u8; 33],
        prefix: u8,
        s: &ReadState,
        now_ms: i64,
    ) -> Result<(), ConvoInfoError> {
        fields::check_session_id(id, prefix)?;
        self.config.edit(|d| {
            fields::with_dict(d, section, |sec| {
                fields::with_dict(sec, id, |e| store_state(e, s, now_ms));
            });
        })?;
        Ok(())
    }

    fn erase_in(&mut self, section: &[u8], id: &[u8; 33]) -> Result<bool, ConvoInfoError> {
        if self.get_in(section, id).is_none() {
            return Ok(false);
        }
        self.config
            .edit(|d| fields::with_dict(d, section, |sec| fields::erase(sec, id)))?;
        Ok(true)
    }

    /// 1:1 conversation state.
    pub fn one_to_one(&self, session_id: &[u8; 33]) -> Option<ReadState> {
        self.get_in(b"1", session_id)
    }
    /// All 1:1 conversations.
    pub fn all_one_to_one(&self) -> Vec<([u8; 33], ReadState)> {
        self.list_in(b"1")
    }
    /// Writes a 1:1 conversation state (`now_ms` for the last-read cutoff).
    pub fn set_one_to_one(
        &mut self,
        session_id: &[u8; 33],
        s: &ReadState,
        now_ms: i64,
    ) -> Result<(), ConvoInfoError> {
        self.set_in(b"1", session_id, 0x05, s, now_ms)
    }
    /// Removes a 1:1 conversation.
    pub fn erase_one_to_one(&mut self, session_id: &[u8; 33]) -> Result<bool, ConvoInfoError> {
        self.erase_in(b"1", session_id)
    }

    /// Group (v2) state.
    pub fn group(&self, group_id: &[u8; 33]) -> Option<ReadState> {
        self.get_in(b"g", group_id)
    }
    /// All groups.
    pub fn all_groups(&self) -> Vec<([u8; 33], ReadState)> {
        self.list_in(b"g")
    }
    /// Writes a group state.
    pub fn set_group(
        &mut self,
        group_id: &[u8; 33],
        s: &ReadState,
        now_ms: i64,
    ) -> Result<(), ConvoInfoError> {
        self.set_in(b"g", group_id, 0x03, s, now_ms)
    }
    /// Removes a group.
    pub fn erase_group(&mut self, group_id: &[u8; 33]) -> Result<bool, ConvoInfoError> {
        self.erase_in(b"g", group_id)
    }

    /// Legacy group state.
    pub fn legacy_group(&self, group_id: &[u8; 33]) -> Option<ReadState> {
        self.get_in(b"C", group_id)
    }
    /// All legacy groups.
    pub fn all_legacy_groups(&self) -> Vec<([u8; 33], ReadState)> {
        self.list_in(b"C")
    }
    /// Writes a legacy group state.
    pub fn set_legacy_group(
        &mut self,
        group_id: &[u8; 33],
        s: &ReadState,
        now_ms: i64,
    ) -> Result<(), ConvoInfoError> {
        self.set_in(b"C", group_id, 0x05, s, now_ms)
    }
    /// Removes a legacy group.
    pub fn erase_legacy_group(&mut self, group_id: &[u8; 33]) -> Result<bool, ConvoInfoError> {
        self.erase_in(b"C", group_id)
    }

    /// Community room state and the server pubkey (if stored).
    pub fn community(
        &self,
        base_url: &str,
        room: &str,
    ) -> Result<Option<CommunityReadState>, ConvoInfoError> {
        let base = community::canonical_url(base_url)?;
        let room = community::canonical_room(room)?;
        let Some(server) = fields::get_dict(self.config.data(), b"o")
            .and_then(|o| fields::get_dict(o, base.as_bytes()))
        else {
            return Ok(None);
        };
        let state = fields::get_dict(server, b"R")
            .and_then(|r| fields::get_dict(r, room.as_bytes()))
            .map(load_state);
        Ok(state.map(|state| CommunityReadState {
            pubkey: fields::get_array::<32>(server, b"#"),
            state,
        }))
    }

    /// Writes a community room state (and the server pubkey).
    pub fn set_community(
        &mut self,
        base_url: &str,
        room: &str,
        pubkey: &[u8; 32],
        s: &ReadState,
        now_ms: i64,
    ) -> Result<(), ConvoInfoError> {
        let base = community::canonical_url(base_url)?;
        let room = community::canonical_room(room)?;
        self.config.edit(|d| {
            fields::with_dict(d, b"o", |o| {
                fields::with_dict(o, base.as_bytes(), |server| {
                    fields::set_bytes(server, b"#", pubkey);
                    fields::with_dict(server, b"R", |rooms| {
                        fields::with_dict(rooms, room.as_bytes(), |e| store_state(e, s, now_ms));
                    });
                });
            });
        })?;
        Ok(())
    }

    /// Removes a community room (and the server entry with its last room).
    pub fn erase_community(&mut self, base_url: &str, room: &str) -> Result<bool, ConvoInfoError> {
        if self.community(base_url, room)?.is_none() {
            return Ok(false);
        }
        let base = community::canonical_url(base_url)?;
        let room = community::canonical_room(room)?;
        self.config.edit(|d| {
            fields::with_dict(d, b"o", |o| {
                let mut drop_server = false;
                fields::with_dict(o, base.as_bytes(), |server| {
                    fields::with_dict(server, b"R", |rooms| {
                        fields::erase(rooms, room.as_bytes());
                        drop_server = rooms.is_empty();
                    });
                });
                if drop_server {
                    fields::erase(o, base.as_bytes());
                }
            });
        })?;
        Ok(true)
    }

    /// Prunes stale entries (as of `now_ms`), then pushes.
    pub fn push(&mut self, now_ms: i64) -> Result<PushData, ConfigError> {
        self.config.edit(|d| {
            prune_stale(d, now_ms);
        })?;
        Ok(self.config.push())
    }
}
