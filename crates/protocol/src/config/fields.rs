//! Helpers the typed config views use to read and write libsession's keys.
//!
//! Writers follow libsession's `internal.hpp` helpers (`set_flag`, `set_nonzero_int`,
//! `set_positive_int`, `set_nonempty_str`, `set_pair_if`): a false flag, a zero/non-positive int
//! or an empty string is written by removing the key. Only the keys a setter knows are touched;
//! every other key of the entry dict survives byte for byte.

use thiserror::Error;

use super::data::{ConfigDict, ConfigValue, Scalar};

/// Maximum byte length of names (display names, nicknames, group names).
pub const NAME_MAX_LENGTH: usize = 100;

/// Invalid argument to a typed setter.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FieldError {
    /// A session id was not 33 bytes with the expected prefix.
    #[error("invalid session id: expected 33 bytes starting with 0x{0:02x}")]
    BadSessionId(u8),
    /// Hex text was not valid.
    #[error("invalid session id: expected 66 hex characters starting with {0:02x}")]
    BadSessionIdHex(u8),
}

/// Parses a 66-character hex session id with the given prefix byte (0x05 users, 0x03 groups).
pub fn session_id_from_hex(hex_id: &str, prefix: u8) -> Result<[u8; 33], FieldError> {
    let bytes = hex::decode(hex_id).map_err(|_| FieldError::BadSessionIdHex(prefix))?;
    let id: [u8; 33] = bytes
        .try_into()
        .map_err(|_| FieldError::BadSessionIdHex(prefix))?;
    if id[0] != prefix {
        return Err(FieldError::BadSessionIdHex(prefix));
    }
    Ok(id)
}

/// Checks the prefix byte of a binary session id.
pub fn check_session_id(id: &[u8; 33], prefix: u8) -> Result<(), FieldError> {
    if id[0] == prefix {
        Ok(())
    } else {
        Err(FieldError::BadSessionId(prefix))
    }
}

/// `s` cut to at most `max` bytes at a UTF-8 character boundary.
pub fn truncate_utf8(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Integer at `key`.
pub fn get_int(d: &ConfigDict, key: &[u8]) -> Option<i64> {
    match d.get(key) {
        Some(ConfigValue::Scalar(Scalar::Int(i))) => Some(*i),
        _ => None,
    }
}

/// Bytes at `key`.
pub fn get_bytes<'a>(d: &'a ConfigDict, key: &[u8]) -> Option<&'a [u8]> {
    match d.get(key) {
        Some(ConfigValue::Scalar(Scalar::Bytes(b))) => Some(b),
        _ => None,
    }
}

/// Fixed-size bytes at `key` (None if absent or of another length).
pub fn get_array<const N: usize>(d: &ConfigDict, key: &[u8]) -> Option<[u8; N]> {
    get_bytes(d, key).and_then(|b| b.try_into().ok())
}

/// UTF-8 string at `key` (invalid UTF-8 is replaced, as a display value).
pub fn get_string(d: &ConfigDict, key: &[u8]) -> Option<String> {
    get_bytes(d, key).map(|b| String::from_utf8_lossy(b).into_owned())
}

/// Sub-dict at `key`.
pub fn get_dict<'a>(d: &'a ConfigDict, key: &[u8]) -> Option<&'a ConfigDict> {
    match d.get(key) {
        Some(ConfigValue::Dict(x)) => Some(x),
        _ => None,
    }
}

/// Set at `key`.
pub fn get_set<'a>(
    d: &'a ConfigDict,
    key: &[u8],
) -> Option<&'a std::collections::BTreeSet<Scalar>> {
    match d.get(key) {
        Some(ConfigValue::Set(s)) => Some(s),
        _ => None,
    }
}

/// Runs `f` on the sub-dict at `key`, creating it (or replacing a non-dict value) first. An
/// empty result is pruned later by the config object.
pub fn with_dict<R>(d: &mut ConfigDict, key: &[u8], f: impl FnOnce(&mut ConfigDict) -> R) -> R {
    let mut sub = match d.remove(key) {
        Some(ConfigValue::Dict(x)) => x,
        _ => ConfigDict::new(),
    };
    let r = f(&mut sub);
    d.insert(key.to_vec(), ConfigValue::Dict(sub));
    r
}

