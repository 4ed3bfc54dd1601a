//! UserGroups config (namespace 5): keys of CONFIG-GROUPS.md §2.4.
//!
//! Confirmed in libsession-util `src/config/user_groups.cpp` (`base_group_info::load`,
//! `UserGroups::set_base` / `set(...)` / `erase(...)`):
//! * common keys: `+` nonzero priority, `j` positive joined-at, `@` positive notify mode,
//!   `!` positive mute-until, `i` invited flag;
//! * `g` → 33-byte `03…` id: `K` = 32-byte seed when we are admin (only accepted on load if its
//!   Ed25519 public key equals the id), otherwise `K` = empty string and `s` = 100-byte auth data
//!   (or removed); `n` non-empty name (≤100 bytes); `r` positive removed status;
//! * `o` → canonical base URL → `#` server pubkey, `R` → lower-case room → common keys + `n` (room
//!   with its original case, always written); erasing the last room drops the server;
//! * `C` → 33-byte `05…` id: `n` name (always), `k`/`K` pair, `m`/`a` member/admin sets of
//!   33-byte `05…` ids, `E` positive disappearing timer.
//!
//! Newer libsession normalises `j`/`!` with `to_seconds`; we store the seconds given.

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::SigningKey;

use super::community::{self, CommunityError};
use super::data::{ConfigDict, ConfigValue, Scalar};
use super::fields::{self, FieldError, NotifyMode, NAME_MAX_LENGTH};
use super::message::SigKeys;
use super::mutable::{ConfigError, ConfigObject};

/// Storage namespace of the user-groups config.
pub const NAMESPACE: i16 = 5;
/// `r`: removed from the group.
pub const KICKED_FROM_GROUP: i64 = 1;
/// `r`: the group was destroyed.
pub const GROUP_DESTROYED: i64 = 2;
/// Length of the subaccount auth data `s`.
pub const AUTH_DATA_LEN: usize = 100;

/// Keys shared by every group type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GroupCommon {
    /// `+`: 0 unpinned, -1 hidden, >0 pinned order
    pub priority: i64,
    /// `@`
    pub notifications: NotifyMode,
    /// `!`: muted until (unix seconds)
    pub mute_until: i64,
    /// `i`: invited, not yet accepted
    pub invited: bool,
    /// `j`: joined at (unix seconds)
    pub joined_at: i64,
}

impl GroupCommon {
    fn load(d: &ConfigDict) -> Self {
        GroupCommon {
            priority: fields::get_int(d, b"+").unwrap_or(0),
            notifications: NotifyMode::from_int(fields::get_int(d, b"@").unwrap_or(0)),
            mute_until: fields::get_int(d, b"!").unwrap_or(0),
            invited: fields::get_int(d, b"i").unwrap_or(0) != 0,
            joined_at: fields::get_int(d, b"j").unwrap_or(0).max(0),
        }
    }

    fn store(&self, d: &mut ConfigDict) {
        fields::set_nonzero_int(d, b"+", self.priority);
        fields::set_positive_int(d, b"j", self.joined_at);
        fields::set_positive_int(d, b"@", self.notifications.to_int());
        fields::set_positive_int(d, b"!", self.mute_until);
        fields::set_flag(d, b"i", self.invited);
    }
}

/// A v2 group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    /// 33-byte id (0x03 ‖ Ed25519 pubkey)
    pub id: [u8; 33],
    /// the group's Ed25519 seed when we are an admin (`K`)
    pub admin_seed: Option<[u8; 32]>,
    /// subaccount auth data when not admin (`s`)
    pub auth_data: Option<Vec<u8>>,
    /// name from the invitation (`n`)
    pub name: String,
    /// `r`: 0, [`KICKED_FROM_GROUP`] or [`GROUP_DESTROYED`]
    pub removed_status: i64,
    /// common keys
    pub common: GroupCommon,
}

fn seed_matches(id: &[u8; 33], seed: &[u8; 32]) -> bool {
    SigningKey::from_bytes(seed).verifying_key().as_bytes() == &id[1..]
}

impl GroupInfo {
    /// A group with default fields.
    pub fn new(id: [u8; 33]) -> Self {
        GroupInfo {
            id,
            admin_seed: None,
            auth_data: None,
            name: String::new(),
            removed_status: 0,
            common: GroupCommon::default(),
        }
    }

