//! Contacts config (namespace 3): keys of CONFIG-GROUPS.md §2.2.
//!
//! Confirmed in libsession-util `src/config/contacts.cpp` (`contact_info::load`,
//! `Contacts::set`): `c` → 33-byte binary session id → dict; `n` always written (keeps the dict
//! alive), `N` omitted if empty, `p`/`q` as a pair, flags `a A b`, `+` nonzero, `@` positive
//! (mentions-only stored as 1), `!` positive, `e`/`E` pair only when a mode and a positive timer
//! are both set, `j` positive. Entries whose key is not 33 bytes or whose value is not a dict are
//! skipped by the iterator. Newer libsession normalises `!`/`j` from milliseconds with a
//! `to_seconds` helper; we store the seconds given.

use super::data::ConfigDict;
use super::fields::{self, FieldError, NotifyMode, ProfilePic, NAME_MAX_LENGTH};
use super::message::SigKeys;
use super::mutable::{ConfigError, ConfigObject};

/// Storage namespace of contacts.
pub const NAMESPACE: i16 = 3;

/// Disappearing-messages setting of a conversation (`e` mode + `E` seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Expiration {
    /// off
    #[default]
    None,
    /// delete this many seconds after sending
    AfterSend(i64),
    /// delete this many seconds after reading
    AfterRead(i64),
}

/// One contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    /// 33-byte session id (0x05 ‖ X25519 pubkey)
    pub session_id: [u8; 33],
    /// their display name (`n`)
    pub name: String,
    /// our nickname for them (`N`)
    pub nickname: String,
    /// `p`/`q`
    pub profile_pic: Option<ProfilePic>,
    /// `a`: we accepted them
    pub approved: bool,
    /// `A`: they accepted us
    pub approved_me: bool,
    /// `b`
    pub blocked: bool,
    /// `+`: 0 unpinned, -1 hidden, >0 pinned order
    pub priority: i64,
    /// `@`
    pub notifications: NotifyMode,
    /// `!`: muted until (unix seconds), 0 = not muted
    pub mute_until: i64,
    /// `e`/`E`
    pub expiration: Expiration,
    /// `j`: created (unix seconds)
    pub created: i64,
}

impl Contact {
    /// A contact with every field at its default.
    pub fn new(session_id: [u8; 33]) -> Self {
        Contact {
            session_id,
            name: String::new(),
            nickname: String::new(),
            profile_pic: None,
            approved: false,
            approved_me: false,
            blocked: false,
            priority: 0,
            notifications: NotifyMode::Default,
            mute_until: 0,
            expiration: Expiration::None,
            created: 0,
        }
    }

    fn load(session_id: [u8; 33], d: &ConfigDict) -> Self {
        let mut notifications = NotifyMode::from_int(fields::get_int(d, b"@").unwrap_or(0));
        if notifications == NotifyMode::MentionsOnly {
            notifications = NotifyMode::All;
        }
        let secs = fields::get_int(d, b"E").unwrap_or(0);
        let expiration = match fields::get_int(d, b"e") {
            Some(1) if secs > 0 => Expiration::AfterSend(secs),
            Some(2) if secs > 0 => Expiration::AfterRead(secs),
            _ => Expiration::None,
        };
        Contact {
            session_id,
            name: fields::get_string(d, b"n").unwrap_or_default(),
            nickname: fields::get_string(d, b"N").unwrap_or_default(),
            profile_pic: fields::get_pic(d, b"p", b"q"),
            approved: fields::get_int(d, b"a").unwrap_or(0) != 0,
            approved_me: fields::get_int(d, b"A").unwrap_or(0) != 0,
            blocked: fields::get_int(d, b"b").unwrap_or(0) != 0,
            priority: fields::get_int(d, b"+").unwrap_or(0),
            notifications,
            mute_until: fields::get_int(d, b"!").unwrap_or(0),
            expiration,
            created: fields::get_int(d, b"j").unwrap_or(0),
        }
    }

