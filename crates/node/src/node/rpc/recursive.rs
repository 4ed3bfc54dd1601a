//! Recursive methods (store, delete, delete_all, delete_before, expire, expire_all,
//! (un)revoke_subaccount): the entry node runs the request and has every other member of its
//! swarm run it too, then answers with all the results.
//!
//! Answer (upstream `distribute_command` / `reply_or_fail`): `{"swarm": {<member ed25519 hex>:
//! result}, "t", "hf"}`; a member that failed shows `{"failed": true}` with `timeout: true`
//! (no answer in time or unreachable), `code` and `reason` (it refused), or
//! `bad_peer_response`. 200 when any member succeeded, else 500. `store` also repeats `hash` at
//! the top level and its own result carries `t`; `delete` with `required` turns 404 when no
//! member deleted anything.
//!
//! The request is verified once here; peers get it through the authenticated node-to-node
//! batch ([`crate::node::peer`]) and answer with their own signed results.

use axum::http::StatusCode;
use serde_json::{json, Map, Value};
use session_protocol::rpc::Request;

use super::{add_misc_fields, delete, expire, join_all, revoke, store, RpcBody, RpcResponse};
use crate::node::peer::PeerReply;
use crate::node::NodeContext;

/// Runs `request` on this node only (as a swarm member); returns the node's result JSON.
/// `now_ms` is the node clock. Non-recursive requests are not expected here.
pub(super) async fn execute_local(ctx: &NodeContext, request: &Request, now_ms: i64) -> Value {
    let now = u64::try_from(now_ms).unwrap_or(0);
    match request {
        Request::Store(p) => store::execute_one(ctx, p, false).await.0,
        Request::Delete(p) => delete::delete(ctx, p).await,
        Request::DeleteAll(p) => delete::delete_all(ctx, p).await,
        Request::DeleteBefore(p) => delete::delete_before(ctx, p).await,
        Request::Expire(p) => expire::expire(ctx, p, now).await,
        Request::ExpireAll(p) => expire::expire_all(ctx, p).await,
        Request::RevokeSubaccount(p) => revoke::execute(ctx, p, false).await,
        Request::UnrevokeSubaccount(p) => revoke::execute(ctx, p, true).await,
        other => json!({
            "failed": true,
            "code": "400",
            "reason": format!("{} is not a swarm-wide method", other.method()),
        }),
    }
}

/// A member's entry in `swarm` for a peer's reply.
fn peer_entry(reply: PeerReply) -> Value {
    match reply {
        PeerReply::Answer { code, body } if (200..300).contains(&code) => body,
        PeerReply::Answer { code, body } => {
            let reason = match body {
                Value::String(text) => text,
                other => other.to_string(),
            };
            json!({"failed": true, "code": code.to_string(), "reason": reason})
        }
        PeerReply::NoAnswer { reason } => {
            json!({"failed": true, "timeout": true, "reason": reason})
        }
        PeerReply::BadResponse { reason } => {
            json!({"failed": true, "bad_peer_response": true, "reason": reason})
        }
    }
}

fn succeeded(result: &Value) -> bool {
    result.get("failed").is_none()
}

/// Runs an admitted recursive request as the entry node.
pub(super) async fn run(ctx: &NodeContext, request: Request, now_ms: i64) -> RpcResponse {
    let me = ctx.identity.ed25519_public();
    let view = ctx.network.view();
    // Serialised once, shared by every peer's queue.
    let item: std::sync::Arc<[u8]> = request.to_body().into();
    let forwards: Vec<_> = view
        .peers(&me)
        .into_iter()
        .map(|peer| {
            (
                peer.pubkey_ed25519,
                ctx.rpc.peers.forward(peer, item.clone()),
            )
        })
        .collect();
    drop(view);

    let in_flight = ctx.rpc.recursive_started();
    let (mine, hash) = match &request {
        Request::Store(p) => {
            // With other requests in flight this write may wait a little to share a commit:
            // the answer waits for the peers' round trip anyway.
            let (result, hash) = store::execute_one(ctx, p, in_flight.others > 0).await;
            (result, Some(hash))
        }
        other => (execute_local(ctx, other, now_ms).await, None),
    };
    let (keys, futures): (Vec<[u8; 32]>, Vec<_>) = forwards.into_iter().unzip();
    let replies = join_all(futures).await;

    let mut swarm = Map::new();
    let mine_ok = succeeded(&mine);
    let mut mine = mine;
    if hash.is_some() {
        // Upstream puts the (deprecated) clock inside the entry node's own store result.
        if let Value::Object(m) = &mut mine {
            m.insert("t".into(), Value::from(now_ms));
        }
    }
    swarm.insert(ctx.identity.ed25519_hex(), mine);
    for (key, reply) in keys.into_iter().zip(replies) {
        swarm.insert(hex::encode(key), peer_entry(reply));
    }
    let any_ok = swarm.values().any(succeeded);
    let deleted_any = swarm.values().any(|r| {
        r.get("deleted")
            .and_then(Value::as_array)
            .is_some_and(|d| !d.is_empty())
    });

    let mut body = json!({ "swarm": Value::Object(swarm) });
    if let (Some(hash), true) = (hash, mine_ok) {
        body["hash"] = Value::String(hash);
    }
    add_misc_fields(&mut body, now_ms);
    let status = match &request {
        _ if !any_ok => StatusCode::INTERNAL_SERVER_ERROR,
        Request::Delete(p) if p.required && !deleted_any => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    RpcResponse {
        status,
        body: RpcBody::Json(body),
    }
}
