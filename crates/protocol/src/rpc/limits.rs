//! Numeric limits of the storage-server RPC.
//!
//! Confirmed in session-storage-server `oxenss/rpc/request_handler.h`,
//! `oxenss/rpc/client_rpc_endpoints.h`, `oxenss/server/https.h`,
//! `oxenss/common/subaccount_token.h` (commit 861638758ff6). All times are milliseconds.

/// Largest `store` payload in raw bytes (`store::MAX_MESSAGE_BODY`).
pub const MAX_MESSAGE_BODY: usize = 76_800;

/// Largest `store` payload as base64 text (4/3 of [`MAX_MESSAGE_BODY`], no padding needed).
pub const MAX_MESSAGE_BODY_BASE64: usize = MAX_MESSAGE_BODY / 3 * 4;

/// Shortest message lifetime a `store` accepts (10 s).
pub const TTL_MIN_MS: u64 = 10_000;

/// Longest lifetime for a message stored in a public-inbox namespace (`ns % 10 == 0`): 14 days.
pub const TTL_MAX_PUBLIC_MS: u64 = 14 * 24 * 3600 * 1000;

/// Longest lifetime for private namespaces and for expiry updates (`expire`): 30 days.
pub const TTL_MAX_PRIVATE_MS: u64 = 30 * 24 * 3600 * 1000;

/// `store`: the timestamp may be at most this far in the future, and the expiry at most this far
/// in the past.
pub const STORE_TOLERANCE_MS: u64 = 10_000;

/// Signed requests: the signature timestamp must be within this distance of the node's clock.
pub const SIGNATURE_TOLERANCE_MS: u64 = 60_000;

/// Like [`SIGNATURE_TOLERANCE_MS`] for requests forwarded inside the swarm (`delete_all`,
/// `expire_all` use it for forwarded copies).
pub const SIGNATURE_TOLERANCE_FORWARDED_MS: u64 = 70_000;

/// `delete_before`: `before` may be at most this far in the future (401 otherwise); `expire`:
/// each expiry may be at most this far in the past.
pub const DELETE_BEFORE_FUTURE_MS: u64 = 60_000;

/// Most bytes one `retrieve` returns; negative `max_size` values are fractions of this.
pub const RETRIEVE_MAX_SIZE: i64 = 7_800_000;

/// `retrieve` with neither `max_count` nor `max_size` behaves as `max_size = -5`.
pub const RETRIEVE_DEFAULT_MAX_SIZE: i32 = -5;

/// Most sub-requests in one `batch` or `sequence`.
pub const BATCH_REQUEST_MAX: usize = 20;

/// Largest HTTPS request body the node reads (10 MiB); larger gets 413.
pub const MAX_REQUEST_BODY: usize = 10 * 1024 * 1024;

/// Most subaccount tokens one `revoke_subaccount` may list.
pub const MAX_SUBACCOUNT_TOKENS: usize = 50;

/// Timestamps below this (1,000,000 s in ms) are rejected as "probably seconds, not ms".
pub const MIN_PLAUSIBLE_TIMESTAMP_MS: u64 = 1_000_000_000;

/// Length of a message hash: unpadded base64 of 32 bytes.
pub const MESSAGE_HASH_LEN: usize = 43;

/// Length of a subaccount token in bytes: prefix, flags, 2 reserved, 32-byte Ed25519 key.
pub const SUBACCOUNT_TOKEN_LEN: usize = 36;

/// Timeout a node applies to onion requests relayed to an external URL (25 s).
pub const ONION_URL_TIMEOUT_MS: u64 = 25_000;

/// Resolves a `retrieve` `max_size` the way the node does: 0 or absent counts as unset; when
/// both limits are unset the default (-5) applies; negative `-n` means
/// `RETRIEVE_MAX_SIZE / n`; anything above the maximum (or unset with a count) is capped at it.
pub fn effective_retrieve_max_size(max_count: Option<i32>, max_size: Option<i32>) -> i64 {
    let count = max_count.filter(|c| *c != 0);
    let mut size = max_size.filter(|s| *s != 0);
    if count.is_none() && size.is_none() {
        size = Some(RETRIEVE_DEFAULT_MAX_SIZE);
    }
    match size {
        Some(s) if s < 0 => RETRIEVE_MAX_SIZE / -i64::from(s),
        Some(s) if i64::from(s) <= RETRIEVE_MAX_SIZE => i64::from(s),
        _ => RETRIEVE_MAX_SIZE,
    }
}
