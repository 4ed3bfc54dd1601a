//! The exact bytes that are signed, for requests (signed by the account or a subaccount) and
//! for the per-node results of recursive requests (signed by each node's Ed25519 key).
//!
//! All numbers are base-10 ASCII; namespaces use [`Namespace::sig_str`] (`""` for 0). Confirmed
//! in session-storage-server `oxenss/rpc/request_handler.cpp` (`verify_signature` /
//! `create_signature` call sites) and `client_rpc_endpoints.h`, commit 861638758ff6:
//!
//! | request | account signs |
//! |---|---|
//! | store | `"store" ‖ ns ‖ sig_timestamp` |
//! | retrieve | `"retrieve" ‖ ns ‖ timestamp` |
//! | delete | `"delete" ‖ hash…` |
//! | delete_all | `"delete_all" ‖ ns_or_all ‖ timestamp` |
//! | delete_before | `"delete_before" ‖ ns_or_all ‖ before` |
//! | expire | `"expire" ‖ ("shorten"/"extend"/"") ‖ expiry… ‖ hash…` |
//! | expire_all | `"expire_all" ‖ ns_or_all ‖ expiry` |
//! | get_expiries | `"get_expiries" ‖ timestamp ‖ hash…` |
//! | (un)revoke_subaccount | `"revoke_subaccount" ‖ timestamp ‖ token_bytes…` |
//!
//! | node result | node signs (`PUBKEY_HEX` = 66 lowercase hex of the account) |
//! |---|---|
//! | store | the message hash text |
//! | delete | `PUBKEY_HEX ‖ requested… ‖ deleted…(sorted)` |
//! | delete_all | `PUBKEY_HEX ‖ timestamp ‖ deleted…(sorted over all namespaces)` |
//! | delete_before | `PUBKEY_HEX ‖ before ‖ deleted…(sorted)` |
//! | expire_all | `PUBKEY_HEX ‖ expiry ‖ updated…(sorted)` |
//! | expire | `PUBKEY_HEX ‖ expiry… ‖ requested… ‖ updated…(sorted) ‖ (hash ‖ expiry)…(unchanged, by hash)` |
//! | (un)revoke_subaccount | `PUBKEY_HEX ‖ timestamp ‖ token_bytes…` |
//!
//! For `expire` the node's `expiry…` is the single expiry it applied (clamped to now + 30 days)
//! when the request gave one expiry, or the applied expiries of the `updated` hashes, in order,
//! when it gave several.

use std::collections::BTreeMap;

use super::account::{AccountPubkey, SubaccountToken};
use super::namespace::{Namespace, NamespaceSelector};

/// `expire`'s shorten/extend option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ExpireMode {
    /// Set the expiry whatever it was.
    #[default]
    Set,
    /// Only move expiries earlier (`"shorten": true`).
    Shorten,
    /// Only move expiries later (`"extend": true`).
    Extend,
}

impl ExpireMode {
    /// The word in the signature: `"shorten"`, `"extend"` or `""`.
    pub fn sig_str(self) -> &'static str {
        match self {
            ExpireMode::Set => "",
            ExpireMode::Shorten => "shorten",
            ExpireMode::Extend => "extend",
        }
    }
}

fn concat<S: AsRef<str>>(out: &mut Vec<u8>, items: &[S]) {
    for s in items {
        out.extend_from_slice(s.as_ref().as_bytes());
    }
}

fn with_prefix(parts: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len()).sum());
    for p in parts {
        out.extend_from_slice(p.as_bytes());
    }
    out
}

/// `"store" ‖ ns ‖ sig_timestamp`.
pub fn store_signed_bytes(ns: Namespace, sig_timestamp_ms: u64) -> Vec<u8> {
    with_prefix(&["store", &ns.sig_str(), &sig_timestamp_ms.to_string()])
}

/// `"retrieve" ‖ ns ‖ timestamp`.
pub fn retrieve_signed_bytes(ns: Namespace, timestamp_ms: u64) -> Vec<u8> {
    with_prefix(&["retrieve", &ns.sig_str(), &timestamp_ms.to_string()])
}

/// `"delete" ‖ hash0 ‖ hash1 …` (in request order).
pub fn delete_signed_bytes<S: AsRef<str>>(hashes: &[S]) -> Vec<u8> {
    let mut out = b"delete".to_vec();
    concat(&mut out, hashes);
    out
}

/// `"delete_all" ‖ ns ‖ timestamp` (ns is `""`, a number, or `"all"`).
pub fn delete_all_signed_bytes(ns: NamespaceSelector, timestamp_ms: u64) -> Vec<u8> {
    with_prefix(&["delete_all", &ns.sig_str(), &timestamp_ms.to_string()])
}