    fn load(id: [u8; 33], d: &ConfigDict) -> Self {
        GroupInfo {
            id,
            admin_seed: fields::get_array::<32>(d, b"K").filter(|s| seed_matches(&id, s)),
            auth_data: fields::get_bytes(d, b"s")
                .filter(|s| s.len() == AUTH_DATA_LEN)
                .map(<[u8]>::to_vec),
            name: fields::get_string(d, b"n").unwrap_or_default(),
            removed_status: fields::get_int(d, b"r").unwrap_or(0),
            common: GroupCommon::load(d),
        }
    }

    fn store(&self, d: &mut ConfigDict) {
        self.common.store(d);
        let name = fields::truncate_utf8(&self.name, NAME_MAX_LENGTH);
        fields::set_nonempty_bytes(d, b"n", name.as_bytes());
        fields::set_positive_int(d, b"r", self.removed_status);
        match self.admin_seed.filter(|s| seed_matches(&self.id, s)) {
            Some(seed) => fields::set_bytes(d, b"K", &seed),
            None => {
                fields::set_bytes(d, b"K", b"");
                match self.auth_data.as_ref().filter(|a| a.len() == AUTH_DATA_LEN) {
                    Some(a) => fields::set_bytes(d, b"s", a),
                    None => {
                        d.remove(b"s".as_slice());
                    }
                }
            }
        }
    }

    /// Marks us kicked: drops the keys, `r` = 1 unless destroyed.
    pub fn mark_kicked(&mut self) {
        self.admin_seed = None;
        self.auth_data = None;
        if self.removed_status != GROUP_DESTROYED {
            self.removed_status = KICKED_FROM_GROUP;
        }
    }

    /// Marks the group destroyed.
    pub fn mark_destroyed(&mut self) {
        self.admin_seed = None;
        self.auth_data = None;
        self.removed_status = GROUP_DESTROYED;
    }
}

/// A community room.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommunityInfo {
    /// canonical base URL
    pub base_url: String,
    /// room token with its original case (`n`)
    pub room: String,
    /// server pubkey (`#`)
    pub pubkey: [u8; 32],
    /// common keys
    pub common: GroupCommon,
}

/// A legacy (closed) group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyGroupInfo {
    /// 33-byte `05…` id
    pub id: [u8; 33],
    /// `n`
    pub name: String,
    /// `k`/`K`: encryption (public, secret) key pair
    pub enc_keypair: Option<([u8; 32], [u8; 32])>,
    /// members (`m`) and admins (`a`): id → is admin
    pub members: BTreeMap<[u8; 33], bool>,
    /// `E`: disappearing timer seconds (0 off)
    pub disappearing_timer: i64,
    /// common keys
    pub common: GroupCommon,
}

impl LegacyGroupInfo {
    /// A legacy group with default fields.
    pub fn new(id: [u8; 33]) -> Self {
        LegacyGroupInfo {
            id,
            name: String::new(),
            enc_keypair: None,
            members: BTreeMap::new(),
            disappearing_timer: 0,
            common: GroupCommon::default(),
        }
    }

    fn load(id: [u8; 33], d: &ConfigDict) -> Self {
        let ids = |key: &[u8]| -> Vec<[u8; 33]> {
            fields::get_set(d, key)
                .into_iter()
                .flatten()
                .filter_map(|s| match s {
                    Scalar::Bytes(b) if b.first() == Some(&0x05) => b.as_slice().try_into().ok(),
                    _ => None,
                })
                .collect()
        };
        let mut members: BTreeMap<[u8; 33], bool> =
            ids(b"m").into_iter().map(|m| (m, false)).collect();
        for a in ids(b"a") {
            members.entry(a).or_insert(true);
        }
        LegacyGroupInfo {
            id,
            name: fields::get_string(d, b"n").unwrap_or_default(),
            enc_keypair: fields::get_array::<32>(d, b"k").zip(fields::get_array::<32>(d, b"K")),
            members,
            disappearing_timer: fields::get_int(d, b"E").unwrap_or(0).max(0),
            common: GroupCommon::load(d),
        }
    }

