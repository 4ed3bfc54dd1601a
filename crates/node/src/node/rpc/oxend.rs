//! `oxend_request`: the two oxend endpoints a node relays for clients.
//!
//! Upstream (`request_handler.cpp` `process_client_req(rpc::oxend_request&&)`): the node asks
//! its oxend and answers `{"result": <oxend's result>, "t", "hf"}`; when oxend fails, 400 with
//! oxend's message (or "Unknown oxend error"). session-node has no oxend: `get_service_nodes`
//! is answered from this node's network view with the seed's own oxend-compatible code
//! ([`crate::seed::json_rpc`], so `fields`, `active_only`, `limit`, `service_node_pubkeys` and
//! `poll_block_hash` behave as at the seed), and `ons_resolve` is asked of the seed's
//! `/json_rpc` (where the network's ONS records live).

use axum::http::StatusCode;
use serde_json::{json, Value};
use session_protocol::rpc::request::{OxendEndpoint, OxendRequestParams};

use super::{add_misc_fields, RpcResponse};
use crate::node::network::NetworkView;
use crate::node::NodeContext;
use crate::seed::json_rpc;
use crate::seed::ons::OnsTable;
use crate::seed::registry::{NodeRecord, RegistrySnapshot};

/// Text of a failed oxend request without a message (upstream's).
pub const UNKNOWN_OXEND_ERROR: &str = "Unknown oxend error";

/// The network view as the seed's registry snapshot.
fn snapshot(view: &NetworkView) -> RegistrySnapshot {
    RegistrySnapshot {
        revision: view.revision,
        nodes: view
            .nodes
            .iter()
            .map(|n| {
                (
                    NodeRecord {
                        pubkey_ed25519: n.pubkey_ed25519,
                        pubkey_x25519: n.pubkey_x25519,
                        public_ip: n.ip,
                        storage_port: n.storage_port,
                        storage_lmq_port: n.storage_lmq_port,
                        version: n.version,
                        swarm_id: n.swarm_id,
                        registration_revision: 0,
                        last_registration_ms: view.fetched_at_ms,
                        last_seen_ms: view.fetched_at_ms,
                    },
                    n.active,
                )
            })
            .collect(),
    }
}

/// Turns a JSON-RPC reply into the node's answer.
fn relay(reply: &Value, now_ms: i64) -> RpcResponse {
    if let Some(result) = reply.get("result") {
        let mut body = json!({ "result": result });
        add_misc_fields(&mut body, now_ms);
        return RpcResponse::ok(body);
    }
    let message = reply
        .pointer("/error/message")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .unwrap_or(UNKNOWN_OXEND_ERROR);
    RpcResponse::error(StatusCode::BAD_REQUEST, message)
}

fn rpc_body(method: &str, params: Option<Value>) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": 0,
        "method": method,
        "params": params.unwrap_or_else(|| json!({})),
    })
}

/// Answers `oxend_request`.
pub(super) async fn oxend_request(
    ctx: &NodeContext,
    p: OxendRequestParams,
    now_ms: i64,
) -> RpcResponse {
    match p.endpoint {
        OxendEndpoint::GetServiceNodes => {
            let view = ctx.network.view();
            let body = rpc_body("get_service_nodes", p.params).to_string();
            let reply = json_rpc::handle(body.as_bytes(), || snapshot(&view), &OnsTable::default());
            relay(&reply, now_ms)
        }
        OxendEndpoint::OnsResolve => {
            let url = format!("{}/json_rpc", ctx.config.seed_url.trim_end_matches('/'));
            let sent = ctx
                .http
                .post(url)
                .json(&rpc_body("ons_resolve", p.params))
                .send()
                .await;
            let reply = match sent {
                Ok(resp) => resp.json::<Value>().await,
                Err(e) => Err(e),
            };
            match reply {
                Ok(reply) => relay(&reply, now_ms),
                Err(e) => {
                    tracing::warn!(error = %e.without_url(), "the seed did not answer ons_resolve");
                    RpcResponse::error(StatusCode::BAD_REQUEST, UNKNOWN_OXEND_ERROR)
                }
            }
        }
    }
}
