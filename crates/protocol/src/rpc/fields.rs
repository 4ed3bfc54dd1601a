//! Typed access to the fields of a JSON `params` object, with the storage server's rules and
//! error texts (session-storage-server `oxenss/rpc/client_rpc_endpoints.cpp`, `parse_field`,
//! `load_pk_signature`, `load_subaccount`).
//!
//! Rules confirmed upstream: a field that is absent or `null` counts as missing; timestamps
//! must be non-negative integers and at least 1e9 (else "must be in milliseconds"); string
//! arrays and timestamp arrays may be given as a single value; `store`'s `timestamp` and `ttl`
//! may also be strings holding an integer.

use serde_json::{Map, Value};

use super::account::{AccountPubkey, SignedSubaccount, SubaccountToken, PREFIX_SESSION_ID};
use super::encoding::{decode_base64_array, decode_hex_array, is_base64};
use super::limits::MIN_PLAUSIBLE_TIMESTAMP_MS;
use super::namespace::{Namespace, NamespaceError, NamespaceSelector};
use super::request::{RequestAuth, RequestError};

/// Type names used in "expected …" messages (upstream `type_desc`).
pub(crate) mod expected {
    pub const BOOL: &str = "boolean";
    pub const UINT: &str = "positive integer";
    pub const INT: &str = "integer";
    pub const NS_VAR: &str = "integer or \"all\"";
    pub const NS: &str = "16-bit integer";
    pub const TIMESTAMP: &str = "integer timestamp (in milliseconds)";
    pub const STR_ARRAY: &str = "string array";
    pub const TIMESTAMP_ARRAY: &str = "timestamp array";
    pub const STRING: &str = "string";
}

type Res<T> = Result<T, RequestError>;

fn wrong(field: &'static str, expected: &'static str) -> RequestError {
    RequestError::WrongType { field, expected }
}