    fn store(&self, d: &mut ConfigDict) {
        self.common.store(d);
        let name = fields::truncate_utf8(&self.name, NAME_MAX_LENGTH);
        fields::set_bytes(d, b"n", name.as_bytes());
        match &self.enc_keypair {
            Some((pk, sk)) => {
                fields::set_bytes(d, b"k", pk);
                fields::set_bytes(d, b"K", sk);
            }
            None => {
                d.remove(b"k".as_slice());
                d.remove(b"K".as_slice());
            }
        }
        let set_of = |admin: bool| -> BTreeSet<Scalar> {
            self.members
                .iter()
                .filter(|(_, &a)| a == admin)
                .map(|(id, _)| Scalar::Bytes(id.to_vec()))
                .collect()
        };
        d.insert(b"m".to_vec(), ConfigValue::Set(set_of(false)));
        d.insert(b"a".to_vec(), ConfigValue::Set(set_of(true)));
        fields::set_positive_int(d, b"E", self.disappearing_timer);
    }
}

/// Errors of the user-groups view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserGroupsError {
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

/// The user's groups, communities and legacy groups.
#[derive(Debug, Clone)]
pub struct UserGroups {
    /// the underlying config object (push / merge / dump)
    pub config: ConfigObject,
}

impl Default for UserGroups {
    fn default() -> Self {
        Self::new()
    }
}

