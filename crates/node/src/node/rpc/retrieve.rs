//! `retrieve`: an account's messages in one namespace after `last_hash`.
//!
//! Upstream (`request_handler.cpp` `process_client_req(rpc::retrieve&&)`, `database.cpp`
//! `retrieve`): `max_count`/`max_size` of 0 count as unset; with neither set `max_size` is
//! −5; negative `max_size` is a fraction of 7.8 MB; a count below 1 is 1; the size counts
//! 100 bytes per message plus the hash plus the base64 data, and at least one message is
//! returned. An unknown `last_hash` returns from the start. Answer: `{"messages": [{"hash",
//! "timestamp", "expiration", "data"}], "more", "t", "hf"}` (`expiration` is the name upstream
//! sends and Session desktop reads).

use axum::http::StatusCode;
use session_protocol::rpc::limits::effective_retrieve_max_size;
use session_protocol::rpc::request::RetrieveParams;
use session_protocol::rpc::response::{RetrieveResponse, RetrievedMessage};

use super::{hardfork, store_key, RpcResponse};
use crate::node::NodeContext;
use crate::store::RetrieveQuery;

/// Bytes counted per message on top of its hash and data (upstream `DEFAULT_MSG_OVERHEAD`).
pub const RETRIEVE_MESSAGE_OVERHEAD: usize = 100;

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

/// Answers `retrieve` (already admitted: right swarm, signature checked).
pub(super) async fn retrieve(ctx: &NodeContext, p: RetrieveParams, now_ms: i64) -> RpcResponse {
    let max_count = p
        .max_count
        .filter(|c| *c != 0)
        .map(|c| usize::try_from(c.max(1)).unwrap_or(1));
    let max_size = effective_retrieve_max_size(p.max_count, p.max_size);
    let query = RetrieveQuery {
        pubkey: store_key(&p.pubkey),
        namespace: p.namespace.get(),
        last_hash: p.last_hash,
        max_count,
        max_size: Some(usize::try_from(max_size).unwrap_or(usize::MAX)),
        per_message_overhead: RETRIEVE_MESSAGE_OVERHEAD,
        size_as_base64: true,
        now_ms,
    };
    let retrieved = match ctx.store.retrieve(query).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "retrieve failed in the database");
            return RpcResponse::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error. Could not retrieve messages",
            );
        }
    };
    let response = RetrieveResponse {
        messages: retrieved
            .messages
            .into_iter()
            .map(|m| RetrievedMessage {
                hash: m.hash,
                timestamp: to_u64(m.timestamp_ms),
                expiry: to_u64(m.expiry_ms),
                data: m.data,
            })
            .collect(),
        more: retrieved.more,
        t: Some(to_u64(now_ms)),
        hf: Some(hardfork()),
    };
    // Straight to bytes, sized once: no `Value` tree and no per-message strings for what can
    // be dozens of messages.
    RpcResponse::ok_raw(response.to_json_bytes())
}