/// `"delete_before" ‖ ns ‖ before`.
pub fn delete_before_signed_bytes(ns: NamespaceSelector, before_ms: u64) -> Vec<u8> {
    with_prefix(&["delete_before", &ns.sig_str(), &before_ms.to_string()])
}

/// `"expire" ‖ mode ‖ expiry0 ‖ expiry1 … ‖ hash0 ‖ hash1 …`.
pub fn expire_signed_bytes<S: AsRef<str>>(
    mode: ExpireMode,
    expiries_ms: &[u64],
    hashes: &[S],
) -> Vec<u8> {
    let mut out = b"expire".to_vec();
    out.extend_from_slice(mode.sig_str().as_bytes());
    for e in expiries_ms {
        out.extend_from_slice(e.to_string().as_bytes());
    }
    concat(&mut out, hashes);
    out
}

/// `"expire_all" ‖ ns ‖ expiry`.
pub fn expire_all_signed_bytes(ns: NamespaceSelector, expiry_ms: u64) -> Vec<u8> {
    with_prefix(&["expire_all", &ns.sig_str(), &expiry_ms.to_string()])
}

/// `"get_expiries" ‖ timestamp ‖ hash0 ‖ …`.
pub fn get_expiries_signed_bytes<S: AsRef<str>>(timestamp_ms: u64, hashes: &[S]) -> Vec<u8> {
    let mut out = format!("get_expiries{timestamp_ms}").into_bytes();
    concat(&mut out, hashes);
    out
}

/// `method ‖ timestamp ‖ token_bytes…` for `revoke_subaccount` (`unrevoke == false`) or
/// `unrevoke_subaccount`.
pub fn revoke_subaccount_signed_bytes(
    unrevoke: bool,
    timestamp_ms: u64,
    tokens: &[SubaccountToken],
) -> Vec<u8> {
    let method = if unrevoke {
        "unrevoke_subaccount"
    } else {
        "revoke_subaccount"
    };
    let mut out = format!("{method}{timestamp_ms}").into_bytes();
    for t in tokens {
        out.extend_from_slice(&t.0);
    }
    out
}

/// What a node signs in its `store` result: the hash text.
pub fn node_store_signed_bytes(hash: &str) -> Vec<u8> {
    hash.as_bytes().to_vec()
}

/// What a node signs in its `delete` result: `PUBKEY_HEX ‖ requested… ‖ deleted…` where
/// `deleted` is ASCII-sorted.
pub fn node_delete_signed_bytes<R: AsRef<str>, D: AsRef<str>>(
    account: &AccountPubkey,
    requested: &[R],
    deleted_sorted: &[D],
) -> Vec<u8> {
    let mut out = account.to_hex().into_bytes();
    concat(&mut out, requested);
    concat(&mut out, deleted_sorted);
    out
}

/// `PUBKEY_HEX ‖ number ‖ hashes…`: the node signature of `delete_all` (number = request
/// timestamp), `delete_before` (number = `before`) and `expire_all` (number = expiry). The
/// hashes are ASCII-sorted; for `"all"` namespaces they are sorted across all namespaces.
pub fn node_account_number_hashes_signed_bytes<S: AsRef<str>>(
    account: &AccountPubkey,
    number: u64,
    hashes_sorted: &[S],
) -> Vec<u8> {
    let mut out = account.to_hex().into_bytes();
    out.extend_from_slice(number.to_string().as_bytes());
    concat(&mut out, hashes_sorted);
    out
}

/// What a node signs in its `expire` result (see the module table).
pub fn node_expire_signed_bytes<R: AsRef<str>, U: AsRef<str>>(
    account: &AccountPubkey,
    expiries_ms: &[u64],
    requested: &[R],
    updated_sorted: &[U],
    unchanged: &BTreeMap<String, u64>,
) -> Vec<u8> {
    let mut out = account.to_hex().into_bytes();
    for e in expiries_ms {
        out.extend_from_slice(e.to_string().as_bytes());
    }
    concat(&mut out, requested);
    concat(&mut out, updated_sorted);
    for (hash, expiry) in unchanged {
        out.extend_from_slice(hash.as_bytes());
        out.extend_from_slice(expiry.to_string().as_bytes());
    }
    out
}

/// What a node signs in its `(un)revoke_subaccount` result: `PUBKEY_HEX ‖ timestamp ‖ tokens…`.
pub fn node_revoke_signed_bytes(
    account: &AccountPubkey,
    timestamp_ms: u64,
    tokens: &[SubaccountToken],
) -> Vec<u8> {
    let mut out = account.to_hex().into_bytes();
    out.extend_from_slice(timestamp_ms.to_string().as_bytes());
    for t in tokens {
        out.extend_from_slice(&t.0);
    }
    out
}