fn entries<'a>(d: &'a ConfigDict, section: &[u8]) -> Vec<([u8; 33], &'a ConfigDict)> {
    fields::get_dict(d, section)
        .map(|sec| {
            sec.iter()
                .filter_map(|(k, v)| match v {
                    ConfigValue::Dict(x) => Some((k.as_slice().try_into().ok()?, x)),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

impl UserGroups {
    /// Empty.
    pub fn new() -> Self {
        UserGroups {
            config: ConfigObject::new(SigKeys::default()),
        }
    }

    /// Restores a dump.
    pub fn from_dump(dump: &[u8]) -> Result<Self, ConfigError> {
        Ok(UserGroups {
            config: ConfigObject::from_dump(dump, SigKeys::default())?,
        })
    }

    fn entry(&self, section: &[u8], id: &[u8]) -> Option<&ConfigDict> {
        fields::get_dict(self.config.data(), section).and_then(|s| fields::get_dict(s, id))
    }

    fn write(
        &mut self,
        section: &[u8],
        id: &[u8],
        f: impl FnOnce(&mut ConfigDict),
    ) -> Result<(), UserGroupsError> {
        self.config.edit(|d| {
            fields::with_dict(d, section, |sec| fields::with_dict(sec, id, f));
        })?;
        Ok(())
    }

    fn erase_entry(&mut self, section: &[u8], id: &[u8]) -> Result<bool, UserGroupsError> {
        if self.entry(section, id).is_none() {
            return Ok(false);
        }
        self.config
            .edit(|d| fields::with_dict(d, section, |sec| fields::erase(sec, id)))?;
        Ok(true)
    }

    /// A v2 group.
    pub fn group(&self, id: &[u8; 33]) -> Option<GroupInfo> {
        self.entry(b"g", id).map(|d| GroupInfo::load(*id, d))
    }
    /// All v2 groups.
    pub fn all_groups(&self) -> Vec<GroupInfo> {
        entries(self.config.data(), b"g")
            .into_iter()
            .map(|(id, d)| GroupInfo::load(id, d))
            .collect()
    }
    /// Writes a v2 group (unknown keys of its entry are kept).
    pub fn set_group(&mut self, g: &GroupInfo) -> Result<(), UserGroupsError> {
        fields::check_session_id(&g.id, 0x03)?;
        self.write(b"g", &g.id, |d| g.store(d))
    }
    /// Removes a v2 group.
    pub fn erase_group(&mut self, id: &[u8; 33]) -> Result<bool, UserGroupsError> {
        self.erase_entry(b"g", id)
    }

    /// A legacy group.
    pub fn legacy_group(&self, id: &[u8; 33]) -> Option<LegacyGroupInfo> {
        self.entry(b"C", id).map(|d| LegacyGroupInfo::load(*id, d))
    }
    /// All legacy groups.
    pub fn all_legacy_groups(&self) -> Vec<LegacyGroupInfo> {
        entries(self.config.data(), b"C")
            .into_iter()
            .map(|(id, d)| LegacyGroupInfo::load(id, d))
            .collect()
    }
    /// Writes a legacy group.
    pub fn set_legacy_group(&mut self, g: &LegacyGroupInfo) -> Result<(), UserGroupsError> {
        fields::check_session_id(&g.id, 0x05)?;
        for m in g.members.keys() {
            fields::check_session_id(m, 0x05)?;
        }
        self.write(b"C", &g.id, |d| g.store(d))
    }
    /// Removes a legacy group.
    pub fn erase_legacy_group(&mut self, id: &[u8; 33]) -> Result<bool, UserGroupsError> {
        self.erase_entry(b"C", id)
    }

    fn load_community(
        base: &str,
        server: &ConfigDict,
        key: &[u8],
        d: &ConfigDict,
    ) -> CommunityInfo {
        CommunityInfo {
            base_url: base.to_owned(),
            room: fields::get_string(d, b"n")
                .unwrap_or_else(|| String::from_utf8_lossy(key).into_owned()),
            pubkey: fields::get_array::<32>(server, b"#").unwrap_or([0; 32]),
            common: GroupCommon::load(d),
        }
    }

    /// A community room (URL and room are canonicalised first).
    pub fn community(
        &self,
        base_url: &str,
        room: &str,
    ) -> Result<Option<CommunityInfo>, UserGroupsError> {
        let base = community::canonical_url(base_url)?;
        let key = community::canonical_room(room)?;
        let Some(server) = self.entry(b"o", base.as_bytes()) else {
            return Ok(None);
        };
        Ok(fields::get_dict(server, b"R")
            .and_then(|r| fields::get_dict(r, key.as_bytes()))
            .map(|d| Self::load_community(&base, server, key.as_bytes(), d)))
    }

    /// All community rooms.
    pub fn all_communities(&self) -> Vec<CommunityInfo> {
        let Some(o) = fields::get_dict(self.config.data(), b"o") else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (base, server) in o {
            let ConfigValue::Dict(server) = server else {
                continue;
            };
            let base = String::from_utf8_lossy(base);
            for (key, room) in fields::get_dict(server, b"R").into_iter().flatten() {
                if let ConfigValue::Dict(d) = room {
                    out.push(Self::load_community(&base, server, key, d));
                }
            }
        }
        out
    }

    /// Writes a community room (and its server pubkey).
    pub fn set_community(&mut self, c: &CommunityInfo) -> Result<(), UserGroupsError> {
        let base = community::canonical_url(&c.base_url)?;
        let key = community::canonical_room(&c.room)?;
        self.write(b"o", base.as_bytes(), |server| {
            fields::set_bytes(server, b"#", &c.pubkey);
            fields::with_dict(server, b"R", |rooms| {
                fields::with_dict(rooms, key.as_bytes(), |d| {
                    c.common.store(d);
                    fields::set_bytes(d, b"n", c.room.as_bytes());
                });
            });
        })
    }

    /// Joins a community from a full URL (`…/room?public_key=…`), keeping existing settings.
    pub fn set_community_url(&mut self, url: &str) -> Result<CommunityInfo, UserGroupsError> {
        let (base, room, pubkey) = community::parse_full_url(url)?;
        let mut info = self.community(&base, &room)?.unwrap_or(CommunityInfo {
            base_url: base,
            room: room.clone(),
            pubkey,
            common: GroupCommon::default(),
        });
        info.room = room;
        info.pubkey = pubkey;
        self.set_community(&info)?;
        Ok(info)
    }

    /// Removes a community room (and the server with its last room).
    pub fn erase_community(&mut self, base_url: &str, room: &str) -> Result<bool, UserGroupsError> {
        if self.community(base_url, room)?.is_none() {
            return Ok(false);
        }
        let base = community::canonical_url(base_url)?;
        let key = community::canonical_room(room)?;
        self.config.edit(|d| {
            fields::with_dict(d, b"o", |o| {
                let mut drop_server = false;
                fields::with_dict(o, base.as_bytes(), |server| {
                    fields::with_dict(server, b"R", |rooms| {
                        fields::erase(rooms, key.as_bytes());
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
}
