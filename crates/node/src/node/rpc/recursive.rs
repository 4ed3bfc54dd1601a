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
use serde_json::{json, Value};
use session_protocol::rpc::Request;

use super::member::MemberResult;
use super::{delete, expire, hardfork, join_all, revoke, store, RpcBody, RpcResponse};
use crate::node::peer::PeerReply;
use crate::node::NodeContext;

/// Runs `request` on this node only (as a swarm member); returns the node's result.
/// `now_ms` is the node clock. Non-recursive requests are not expected here.
pub(super) async fn execute_local(
    ctx: &NodeContext,
    request: &Request,
    now_ms: i64,
) -> MemberResult {
    let now = u64::try_from(now_ms).unwrap_or(0);
    let value = match request {
        Request::Store(p) => return store::execute_one(ctx, p, false).await.0,
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
    };
    MemberResult::Json(value)
}

/// A member's entry in `swarm` for a peer's reply.
fn peer_entry(reply: PeerReply) -> MemberResult {
    let failure = match reply {
        PeerReply::Answer { code, body } if (200..300).contains(&code) => {
            return MemberResult::from_peer(body)
        }
        PeerReply::Answer { code, body } => {
            // A refusal's body is its reason as a JSON string (or some other JSON).
            let reason = serde_json::from_str::<String>(body.get())
                .unwrap_or_else(|_| body.get().to_owned());
            json!({"failed": true, "code": code.to_string(), "reason": reason})
        }
        PeerReply::NoAnswer { reason } => {
            json!({"failed": true, "timeout": true, "reason": reason})
        }
        PeerReply::BadResponse { reason } => {
            json!({"failed": true, "bad_peer_response": true, "reason": reason})
        }
    };
    MemberResult::Json(failure)
}

/// The answer body: `{"swarm": {<member>: result, …}, "hash"?, "t", "hf"}`, written as text
/// (the members' results are copied, not parsed again).
fn answer_json(swarm: &[(String, MemberResult)], hash: Option<&str>, now_ms: i64) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + swarm.len() * 320);
    out.extend_from_slice(b"{\"swarm\":{");
    for (i, (member, result)) in swarm.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        // Member keys are hex: no escaping needed.
        out.push(b'"');
        out.extend_from_slice(member.as_bytes());
        out.extend_from_slice(b"\":");
        result.write_json(&mut out);
    }
    out.push(b'}');
    if let Some(hash) = hash {
        out.extend_from_slice(b",\"hash\":");
        if serde_json::to_writer(&mut out, hash).is_err() {
            out.extend_from_slice(b"null");
        }
    }
    let [hf, revision] = hardfork();
    out.extend_from_slice(format!(",\"t\":{now_ms},\"hf\":[{hf},{revision}]}}").as_bytes());
    out
}

/// Runs an admitted recursive request as the entry node. `original`: the client's request
/// body when it was this request alone (not a sub-request of a batch); it is forwarded as it
/// came, saving a serialisation (the peers parse it with the same parser).
pub(super) async fn run(
    ctx: &NodeContext,
    request: Request,
    now_ms: i64,
    original: Option<&[u8]>,
) -> RpcResponse {
    let me = ctx.identity.ed25519_public();
    let view = ctx.network.view();
    // Serialised once, shared by every peer's queue.
    let item: std::sync::Arc<[u8]> = match original {
        Some(body) => body.into(),
        None => request.to_body().into(),
    };
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
    let (mut mine, hash) = match &request {
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

    let mine_ok = mine.succeeded();
    if hash.is_some() {
        // Upstream puts the (deprecated) clock inside the entry node's own store result.
        match &mut mine {
            MemberResult::Store(r) => r.t = u64::try_from(now_ms).ok(),
            MemberResult::Json(Value::Object(m)) => {
                m.insert("t".into(), Value::from(now_ms));
            }
            _ => {}
        }
    }
    let mut swarm = Vec::with_capacity(keys.len() + 1);
    swarm.push((ctx.identity.ed25519_hex(), mine));
    for (key, reply) in keys.into_iter().zip(replies) {
        swarm.push((hex::encode(key), peer_entry(reply)));
    }
    let any_ok = swarm.iter().any(|(_, r)| r.succeeded());
    let deleted_any = swarm.iter().any(|(_, r)| r.deleted_any());

    let hash = hash.filter(|_| mine_ok);
    let status = match &request {
        _ if !any_ok => StatusCode::INTERNAL_SERVER_ERROR,
        Request::Delete(p) if p.required && !deleted_any => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    };
    RpcResponse {
        status,
        body: RpcBody::Raw(answer_json(&swarm, hash.as_deref(), now_ms)),
    }
}
