//! `delete`, `delete_all` and `delete_before` on this node, with the signed node results.
//!
//! Upstream (`request_handler.cpp`): `delete` answers `{"deleted": [sorted hashes],
//! "signature"}` signed over `PUBKEY_HEX ‖ requested… ‖ deleted…`; `delete_all` and
//! `delete_before` answer `{"deleted": [sorted] or {ns: [sorted]} for "all", "signature"}`
//! signed over `PUBKEY_HEX ‖ timestamp|before ‖ all deleted hashes sorted`. `delete` with
//! `required: true` becomes 404 when no member deleted anything ([`super::recursive`]).

use serde_json::Value;
use session_protocol::rpc::request::{DeleteParams, NamespacedTimeParams};
use session_protocol::rpc::response::{AffectedHashes, BulkNodeResult, DeleteNodeResult};
use session_protocol::rpc::NamespaceSelector;

use super::{node_failure, store_key};
use crate::node::NodeContext;
use crate::store::{NamespaceSel, StoreError};

/// The store's namespace selection for a request's selector.
pub(super) fn namespace_sel(sel: NamespaceSelector) -> NamespaceSel {
    match sel {
        NamespaceSelector::One(ns) => NamespaceSel::One(ns.get()),
        NamespaceSelector::All => NamespaceSel::All,
    }
}

/// Affected hashes in the shape upstream answers: a sorted list for one namespace, a map of
/// sorted lists for all.
pub(super) fn affected(sel: NamespaceSelector, pairs: Vec<(i16, String)>) -> AffectedHashes {
    match sel {
        NamespaceSelector::All => AffectedHashes::by_namespace(pairs),
        NamespaceSelector::One(_) => {
            let mut hashes: Vec<String> = pairs.into_iter().map(|(_, h)| h).collect();
            hashes.sort();
            AffectedHashes::One(hashes)
        }
    }
}

/// Signs a bulk result (`updated`: the `expire_all` key).
pub(super) fn bulk_result(
    ctx: &NodeContext,
    p: &NamespacedTimeParams,
    done: Result<Vec<(i16, String)>, StoreError>,
    updated: bool,
) -> Value {
    match done {
        Ok(pairs) => {
            let result = BulkNodeResult::sign(
                ctx.identity.keypair().signing_key(),
                &p.pubkey,
                p.time_ms,
                affected(p.namespace, pairs),
                updated,
            );
            serde_json::to_value(result).unwrap_or(Value::Null)
        }
        Err(e) => node_failure(&e),
    }
}

/// `delete` on this node.
pub(super) async fn delete(ctx: &NodeContext, p: &DeleteParams) -> Value {
    match ctx
        .store
        .delete_by_hashes(store_key(&p.pubkey), p.messages.clone())
        .await
    {
        Ok(deleted) => {
            let result = DeleteNodeResult::sign(
                ctx.identity.keypair().signing_key(),
                &p.pubkey,
                &p.messages,
                deleted,
            );
            serde_json::to_value(result).unwrap_or(Value::Null)
        }
        Err(e) => node_failure(&e),
    }
}

/// `delete_all` on this node.
pub(super) async fn delete_all(ctx: &NodeContext, p: &NamespacedTimeParams) -> Value {
    let done = ctx
        .store
        .delete_all(store_key(&p.pubkey), namespace_sel(p.namespace))
        .await;
    bulk_result(ctx, p, done, false)
}

/// `delete_before` on this node (messages with timestamp ≤ `before`).
pub(super) async fn delete_before(ctx: &NodeContext, p: &NamespacedTimeParams) -> Value {
    let before = i64::try_from(p.time_ms).unwrap_or(i64::MAX);
    let done = ctx
        .store
        .delete_before(store_key(&p.pubkey), namespace_sel(p.namespace), before)
        .await;
    bulk_result(ctx, p, done, false)
}