/// Writes an int.
pub fn set_int(d: &mut ConfigDict, key: &[u8], v: i64) {
    d.insert(key.to_vec(), ConfigValue::Scalar(Scalar::Int(v)));
}

/// Writes bytes.
pub fn set_bytes(d: &mut ConfigDict, key: &[u8], v: &[u8]) {
    d.insert(key.to_vec(), ConfigValue::Scalar(Scalar::Bytes(v.to_vec())));
}

/// `set_flag`: 1 when true, removed when false.
pub fn set_flag(d: &mut ConfigDict, key: &[u8], v: bool) {
    if v {
        set_int(d, key, 1);
    } else {
        d.remove(key);
    }
}

/// `set_nonzero_int`: removed when 0.
pub fn set_nonzero_int(d: &mut ConfigDict, key: &[u8], v: i64) {
    if v != 0 {
        set_int(d, key, v);
    } else {
        d.remove(key);
    }
}

/// `set_positive_int`: removed when ≤ 0.
pub fn set_positive_int(d: &mut ConfigDict, key: &[u8], v: i64) {
    if v > 0 {
        set_int(d, key, v);
    } else {
        d.remove(key);
    }
}

/// `set_nonempty_str`: removed when empty.
pub fn set_nonempty_bytes(d: &mut ConfigDict, key: &[u8], v: &[u8]) {
    if v.is_empty() {
        d.remove(key);
    } else {
        set_bytes(d, key, v);
    }
}

/// Writes an optional int (removed when `None`).
pub fn set_opt_int(d: &mut ConfigDict, key: &[u8], v: Option<i64>) {
    match v {
        Some(v) => set_int(d, key, v),
        None => {
            d.remove(key);
        }
    }
}

/// Removes `key`, returning whether it existed.
pub fn erase(d: &mut ConfigDict, key: &[u8]) -> bool {
    d.remove(key).is_some()
}

/// A profile picture: download URL and 32-byte decryption key (`p`/`q`, written together).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfilePic {
    /// download URL
    pub url: String,
    /// decryption key
    pub key: [u8; 32],
}

/// Reads a `p`/`q`-style pair: present only if the URL is non-empty and the key is 32 bytes.
pub fn get_pic(d: &ConfigDict, url_key: &[u8], key_key: &[u8]) -> Option<ProfilePic> {
    let url = get_string(d, url_key).filter(|u| !u.is_empty())?;
    let key = get_array::<32>(d, key_key)?;
    Some(ProfilePic { url, key })
}

/// Writes a `p`/`q`-style pair (`set_pair_if`): both or neither.
pub fn set_pic(d: &mut ConfigDict, url_key: &[u8], key_key: &[u8], pic: Option<&ProfilePic>) {
    match pic.filter(|p| !p.url.is_empty()) {
        Some(p) => {
            set_bytes(d, url_key, p.url.as_bytes());
            set_bytes(d, key_key, &p.key);
        }
        None => {
            d.remove(url_key);
            d.remove(key_key);
        }
    }
}

/// Notification setting (`@`): 0 default (omitted), 1 all, 2 disabled, 3 mentions only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NotifyMode {
    /// client default (key omitted)
    #[default]
    Default,
    /// every message
    All,
    /// none
    Disabled,
    /// only mentions (not stored for contacts: written as `All`)
    MentionsOnly,
}

impl NotifyMode {
    /// From the stored int (out-of-range values read as Default, as libsession does).
    pub fn from_int(v: i64) -> Self {
        match v {
            1 => NotifyMode::All,
            2 => NotifyMode::Disabled,
            3 => NotifyMode::MentionsOnly,
            _ => NotifyMode::Default,
        }
    }

    /// The stored int.
    pub fn to_int(self) -> i64 {
        match self {
            NotifyMode::Default => 0,
            NotifyMode::All => 1,
            NotifyMode::Disabled => 2,
            NotifyMode::MentionsOnly => 3,
        }
    }
}
