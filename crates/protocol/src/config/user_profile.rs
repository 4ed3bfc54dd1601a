//! UserProfile config (namespace 2): keys of CONFIG-GROUPS.md §2.1.
//!
//! Confirmed in libsession-util `src/config/user_profile.cpp` (2025-01 keys `n p q + e M`; newer
//! versions add `t P Q T f E s`). `set_name` does not bump `t` here: the 2025-01 format (and its
//! dump vector) has no `t`; callers that want the newer behaviour call
//! [`UserProfile::set_profile_updated`] themselves.

use super::data::ConfigDict;
use super::fields::{self, ProfilePic, NAME_MAX_LENGTH};
use super::message::SigKeys;
use super::mutable::{ConfigError, ConfigObject};

/// Storage namespace of the user profile.
pub const NAMESPACE: i16 = 2;
/// Longest profile picture URL libsession's C API carries.
pub const PIC_URL_MAX_LENGTH: usize = 223;

/// The user's own profile.
#[derive(Debug, Clone)]
pub struct UserProfile {
    /// the underlying config object (push / merge / dump)
    pub config: ConfigObject,
}

impl Default for UserProfile {
    fn default() -> Self {
        Self::new()
    }
}

impl UserProfile {
    /// An empty profile.
    pub fn new() -> Self {
        UserProfile {
            config: ConfigObject::new(SigKeys::default()),
        }
    }

    /// Restores a dump.
    pub fn from_dump(dump: &[u8]) -> Result<Self, ConfigError> {
        Ok(UserProfile {
            config: ConfigObject::from_dump(dump, SigKeys::default())?,
        })
    }

    fn d(&self) -> &ConfigDict {
        self.config.data()
    }

    /// Display name (`n`).
    pub fn name(&self) -> Option<String> {
        fields::get_string(self.d(), b"n").filter(|n| !n.is_empty())
    }

    /// Sets the display name, truncated to 100 bytes at a UTF-8 boundary; empty removes it.
    pub fn set_name(&mut self, name: &str) -> Result<(), ConfigError> {
        let name = fields::truncate_utf8(name, NAME_MAX_LENGTH);
        self.config
            .edit(|d| fields::set_nonempty_bytes(d, b"n", name.as_bytes()))
    }

    /// Profile picture: the re-uploaded `P`/`Q` when `T > t`, else `p`/`q`.
    pub fn profile_pic(&self) -> Option<ProfilePic> {
        let d = self.d();
        let reupload = fields::get_int(d, b"T").unwrap_or(0);
        let updated = fields::get_int(d, b"t").unwrap_or(0);
        if reupload > updated {
            if let Some(p) = fields::get_pic(d, b"P", b"Q") {
                return Some(p);
            }
        }
        fields::get_pic(d, b"p", b"q")
    }

    /// Sets (or clears) `p`/`q` together (an empty URL clears both). libsession's C API caps
    /// URLs at [`PIC_URL_MAX_LENGTH`] bytes; callers should respect it, this layer does not cut.
    pub fn set_profile_pic(&mut self, pic: Option<&ProfilePic>) -> Result<(), ConfigError> {
        self.config.edit(|d| fields::set_pic(d, b"p", b"q", pic))
    }

    /// Sets (or clears) the re-uploaded picture `P`/`Q` and its time `T` (seconds).
    pub fn set_reuploaded_profile_pic(
        &mut self,
        pic: Option<&ProfilePic>,
        now_secs: i64,
    ) -> Result<(), ConfigError> {
        let pic = pic.filter(|p| !p.url.is_empty());
        self.config.edit(|d| {
            fields::set_pic(d, b"P", b"Q", pic);
            fields::set_positive_int(d, b"T", if pic.is_some() { now_secs } else { 0 });
        })
    }

    /// Note-to-Self priority (`+`): 0 unpinned, -1 hidden, >0 pinned order.
    pub fn nts_priority(&self) -> i64 {
        fields::get_int(self.d(), b"+").unwrap_or(0)
    }

    /// Sets the Note-to-Self priority (0 removes the key).
    pub fn set_nts_priority(&mut self, priority: i64) -> Result<(), ConfigError> {
        self.config
            .edit(|d| fields::set_nonzero_int(d, b"+", priority))
    }

    /// Note-to-Self disappearing timer in seconds (`e`), if on.
    pub fn nts_expiry(&self) -> Option<i64> {
        fields::get_int(self.d(), b"e").filter(|&s| s > 0)
    }

    /// Sets the Note-to-Self disappearing timer (None or ≤0 turns it off).
    pub fn set_nts_expiry(&mut self, secs: Option<i64>) -> Result<(), ConfigError> {
        self.config
            .edit(|d| fields::set_positive_int(d, b"e", secs.unwrap_or(0)))
    }

    /// Blinded message requests (`M`): Some(true/false), or None for the client default.
    pub fn blinded_msgreqs(&self) -> Option<bool> {
        fields::get_int(self.d(), b"M").map(|v| v != 0)
    }

    /// Sets `M` to 1/0, or removes it.
    pub fn set_blinded_msgreqs(&mut self, v: Option<bool>) -> Result<(), ConfigError> {
        self.config
            .edit(|d| fields::set_opt_int(d, b"M", v.map(i64::from)))
    }

    /// Seconds of the last explicit profile change (`t`, newer libsession).
    pub fn profile_updated(&self) -> Option<i64> {
        fields::get_int(self.d(), b"t").filter(|&s| s > 0)
    }

    /// Sets `t` (≤0 removes it).
    pub fn set_profile_updated(&mut self, secs: i64) -> Result<(), ConfigError> {
        self.config
            .edit(|d| fields::set_positive_int(d, b"t", secs))
    }

    /// Session Pro profile feature bitset (`f`).
    pub fn pro_features(&self) -> i64 {
        fields::get_int(self.d(), b"f").unwrap_or(0)
    }

    /// Sets `f` (0 removes it).
    pub fn set_pro_features(&mut self, bits: i64) -> Result<(), ConfigError> {
        self.config.edit(|d| fields::set_nonzero_int(d, b"f", bits))
    }

    /// Pro access expiry in milliseconds (`E`).
    pub fn pro_access_expiry_ms(&self) -> Option<i64> {
        fields::get_int(self.d(), b"E").filter(|&s| s > 0)
    }

    /// Sets `E` (None removes it).
    pub fn set_pro_access_expiry_ms(&mut self, ms: Option<i64>) -> Result<(), ConfigError> {
        self.config
            .edit(|d| fields::set_positive_int(d, b"E", ms.unwrap_or(0)))
    }

    /// The Pro config dict (`s`: `r` rotating key, `p` proof dict), kept as raw data.
    pub fn pro_config(&self) -> Option<&ConfigDict> {
        fields::get_dict(self.d(), b"s")
    }

    /// Replaces (or removes) the Pro config dict.
    pub fn set_pro_config(&mut self, pro: Option<ConfigDict>) -> Result<(), ConfigError> {
        self.config.edit(|d| match pro {
            Some(p) => {
                d.insert(b"s".to_vec(), super::data::ConfigValue::Dict(p));
            }
            None => {
                d.remove(b"s".as_slice());
            }
        })
    }
}
