//! `info`: the node's version and clock.
//!
//! Answer (session-storage-server `request_handler.cpp`, `process_client_req(rpc::info&&)` plus
//! `add_misc_response_fields`): `{"version": [x, y, z], "timestamp": <ms>, "t": <ms>,
//! "hf": [<hardfork>, <revision>]}`.

use serde_json::json;

use super::RpcResponse;
use crate::node::NodeContext;
use crate::time::now_ms;
use crate::{NETWORK_HARDFORK, SNODE_REVISION, STORAGE_SERVER_VERSION};

/// Answers `info`.
pub(super) fn info(_ctx: &NodeContext) -> RpcResponse {
    let now = now_ms();
    RpcResponse::ok(json!({
        "version": STORAGE_SERVER_VERSION,
        "timestamp": now,
        "t": now,
        "hf": [NETWORK_HARDFORK, SNODE_REVISION],
    }))
}
