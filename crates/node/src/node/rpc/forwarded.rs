//! The swarm-peer side of recursive requests: a batch of requests forwarded by the entry node
//! (already authenticated as a member of this swarm by [`crate::node::peer`]) is run here
//! without further recursion.
//!
//! Each request is parsed again, must be a recursive method on an account of this swarm (421
//! otherwise, like upstream), and is checked with the forwarded windows (stores: TTL and clock
//! rules only, see [`super::admit`]). Runs of consecutive stores are written with one
//! `store_many`; other requests run one by one, in order. Each answer is `{"code", "body"}`:
//! 200 with this node's result (which may itself say `"failed": true`), or the refusal.

use serde_json::Value;
use session_protocol::rpc::request::StoreParams;
use session_protocol::rpc::Request;

use super::member::MemberResult;
use super::recursive::execute_local;
use super::{admit, store, RpcResponse};
use crate::node::NodeContext;

/// Text for a forwarded request that is not swarm-wide (upstream's wording).
pub const NOT_FORWARDABLE: &str =
    "invalid request: received invalid forwarded non-forwardable request";

/// One request's answer in a forward batch: status and body.
pub(crate) type Answer = (u16, MemberResult);

fn text(code: u16, reason: &str) -> Answer {
    (code, MemberResult::Json(Value::String(reason.to_owned())))
}

fn refusal(r: RpcResponse) -> Answer {
    (r.status.as_u16(), MemberResult::Json(r.body.into_value()))
}

/// `{"results": [{"code", "body"}, …]}` as bytes.
pub(crate) fn answers_json(answers: &[Answer]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + answers.len() * 300);
    out.extend_from_slice(b"{\"results\":[");
    for (i, (code, body)) in answers.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(format!("{{\"code\":{code},\"body\":").as_bytes());
        body.write_json(&mut out);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

enum Item {
    Done(Answer),
    Store(Box<StoreParams>),
    Other(Box<Request>),
}

async fn flush_stores(ctx: &NodeContext, items: &[Item], results: &mut [Option<Answer>]) {
    let indices: Vec<usize> = items
        .iter()
        .enumerate()
        .filter(|(i, it)| matches!(it, Item::Store(_)) && results[*i].is_none())
        .map(|(i, _)| i)
        .collect();
    if indices.is_empty() {
        return;
    }
    let params: Vec<&StoreParams> = indices
        .iter()
        .filter_map(|i| match &items[*i] {
            Item::Store(p) => Some(&**p),
            _ => None,
        })
        .collect();
    let written = store::execute_many(ctx, &params).await;
    for (i, result) in indices.into_iter().zip(written) {
        results[i] = Some((200, result));
    }
}

/// Runs a forwarded batch; one `{"code", "body"}` per request, in order.
pub(crate) async fn run_forwarded(ctx: &NodeContext, requests: &[Value]) -> Vec<Answer> {
    let now = ctx.rpc.now_ms();
    let mut items: Vec<Item> = requests
        .iter()
        .map(|raw| match Request::from_json(raw) {
            Err(e) => Item::Done(text(400, &e.to_string())),
            Ok(r) if !r.is_recursive() => Item::Done(text(400, NOT_FORWARDABLE)),
            Ok(r) => match admit(ctx, &r, now, true) {
                Err(refused) => Item::Done(refusal(refused)),
                Ok(()) => match r {
                    Request::Store(p) => Item::Store(Box::new(p)),
                    other => Item::Other(Box::new(other)),
                },
            },
        })
        .collect();

    let mut results: Vec<Option<Answer>> = items
        .iter_mut()
        .map(|it| match it {
            Item::Done(done) => Some(std::mem::replace(
                done,
                (0, MemberResult::Json(Value::Null)),
            )),
            _ => None,
        })
        .collect();
    // Stores before each other request are written first, so the batch keeps its order.
    for i in 0..items.len() {
        if let Item::Other(request) = &items[i] {
            flush_stores(ctx, &items[..i], &mut results[..i]).await;
            results[i] = Some((200, execute_local(ctx, request, now).await));
        }
    }
    flush_stores(ctx, &items, &mut results).await;
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| text(500, "request failed")))
        .collect()
}
