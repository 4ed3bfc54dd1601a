//! The node's HTTP surface (session-storage-server `oxenss/server/https.cpp`):
//! * `POST /storage_rpc/v1` — storage RPC ([`super::rpc`]); 503 "Snode not ready" until the node
//!   has joined the network, 429 when rate limited, 410 for the obsolete `x-loki-long-poll`.
//! * `POST /onion_req/v2` — onion requests (to be implemented by the onion phase; 501 now).
//! * `POST /ping_test/v1` — reachability test: 200 with `X-Oxen-Snode-Pubkey: <base64 key>`.
//! * anything else — 404 `"<METHOD> <path> Not Found"`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::rpc::{self, RpcResponse};
use super::NodeContext;

/// Header carrying the node's key in `ping_test` answers.
pub const SNODE_PUBKEY_HEADER: &str = "X-Oxen-Snode-Pubkey";

/// The node's router.
pub fn router(ctx: Arc<NodeContext>) -> Router {
    Router::new()
        .route("/storage_rpc/v1", post(storage_rpc))
        .route("/onion_req/v2", post(onion_req))
        .route("/ping_test/v1", post(ping_test))
        .fallback(not_found)
        .with_state(ctx)
}

/// Checks shared by client-facing endpoints: readiness and the per-client rate limit.
fn admit(ctx: &NodeContext, peer: SocketAddr) -> Result<(), RpcResponse> {
    if !ctx.is_ready() {
        return Err(RpcResponse::error(
            StatusCode::SERVICE_UNAVAILABLE,
            "Snode not ready",
        ));
    }
    if let Some(limiter) = &ctx.rate_limiter {
        if limiter.should_limit(peer.ip(), Instant::now()) {
            tracing::debug!("rate limiting a client");
            return Err(RpcResponse::error(
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests, try again later",
            ));
        }
    }
    Ok(())
}

async fn storage_rpc(
    State(ctx): State<Arc<NodeContext>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refusal) = admit(&ctx, peer) {
        return refusal.into_response();
    }
    if headers.contains_key("x-loki-long-poll") {
        return RpcResponse::error(
            StatusCode::GONE,
            "long polling is no longer supported, client upgrade required",
        )
        .into_response();
    }
    rpc::handle_body(&ctx, &body).await.into_response()
}

async fn onion_req(
    State(ctx): State<Arc<NodeContext>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    _body: Bytes,
) -> Response {
    if let Err(refusal) = admit(&ctx, peer) {
        return refusal.into_response();
    }
    // Filled in by the onion phase (`node/onion.rs`): peel a layer with our X25519 key, then
    // relay to the next node, run a storage RPC, or proxy to a server.
    RpcResponse::error(
        StatusCode::NOT_IMPLEMENTED,
        "onion requests are not implemented by this session-node yet",
    )
    .into_response()
}

async fn ping_test(State(ctx): State<Arc<NodeContext>>) -> Response {
    // Session's nodes send their legacy service-node key here; on current networks that key is
    // the Ed25519 key.
    let key = STANDARD.encode(ctx.identity.ed25519_public());
    (StatusCode::OK, [(SNODE_PUBKEY_HEADER, key)]).into_response()
}

async fn not_found(method: Method, uri: Uri) -> Response {
    (
        StatusCode::NOT_FOUND,
        format!("{method} {} Not Found", uri.path()),
    )
        .into_response()
}
