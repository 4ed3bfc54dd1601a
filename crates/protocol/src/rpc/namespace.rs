//! Message namespaces (PROTOCOL.md §4; session-storage-server `oxenss/common/namespace.h`).
//!
//! A namespace is a signed 16-bit number that splits one account's storage into separate
//! mailboxes. Its number decides who may store and retrieve without the owner's signature:
//! * `ns % 10 == 0` (0, 10, -30, …): *public inbox*, anyone may store; reading needs auth.
//! * negative `-(20n+1)` (-1, -21, -41, …): *public outbox*, one message at a time, anyone may
//!   retrieve, storing needs auth.
//! * `-10`: legacy closed groups, no auth to store *or* retrieve (deprecated).
//! * negative ending in `11` (-11, -111, -211, …): revoked subaccounts may still retrieve.
//!
//! In signatures and message hashes namespace 0 is written as the empty string, every other
//! namespace as its base-10 number (e.g. `"-10"`).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Errors from reading a namespace.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamespaceError {
    /// The number does not fit in -32768..=32767.
    #[error("namespace {0} is out of range: namespaces go from -32768 to 32767")]
    OutOfRange(i64),
    /// Neither an integer nor the word `all`.
    #[error("a namespace is an integer from -32768 to 32767 (or \"all\" where allowed)")]
    NotANamespace,
}

/// One message namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Namespace(pub i16);

impl Namespace {
    /// 0: ordinary one-to-one messages (public inbox).
    pub const DEFAULT: Namespace = Namespace(0);
    /// 2: the user's profile config.
    pub const USER_PROFILE: Namespace = Namespace(2);
    /// 3: the contacts config.
    pub const CONTACTS: Namespace = Namespace(3);
    /// 4: the conversation-info-volatile config.
    pub const CONVO_INFO_VOLATILE: Namespace = Namespace(4);
    /// 5: the user-groups config.
    pub const USER_GROUPS: Namespace = Namespace(5);
    /// 11: groups v2 messages.
    pub const GROUP_MESSAGES: Namespace = Namespace(11);
    /// 12: groups v2 encryption keys.
    pub const GROUP_KEYS: Namespace = Namespace(12);
    /// 13: groups v2 info config.
    pub const GROUP_INFO: Namespace = Namespace(13);
    /// 14: groups v2 members config.
    pub const GROUP_MEMBERS: Namespace = Namespace(14);
    /// -10: legacy closed groups; unauthenticated store and retrieve (deprecated).
    pub const LEGACY_CLOSED_GROUP: Namespace = Namespace(-10);
    /// -11: groups v2 "revoked retrievable" namespace (removed members can still read it).
    pub const REVOKED_RETRIEVABLE_GROUP: Namespace = Namespace(-11);
    /// Smallest namespace.
    pub const MIN: Namespace = Namespace(i16::MIN);
    /// Largest namespace.
    pub const MAX: Namespace = Namespace(i16::MAX);

    /// Range-checks a wider integer.
    pub fn from_i64(value: i64) -> Result<Namespace, NamespaceError> {
        i16::try_from(value)
            .map(Namespace)
            .map_err(|_| NamespaceError::OutOfRange(value))
    }

    /// The number.
    pub fn get(self) -> i16 {
        self.0
    }

    /// True for the default namespace 0.
    pub fn is_default(self) -> bool {
        self.0 == 0
    }

    /// Anyone may store here without a signature (`ns % 10 == 0`).
    pub fn is_public_inbox(self) -> bool {
        self.0 % 10 == 0
    }

    /// Negative `-(20n+1)`: holds one message, publicly retrievable, owner-only store.
    pub fn is_public_outbox(self) -> bool {
        let n = i32::from(self.0);
        n < 0 && (-n) % 20 == 1
    }

    /// Retrieve needs no signature: the legacy closed-group namespace or a public outbox.
    pub fn is_noauth_retrieve(self) -> bool {
        self == Namespace::LEGACY_CLOSED_GROUP || self.is_public_outbox()
    }

