//! `batch` and `sequence`: 1 to 20 sub-requests in one call.
//!
//! Upstream (`request_handler.cpp`): `batch` runs every sub-request (concurrently) and answers
//! `{"results": [{"code", "body"}…]}` in request order; `sequence` runs them one after the
//! other and stops after the first one whose code is not 2xx. Both answer 200; a sub-request's
//! body is its JSON, or its error text as a JSON string. Each sub-request gets the same checks
//! as a request of its own (swarm, signature), and recursive ones go to the whole swarm.

use session_protocol::rpc::Request;

use super::{join_all, run_single, RpcResponse};
use crate::node::NodeContext;

/// `{"results": [{"code", "body"}…]}` written as bytes: sub-answers that are already
/// serialised (retrieves) are copied in, not parsed into a tree and written again.
fn results_json(results: &[RpcResponse]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + results.len() * 256);
    out.extend_from_slice(b"{\"results\":[");
    for (i, r) in results.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(format!("{{\"code\":{},\"body\":", r.status.as_u16()).as_bytes());
        r.body.write_json(&mut out);
        out.push(b'}');
    }
    out.extend_from_slice(b"]}");
    out
}

/// Answers `batch`.
pub(super) async fn batch(ctx: &NodeContext, subs: Vec<Request>) -> RpcResponse {
    let runs: Vec<_> = subs.into_iter().map(|s| run_single(ctx, s)).collect();
    RpcResponse::ok_raw(results_json(&join_all(runs).await))
}

/// Answers `sequence`.
pub(super) async fn sequence(ctx: &NodeContext, subs: Vec<Request>) -> RpcResponse {
    let mut results = Vec::with_capacity(subs.len());
    for sub in subs {
        let r = Box::pin(run_single(ctx, sub)).await;
        let ok = r.status.is_success();
        results.push(r);
        if !ok {
            break;
        }
    }
    RpcResponse::ok_raw(results_json(&results))
}
