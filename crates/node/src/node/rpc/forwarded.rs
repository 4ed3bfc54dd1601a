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

use super::recursive::execute_local;
use super::{admit, store, RpcResponse};
use crate::node::NodeContext;

/// Text for a forwarded request that is not swarm-wide (upstream's wording).
pub const NOT_FORWARDABLE: &str =
    "invalid request: received invalid forwarded non-forwardable request";

fn answer(code: u16, body: Value) -> Value {
    let mut map = serde_json::Map::new();
    map.insert("code".into(), Value::from(code));
    map.insert("body".into(), body);
    Value::Object(map)
}

fn refusal(r: RpcResponse) -> Value {
    answer(r.status.as_u16(), r.body.into_value())
}

enum Item {
    Done(Value),
    Store(Box<StoreParams>),
    Other(Box<Request>),
}

async fn flush_stores(ctx: &NodeContext, items: &[Item], results: &mut [Option<Value>]) {
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
        results[i] = Some(answer(200, result));
    }
}

/// Runs a forwarded batch; one `{"code", "body"}` per request, in order.
pub(crate) async fn run_forwarded(ctx: &NodeContext, requests: &[Value]) -> Vec<Value> {
    let now = ctx.rpc.now_ms();
    let mut items: Vec<Item> = requests
        .iter()
        .map(|raw| match Request::from_json(raw) {
            Err(e) => Item::Done(answer(400, Value::String(e.to_string()))),
            Ok(r) if !r.is_recursive() => {
                Item::Done(answer(400, Value::String(NOT_FORWARDABLE.into())))
            }
            Ok(r) => match admit(ctx, &r, now, true) {
                Err(refused) => Item::Done(refusal(refused)),
                Ok(()) => match r {
                    Request::Store(p) => Item::Store(Box::new(p)),
                    other => Item::Other(Box::new(other)),
                },
            },
        })
        .collect();

    let mut results: Vec<Option<Value>> = items
        .iter_mut()
        .map(|it| match it {
            Item::Done(v) => Some(std::mem::take(v)),
            _ => None,
        })
        .collect();
    // Stores before each other request are written first, so the batch keeps its order.
    for i in 0..items.len() {
        if let Item::Other(request) = &items[i] {
            flush_stores(ctx, &items[..i], &mut results[..i]).await;
            results[i] = Some(answer(200, execute_local(ctx, request, now).await));
        }
    }
    flush_stores(ctx, &items, &mut results).await;
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| answer(500, Value::String("request failed".into()))))
        .collect()
}
