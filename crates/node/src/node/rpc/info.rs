//! `info`: the node's version and clock.
//!
//! Answer (session-storage-server `request_handler.cpp`, `process_client_req(rpc::info&&)` plus
//! `add_misc_response_fields`): `{"version": [x, y, z], "timestamp": <ms>, "t": <ms>,
//! "hf": [<hardfork>, <revision>]}`.

use serde_json::json;

use super::{add_misc_fields, RpcResponse};
use crate::node::NodeContext;
use crate::STORAGE_SERVER_VERSION;

/// Answers `info`.
pub(super) fn info(ctx: &NodeContext) -> RpcResponse {
    let now = ctx.rpc.now_ms();
    let mut body = json!({
        "version": STORAGE_SERVER_VERSION,
        "timestamp": now,
    });
    add_misc_fields(&mut body, now);
    RpcResponse::ok(body)
}