    /// Negative namespaces ending in 11: revoked subaccounts may still retrieve.
    pub fn is_unrevocable(self) -> bool {
        let n = i32::from(self.0);
        n < 0 && (-n) % 100 == 11
    }

    /// Store needs no signature (public inbox; includes -10).
    pub fn is_noauth_store(self) -> bool {
        self.is_public_inbox()
    }

    /// The text used in request signatures and message hashes: `""` for 0, else base 10.
    pub fn sig_str(self) -> String {
        if self.is_default() {
            String::new()
        } else {
            self.0.to_string()
        }
    }

    /// Longest TTL a new message in this namespace may have.
    pub fn max_ttl_ms(self) -> u64 {
        if self.is_public_inbox() {
            super::limits::TTL_MAX_PUBLIC_MS
        } else {
            super::limits::TTL_MAX_PRIVATE_MS
        }
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<i16> for Namespace {
    fn from(n: i16) -> Self {
        Namespace(n)
    }
}

impl Serialize for Namespace {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i16(self.0)
    }
}

impl<'de> Deserialize<'de> for Namespace {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = i64::deserialize(d)?;
        Namespace::from_i64(n).map_err(serde::de::Error::custom)
    }
}

/// The namespace argument of `delete_all`, `delete_before` and `expire_all`: one namespace or
/// the string `"all"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamespaceSelector {
    /// One namespace (omitted in a request means 0).
    One(Namespace),
    /// Every namespace of the account.
    All,
}

impl Default for NamespaceSelector {
    fn default() -> Self {
        NamespaceSelector::One(Namespace::DEFAULT)
    }
}

impl NamespaceSelector {
    /// The text used in signatures: `""` for 0, `"all"`, or base 10.
    pub fn sig_str(self) -> String {
        match self {
            NamespaceSelector::One(ns) => ns.sig_str(),
            NamespaceSelector::All => "all".to_owned(),
        }
    }

    /// Reads a JSON value: an integer in range, or the string `"all"`.
    pub fn from_json(value: &serde_json::Value) -> Result<Self, NamespaceError> {
        if let Some(n) = value.as_i64() {
            return Namespace::from_i64(n).map(NamespaceSelector::One);
        }
        if value.is_u64() {
            return Err(NamespaceError::OutOfRange(i64::MAX));
        }
        match value.as_str() {
            Some("all") => Ok(NamespaceSelector::All),
            _ => Err(NamespaceError::NotANamespace),
        }
    }
}

impl From<Namespace> for NamespaceSelector {
    fn from(ns: Namespace) -> Self {
        NamespaceSelector::One(ns)
    }
}

impl Serialize for NamespaceSelector {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NamespaceSelector::One(ns) => ns.serialize(s),
            NamespaceSelector::All => s.serialize_str("all"),
        }
    }
}

impl<'de> Deserialize<'de> for NamespaceSelector {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        NamespaceSelector::from_json(&v).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(Namespace(0).is_public_inbox());
        assert!(Namespace(-10).is_public_inbox());
        assert!(Namespace(-10).is_noauth_retrieve());
        assert!(!Namespace(0).is_noauth_retrieve());
        assert!(Namespace(-1).is_public_outbox());
        assert!(Namespace(-21).is_public_outbox());
        assert!(!Namespace(-11).is_public_outbox());
        assert!(!Namespace(1).is_public_outbox());
        assert!(Namespace(-11).is_unrevocable());
        assert!(Namespace(-211).is_unrevocable());
        assert!(!Namespace(11).is_unrevocable());
        assert!(Namespace(i16::MIN).is_public_outbox() == (32768 % 20 == 1));
        assert_eq!(Namespace(0).sig_str(), "");
        assert_eq!(Namespace(-10).sig_str(), "-10");
        assert_eq!(NamespaceSelector::All.sig_str(), "all");
        assert!(Namespace::from_i64(32768).is_err());
        assert_eq!(Namespace::from_i64(-32768), Ok(Namespace::MIN));
    }
}
