//! `batch` and `sequence`: 1 to 20 sub-requests in one call.
//!
//! Upstream (`request_handler.cpp`): `batch` runs every sub-request (concurrently) and answers
//! `{"results": [{"code", "body"}…]}` in request order; `sequence` runs them one after the
//! other and stops after the first one whose code is not 2xx. Both answer 200; a sub-request's
//! body is its JSON, or its error text as a JSON string. Each sub-request gets the same checks
//! as a request of its own (swarm, signature), and recursive ones go to the whole swarm.

use serde_json::{json, Value};
use session_protocol::rpc::Request;

use super::{join_all, run_single, RpcBody, RpcResponse};
use crate::node::NodeContext;

fn sub_result(r: RpcResponse) -> Value {
    let body = match r.body {
        RpcBody::Json(v) => v,
        RpcBody::Text(t) => Value::String(t),
    };
    json!({"code": r.status.as_u16(), "body": body})
}

/// Answers `batch`.
pub(super) async fn batch(ctx: &NodeContext, subs: Vec<Request>) -> RpcResponse {
    let runs: Vec<_> = subs.into_iter().map(|s| run_single(ctx, s)).collect();
    let results: Vec<Value> = join_all(runs).await.into_iter().map(sub_result).collect();
    RpcResponse::ok(json!({ "results": results }))
}

/// Answers `sequence`.
pub(super) async fn sequence(ctx: &NodeContext, subs: Vec<Request>) -> RpcResponse {
    let mut results = Vec::with_capacity(subs.len());
    for sub in subs {
        let r = Box::pin(run_single(ctx, sub)).await;
        let ok = r.status.is_success();
        results.push(sub_result(r));
        if !ok {
            break;
        }
    }
    RpcResponse::ok(json!({ "results": results }))
}
