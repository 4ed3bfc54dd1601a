//! The node's HTTP surface (session-storage-server `oxenss/server/https.cpp`):
//! * `POST /storage_rpc/v1` — storage RPC ([`super::rpc`]); 503 "Snode not ready" until the node
//!   has joined the network, 429 when rate limited, 410 for the obsolete `x-loki-long-poll`.
//! * `POST /onion_req/v2` — onion requests ([`super::onion`]); 503 until joined, no rate limit.
//! * `POST /ping_test/v1` — reachability test: 200 with `X-Oxen-Snode-Pubkey: <base64 key>`.
//! * anything else — 404 `"<METHOD> <path> Not Found"`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use session_protocol::onion::snode_not_ready_body;

use super::onion;
use super::rpc::{self, RpcResponse};
use super::NodeContext;

/// Header carrying the node's key in `ping_test` answers.
pub const SNODE_PUBKEY_HEADER: &str = "X-Oxen-Snode-Pubkey";

/// The node's router.
pub fn router(ctx: Arc<NodeContext>) -> Router {
    Router::new()
        .route(
            "/storage_rpc/v1",
            post(storage_rpc).layer(DefaultBodyLimit::max(rpc::MAX_REQUEST_BODY)),
        )
        .route(
            super::peer::FORWARD_PATH,
            post(super::peer::forward_handler)
                .layer(DefaultBodyLimit::max(super::peer::MAX_FORWARD_BODY)),
        )
        .route(
            "/onion_req/v2",
            post(onion_req).layer(DefaultBodyLimit::max(onion::MAX_REQUEST_BODY)),
        )
        .route("/ping_test/v1", post(ping_test))
        .merge(super::sync::routes())
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
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    if let Err(refusal) = admit(&ctx, peer) {
        return refusal.into_response();
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) => return rpc::body_rejection(rejection),
    };
    if headers.contains_key("x-loki-long-poll") {
        return RpcResponse::error(
            StatusCode::GONE,
            "long polling is no longer supported, client upgrade required",
        )
        .into_response();
    }
    rpc::handle_body(&ctx, &body).await.into_response()
}

async fn onion_req(State(ctx): State<Arc<NodeContext>>, body: Bytes) -> Response {
    // As session-storage-server: readiness only, no per-client rate limit (relays reach the
    // next node through this endpoint, so limiting by IP would throttle whole paths).
    if !ctx.is_ready() {
        return onion::OnionReply::text(
            StatusCode::SERVICE_UNAVAILABLE,
            snode_not_ready_body(&ctx.identity.ed25519_public()),
        )
        .into_response();
    }
    onion::handle(&ctx, body).await.into_response()
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
