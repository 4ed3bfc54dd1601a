//! `get_swarm` (alias `get_snodes_for_pubkey`) and the body of 421 Misdirected Request.
//!
//! Both answer `{"snodes": [...], "swarm": "<hex id>", "t", "hf"}` for the account's swarm as
//! this node sees the network (upstream `swarm_to_json` + `add_misc_response_fields`); an
//! account no swarm covers (no nodes known) gets `"swarm": "ffffffffffffffff"` and no nodes.
//! Only nodes the seed lists as active are returned: clients pick from this list.

use axum::http::StatusCode;
use session_protocol::rpc::request::GetSwarmParams;
use session_protocol::rpc::response::GetSwarmResponse;
use session_protocol::rpc::{AccountPubkey, SwarmNode};

use super::{hardfork, RpcResponse};
use crate::node::network::NetworkView;
use crate::node::NodeContext;
use crate::swarm::INVALID_SWARM_ID;

/// The swarm JSON for `account`.
pub(crate) fn swarm_response(
    view: &NetworkView,
    account: &AccountPubkey,
    now_ms: i64,
) -> GetSwarmResponse {
    let now = u64::try_from(now_ms).unwrap_or(0);
    let Some(swarm_id) = view.swarm_for_key(account.key()) else {
        return GetSwarmResponse::new(INVALID_SWARM_ID, Vec::new(), now, hardfork());
    };
    let snodes = view
        .swarm_members(swarm_id)
        .into_iter()
        .filter(|n| n.active)
        .map(|n| {
            SwarmNode::new(
                n.ip.to_string(),
                n.storage_port,
                n.storage_lmq_port,
                n.pubkey_x25519,
                n.pubkey_ed25519,
            )
        })
        .collect();
    GetSwarmResponse::new(swarm_id, snodes, now, hardfork())
}

fn to_json(body: &GetSwarmResponse) -> serde_json::Value {
    serde_json::to_value(body).unwrap_or(serde_json::Value::Null)
}

/// Answers `get_swarm` (any account, from the network view; never 421).
pub(super) fn get_swarm(ctx: &NodeContext, p: &GetSwarmParams, now_ms: i64) -> RpcResponse {
    let view = ctx.network.view();
    RpcResponse::ok(to_json(&swarm_response(&view, &p.pubkey, now_ms)))
}

/// 421 with the swarm that does hold `account`.
pub(crate) fn misdirected(view: &NetworkView, account: &AccountPubkey, now_ms: i64) -> RpcResponse {
    tracing::trace!("request for an account of another swarm");
    RpcResponse {
        status: StatusCode::MISDIRECTED_REQUEST,
        body: super::RpcBody::Json(to_json(&swarm_response(view, account, now_ms))),
    }
}