/// A borrowed `params` object.
pub(crate) struct Fields<'a>(pub &'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The value, treating `null` as absent.
    pub fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn string(&self, name: &'static str) -> Res<Option<&'a str>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(_) => Err(wrong(name, expected::STRING)),
        }
    }

    pub fn boolean(&self, name: &'static str) -> Res<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(_) => Err(wrong(name, expected::BOOL)),
        }
    }

    /// A 32-bit signed integer (`max_count`, `max_size`).
    pub fn int(&self, name: &'static str) -> Res<Option<i32>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .and_then(|n| i32::try_from(n).ok())
                .map(Some)
                .ok_or(wrong(name, expected::INT)),
        }
    }

    /// A millisecond timestamp: non-negative integer, at least 1e9.
    pub fn timestamp(&self, name: &'static str) -> Res<Option<u64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) => {
                let ms = v.as_u64().ok_or(wrong(name, expected::TIMESTAMP))?;
                if ms < MIN_PLAUSIBLE_TIMESTAMP_MS {
                    return Err(RequestError::TimestampNotMs(name));
                }
                Ok(Some(ms))
            }
        }
    }

    /// An integer that may also be sent as a string (`store`'s `timestamp` and `ttl`).
    pub fn stringified_u64(&self, name: &'static str, expect: &'static str) -> Res<Option<u64>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => {
                parse_decimal(s)
                    .map(Some)
                    .ok_or_else(|| RequestError::NotAnInteger {
                        field: name,
                        value: Value::String(s.clone()).to_string(),
                    })
            }
            Some(v) => v.as_u64().map(Some).ok_or(wrong(name, expect)),
        }
    }

    pub fn namespace(&self, name: &'static str) -> Res<Option<Namespace>> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.is_i64() || v.is_u64() => match v.as_i64() {
                Some(n) => Namespace::from_i64(n)
                    .map(Some)
                    .map_err(|_| RequestError::OutOfRange(name)),
                None => Err(RequestError::OutOfRange(name)),
            },
            Some(_) => Err(wrong(name, expected::NS)),
        }
    }

    /// An integer namespace or `"all"`; absent means namespace 0.
    pub fn namespace_selector(&self, name: &'static str) -> Res<NamespaceSelector> {
        match self.get(name) {
            None => Ok(NamespaceSelector::default()),
            Some(v) => NamespaceSelector::from_json(v).map_err(|e| match e {
                NamespaceError::OutOfRange(_) => RequestError::OutOfRange(name),
                NamespaceError::NotANamespace => wrong(name, expected::NS_VAR),
            }),
        }
    }

    /// A list of strings, or one string.
    pub fn str_array(&self, name: &'static str) -> Res<Option<Vec<String>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or(wrong(name, expected::STR_ARRAY)),
            Some(_) => Err(wrong(name, expected::STR_ARRAY)),
        }
    }

    /// A list of non-negative integers, or one.
    pub fn timestamp_array(&self, name: &'static str) -> Res<Option<Vec<u64>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Array(items)) => items
                .iter()
                .map(Value::as_u64)
                .collect::<Option<Vec<_>>>()
                .map(Some)
                .ok_or(wrong(name, expected::TIMESTAMP_ARRAY)),
            Some(v) => v
                .as_u64()
                .map(|n| Some(vec![n]))
                .ok_or(wrong(name, expected::TIMESTAMP_ARRAY)),
        }
    }

    /// `pubkey` (66 hex); `alias` also accepts `pubKey` (store, retrieve, get_swarm).
    pub fn pubkey(&self, alias: bool) -> Res<Option<&'a str>> {
        let main = self.string("pubkey")?;
        if !alias {
            return Ok(main);
        }
        let alt = self.string("pubKey")?;
        match (main, alt) {
            (Some(_), Some(_)) => Err(RequestError::Conflicting("pubkey", "pubKey")),
            (m, a) => Ok(m.or(a)),
        }
    }

    /// Reads the account signature fields: requires `signature`; checks `pubkey_ed25519` (only
    /// for 05 accounts) and `subaccount`/`subaccount_sig`.
    pub fn auth(&self, account: &AccountPubkey, with_subaccount: bool) -> Res<RequestAuth> {
        let ed = self.string("pubkey_ed25519")?;
        let sig = self.string("signature")?;
        let sub = if with_subaccount {
            (self.string("subaccount")?, self.string("subaccount_sig")?)
        } else {
            (None, None)
        };
        let sig = sig.ok_or(RequestError::MissingField("signature"))?;
        let pubkey_ed25519 = match ed {
            None => None,
            Some(_) if account.prefix() != PREFIX_SESSION_ID => {
                return Err(RequestError::EdKeyNotAllowed)
            }
            Some(text) if text.len() == 64 => {
                Some(decode_hex_array::<32>(text).map_err(|_| RequestError::EdKeyNotHex)?)
            }
            // Upstream also takes 32 raw bytes here, which JSON text cannot carry reliably.
            Some(_) => return Err(RequestError::EdKeyLength),
        };
        let signature = parse_signature(sig).ok_or(RequestError::BadSignature)?;
        let subaccount = match sub {
            (None, _) => None,
            (Some(""), _) => None,
            (Some(_), None) => return Err(RequestError::SubaccountSigMissing),
            (Some(token), Some(token_sig)) => {
                let token = SubaccountToken::from_text(token)
                    .map_err(|_| RequestError::BadSubaccountToken)?;
                let signature =
                    parse_signature(token_sig).ok_or(RequestError::BadSubaccountSignature)?;
                Some(SignedSubaccount { token, signature })
            }
        };
        Ok(RequestAuth {
            signature,
            pubkey_ed25519,
            subaccount,
        })
    }
}

/// Parses an account pubkey with the generic error text.
pub(crate) fn account(text: &str) -> Res<AccountPubkey> {
    AccountPubkey::from_hex(text).map_err(|_| RequestError::BadPubkey)
}

/// A base64 Ed25519 signature: 86 characters, or 88 ending in `==`.
pub(crate) fn parse_signature(text: &str) -> Option<[u8; 64]> {
    let shaped = text.len() == 86 || (text.len() == 88 && text.ends_with("=="));
    if !shaped || !is_base64(text) {
        return None;
    }
    decode_base64_array::<64>(text).ok()
}

/// Decimal digits with an optional leading `-`/`+` refused: what `util::parse_int` accepts for
/// an unsigned value (the whole string must be digits).
fn parse_decimal(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}
