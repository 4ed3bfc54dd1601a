//! `expire`, `expire_all` (on this node, signed) and `get_expiries`.
//!
//! Upstream (`request_handler.cpp` `process_client_req(rpc::expire_msgs&&)`): each requested
//! expiry is capped at now + 30 days; a subaccount without delete permission can only extend
//! (forced extend-only, although `unchanged` is reported only when the request itself said
//! shorten or extend); the result is `{"expiry": applied (one value, or one per updated hash
//! when several were given), "updated": [sorted], "unchanged": {hash: expiry} (shorten/extend
//! only), "signature"}`. `expire_all` only shortens: `{"updated", "signature"}` like
//! `delete_all`. `get_expiries` answers `{"expiries": {hash: ms}}` and nothing else.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use serde_json::Value;
use session_protocol::rpc::account::access;
use session_protocol::rpc::limits::TTL_MAX_PRIVATE_MS;
use session_protocol::rpc::request::{ExpireParams, GetExpiriesParams, NamespacedTimeParams};
use session_protocol::rpc::response::{ExpireNodeResult, GetExpiriesResponse};
use session_protocol::rpc::ExpireMode;

use super::delete::{bulk_result, namespace_sel};
use super::{node_failure, store_key, RpcResponse};
use crate::node::NodeContext;
use crate::store::ExpireMode as StoreExpireMode;

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// `expire` on this node.
pub(super) async fn expire(ctx: &NodeContext, p: &ExpireParams, now_ms: u64) -> Value {
    let cap = now_ms.saturating_add(TTL_MAX_PRIVATE_MS);
    let applied: Vec<u64> = p.expiry.iter().map(|e| (*e).min(cap)).collect();
    let items: Vec<(String, i64)> = match applied.as_slice() {
        [one] => p
            .messages
            .iter()
            .map(|h| (h.clone(), to_i64(*one)))
            .collect(),
        many => p
            .messages
            .iter()
            .zip(many)
            .map(|(h, e)| (h.clone(), to_i64(*e)))
            .collect(),
    };
    let cannot_delete = p
        .auth
        .subaccount
        .is_some_and(|s| !s.token.has(access::DELETE));
    let mode = match p.mode {
        ExpireMode::Shorten => StoreExpireMode::ShortenOnly,
        ExpireMode::Extend => StoreExpireMode::ExtendOnly,
        ExpireMode::Set if cannot_delete => StoreExpireMode::ExtendOnly,
        ExpireMode::Set => StoreExpireMode::Set,
    };
    let outcome = match ctx.store.expire(store_key(&p.pubkey), items, mode).await {
        Ok(o) => o,
        Err(e) => return node_failure(&e),
    };
    let updated: Vec<(String, u64)> = outcome
        .updated
        .into_iter()
        .map(|(h, e)| (h, to_u64(e)))
        .collect();
    let unchanged: Option<BTreeMap<String, u64>> = (p.mode != ExpireMode::Set).then(|| {
        outcome
            .unchanged
            .into_iter()
            .map(|(h, e)| (h, to_u64(e)))
            .collect()
    });
    let single = match applied.as_slice() {
        [one] => Some(*one),
        _ => None,
    };
    let result = ExpireNodeResult::sign(
        ctx.identity.keypair().signing_key(),
        &p.pubkey,
        &p.messages,
        updated,
        single,
        unchanged,
    );
    serde_json::to_value(result).unwrap_or(Value::Null)
}

/// `expire_all` on this node: shortens every later expiry to the requested one.
pub(super) async fn expire_all(ctx: &NodeContext, p: &NamespacedTimeParams) -> Value {
    let done = ctx
        .store
        .expire_all(
            store_key(&p.pubkey),
            namespace_sel(p.namespace),
            to_i64(p.time_ms),
        )
        .await;
    bulk_result(ctx, p, done, true)
}

/// Answers `get_expiries` (already admitted).
pub(super) async fn get_expiries(ctx: &NodeContext, p: GetExpiriesParams) -> RpcResponse {
    match ctx
        .store
        .get_expiries(store_key(&p.pubkey), p.messages)
        .await
    {
        Ok(found) => {
            let response = GetExpiriesResponse {
                expiries: found.into_iter().map(|(h, e)| (h, to_u64(e))).collect(),
            };
            RpcResponse::ok(serde_json::to_value(response).unwrap_or(Value::Null))
        }
        Err(e) => {
            tracing::error!(error = %e, "get_expiries failed in the database");
            RpcResponse::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal Server Error. Could not read message expiries",
            )
        }
    }
}