    fn store(&self, d: &mut ConfigDict) {
        let name = fields::truncate_utf8(&self.name, NAME_MAX_LENGTH);
        fields::set_bytes(d, b"n", name.as_bytes());
        let nick = fields::truncate_utf8(&self.nickname, NAME_MAX_LENGTH);
        fields::set_nonempty_bytes(d, b"N", nick.as_bytes());
        fields::set_pic(d, b"p", b"q", self.profile_pic.as_ref());
        fields::set_flag(d, b"a", self.approved);
        fields::set_flag(d, b"A", self.approved_me);
        fields::set_flag(d, b"b", self.blocked);
        fields::set_nonzero_int(d, b"+", self.priority);
        let notify = match self.notifications {
            NotifyMode::MentionsOnly => NotifyMode::All,
            n => n,
        };
        fields::set_positive_int(d, b"@", notify.to_int());
        fields::set_positive_int(d, b"!", self.mute_until);
        match self.expiration {
            Expiration::AfterSend(s) if s > 0 => {
                fields::set_int(d, b"e", 1);
                fields::set_int(d, b"E", s);
            }
            Expiration::AfterRead(s) if s > 0 => {
                fields::set_int(d, b"e", 2);
                fields::set_int(d, b"E", s);
            }
            _ => {
                d.remove(b"e".as_slice());
                d.remove(b"E".as_slice());
            }
        }
        fields::set_positive_int(d, b"j", self.created);
    }
}

/// Errors of the contacts view.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContactsError {
    /// bad session id
    #[error(transparent)]
    Field(#[from] FieldError),
    /// config object refused the edit
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// The contacts list.
#[derive(Debug, Clone)]
pub struct Contacts {
    /// the underlying config object (push / merge / dump)
    pub config: ConfigObject,
}

impl Default for Contacts {
    fn default() -> Self {
        Self::new()
    }
}

impl Contacts {
    /// An empty contact list.
    pub fn new() -> Self {
        Contacts {
            config: ConfigObject::new(SigKeys::default()),
        }
    }

    /// Restores a dump.
    pub fn from_dump(dump: &[u8]) -> Result<Self, ConfigError> {
        Ok(Contacts {
            config: ConfigObject::from_dump(dump, SigKeys::default())?,
        })
    }

    /// The contact with this session id.
    pub fn get(&self, session_id: &[u8; 33]) -> Option<Contact> {
        let all = fields::get_dict(self.config.data(), b"c")?;
        let d = fields::get_dict(all, session_id)?;
        Some(Contact::load(*session_id, d))
    }

    /// The contact, or a default one if absent.
    pub fn get_or_construct(&self, session_id: &[u8; 33]) -> Contact {
        self.get(session_id)
            .unwrap_or_else(|| Contact::new(*session_id))
    }

    /// All contacts (entries with a 33-byte key and a dict value), in key order.
    pub fn all(&self) -> Vec<Contact> {
        let Some(all) = fields::get_dict(self.config.data(), b"c") else {
            return Vec::new();
        };
        all.iter()
            .filter_map(|(k, v)| {
                let id: [u8; 33] = k.as_slice().try_into().ok()?;
                match v {
                    super::data::ConfigValue::Dict(d) => Some(Contact::load(id, d)),
                    _ => None,
                }
            })
            .collect()
    }

    /// Number of contacts.
    pub fn len(&self) -> usize {
        self.all().len()
    }

    /// True if there are no contacts.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes a contact; keys of its entry that we do not know are kept.
    pub fn set(&mut self, c: &Contact) -> Result<(), ContactsError> {
        fields::check_session_id(&c.session_id, 0x05)?;
        self.config.edit(|d| {
            fields::with_dict(d, b"c", |all| {
                fields::with_dict(all, &c.session_id, |e| c.store(e));
            });
        })?;
        Ok(())
    }

    /// Removes a contact; returns whether it existed.
    pub fn erase(&mut self, session_id: &[u8; 33]) -> Result<bool, ContactsError> {
        if self.get(session_id).is_none() {
            return Ok(false);
        }
        self.config.edit(|d| {
            fields::with_dict(d, b"c", |all| fields::erase(all, session_id));
        })?;
        Ok(true)
    }
}
