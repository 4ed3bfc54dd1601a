//! Storage-server message hashes (PROTOCOL.md §4; `computeMessageHash` in
//! session-storage-server `oxenss/rpc/request_handler.cpp`).
//!
//! `hash = base64_nopad(BLAKE2b-256(prefix_byte || key32 || ns_str || data))` where `ns_str` is
//! `""` for namespace 0 and the decimal number otherwise, and `data` is the raw (not base64)
//! message. The result is always 43 characters.

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use blake2::digest::consts::U32;
use blake2::{Blake2b, Digest};

use super::account::AccountPubkey;
use super::encoding::is_base64;
use super::limits::MESSAGE_HASH_LEN;
use super::namespace::Namespace;

/// Computes the hash a node gives a stored message.
pub fn message_hash(network_prefix: u8, pubkey32: &[u8; 32], ns: Namespace, data: &[u8]) -> String {
    let mut hasher = Blake2b::<U32>::new();
    hasher.update([network_prefix]);
    hasher.update(pubkey32);
    hasher.update(ns.sig_str().as_bytes());
    hasher.update(data);
    STANDARD_NO_PAD.encode(hasher.finalize())
}

/// [`message_hash`] for an account pubkey.
pub fn message_hash_for(account: &AccountPubkey, ns: Namespace, data: &[u8]) -> String {
    message_hash(account.prefix(), account.key(), ns, data)
}

/// True for text shaped like a message hash (43 base64 characters); the node rejects other
/// hashes in `delete` and `expire`.
pub fn is_valid_message_hash(hash: &str) -> bool {
    hash.len() == MESSAGE_HASH_LEN && is_base64(hash)
}
