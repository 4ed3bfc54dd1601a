//! Storage RPC (`POST /storage_rpc/v1` and onion-request final destinations): parsing with
//! `session_protocol::rpc::Request`, the checks every account method shares (wrong swarm 421,
//! signatures and time windows, subaccount revocation), and one module per method family.
//!
//! Order of checks (session-storage-server `request_handler.cpp`): parse (400 with the parser's
//! text), then for a method on an account the swarm check (421 with the swarm JSON of the
//! account), then the signature/time/TTL checks (401/403/406 with upstream's texts), then the
//! method. Recursive methods (store, delete*, expire*, (un)revoke_subaccount) run here and on
//! every other swarm member ([`recursive`], [`crate::node::peer`]).
//! Not supported: `ifelse` (answered 400 "no method ifelse").

mod batch;
mod delete;
mod expire;
mod forwarded;
mod info;
pub mod keys;
mod member;
mod oxend;
mod recursive;
mod retrieve;
mod revoke;
mod state;
mod store;
mod swarm;

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use axum::extract::rejection::BytesRejection;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use session_protocol::rpc::request::RequestError;
use session_protocol::rpc::status::TEXT_BODY_TOO_LARGE;
use session_protocol::rpc::{AccountPubkey, AuthError, Request};

use super::NodeContext;
use crate::store::{AccountKey, StoreError};
use crate::{NETWORK_HARDFORK, SNODE_REVISION};
pub(crate) use forwarded::{answers_json, run_forwarded};
pub use state::RpcState;

/// A storage-RPC answer: status plus a JSON or plain-text body.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcResponse {
    /// HTTP status.
    pub status: StatusCode,
    /// Body.
    pub body: RpcBody,
}

/// Body of an [`RpcResponse`].
#[derive(Debug, Clone, PartialEq)]
pub enum RpcBody {
    /// `application/json`.
    Json(Value),
    /// `text/plain` (error reasons).
    Text(String),
    /// `application/json` already serialised (hot answers such as `retrieve`, written straight
    /// from typed structs without a `Value` tree).
    Raw(Vec<u8>),
}

impl RpcBody {
    /// The body as a JSON value (a text body becomes a JSON string). Parses a [`RpcBody::Raw`]
    /// body: for the rare callers that need a tree.
    pub fn into_value(self) -> Value {
        match self {
            RpcBody::Json(v) => v,
            RpcBody::Text(t) => Value::String(t),
            RpcBody::Raw(bytes) => serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Appends the body as JSON text to `out` (a text body as a JSON string), without parsing a
    /// [`RpcBody::Raw`] body again.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        let written = match self {
            RpcBody::Json(v) => serde_json::to_writer(&mut *out, v),
            RpcBody::Text(t) => serde_json::to_writer(&mut *out, t),
            RpcBody::Raw(bytes) => {
                out.extend_from_slice(bytes);
                Ok(())
            }
        };
        if written.is_err() {
            // Writing to a Vec only fails for non-string map keys, which no body has.
            out.extend_from_slice(b"null");
        }
    }
}

impl RpcResponse {
    /// 200 with a JSON body.
    pub fn ok(body: Value) -> RpcResponse {
        RpcResponse {
            status: StatusCode::OK,
            body: RpcBody::Json(body),
        }
    }

    /// 200 with a body already serialised as JSON.
    pub fn ok_raw(json: Vec<u8>) -> RpcResponse {
        RpcResponse {
            status: StatusCode::OK,
            body: RpcBody::Raw(json),
        }
    }

    /// An error status with a plain-text reason.
    pub fn error(status: StatusCode, reason: impl Into<String>) -> RpcResponse {
        RpcResponse {
            status,
            body: RpcBody::Text(reason.into()),
        }
    }
}

impl IntoResponse for RpcResponse {
    fn into_response(self) -> Response {
        match self.body {
            RpcBody::Json(v) => (self.status, axum::Json(v)).into_response(),
            RpcBody::Text(t) => (
                self.status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                t,
            )
                .into_response(),
            RpcBody::Raw(bytes) => (
                self.status,
                [(header::CONTENT_TYPE, "application/json")],
                bytes,
            )
                .into_response(),
        }
    }
}

/// Storage-RPC methods (PROTOCOL.md §4), with their aliases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `store`
    Store,
    /// `retrieve`
    Retrieve,
    /// `delete`
    Delete,
    /// `delete_all`
    DeleteAll,
    /// `delete_before`
    DeleteBefore,
    /// `expire`
    Expire,
    /// `expire_all`
    ExpireAll,
    /// `get_expiries`
    GetExpiries,
    /// `revoke_subaccount`
    RevokeSubaccount,
    /// `unrevoke_subaccount`
    UnrevokeSubaccount,
    /// `get_swarm` (alias `get_snodes_for_pubkey`)
    GetSwarm,
    /// `oxend_request`
    OxendRequest,
    /// `info`
    Info,
    /// `batch`
    Batch,
    /// `sequence`
    Sequence,
    /// `ifelse`
    IfElse,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 16] = [
        Method::Store,
        Method::Retrieve,
        Method::Delete,
        Method::DeleteAll,
        Method::DeleteBefore,
        Method::Expire,
        Method::ExpireAll,
        Method::GetExpiries,
        Method::RevokeSubaccount,
        Method::UnrevokeSubaccount,
        Method::GetSwarm,
        Method::OxendRequest,
        Method::Info,
        Method::Batch,
        Method::Sequence,
        Method::IfElse,
    ];

    /// The method for a request's `method` string.
    pub fn from_name(name: &str) -> Option<Method> {
        if name == "get_snodes_for_pubkey" {
            return Some(Method::GetSwarm);
        }
        Method::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Method::Store => "store",
            Method::Retrieve => "retrieve",
            Method::Delete => "delete",
            Method::DeleteAll => "delete_all",
            Method::DeleteBefore => "delete_before",
            Method::Expire => "expire",
            Method::ExpireAll => "expire_all",
            Method::GetExpiries => "get_expiries",
            Method::RevokeSubaccount => "revoke_subaccount",
            Method::UnrevokeSubaccount => "unrevoke_subaccount",
            Method::GetSwarm => "get_swarm",
            Method::OxendRequest => "oxend_request",
            Method::Info => "info",
            Method::Batch => "batch",
            Method::Sequence => "sequence",
            Method::IfElse => "ifelse",
        }
    }
}

/// Largest `/storage_rpc/v1` body read (10 MiB); larger gets 413 "Request body too large".
pub const MAX_REQUEST_BODY: usize = session_protocol::rpc::limits::MAX_REQUEST_BODY;

/// The answer to a request body that could not be read: 413 with upstream's text when it is
/// too large.
pub fn body_rejection(rejection: BytesRejection) -> Response {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        RpcResponse::error(StatusCode::PAYLOAD_TOO_LARGE, TEXT_BODY_TOO_LARGE).into_response()
    } else {
        rejection.into_response()
    }
}

/// Parses a request body and runs it.
pub async fn handle_body(ctx: &NodeContext, body: &[u8]) -> RpcResponse {
    match Request::parse(body) {
        Ok(request @ (Request::Batch(_) | Request::Sequence(_))) => handle(ctx, request).await,
        // A request on its own: its body can be forwarded to the swarm as it came.
        Ok(single) => run_single_with(ctx, single, Some(body)).await,
        Err(e) => RpcResponse::error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// Runs one method with its JSON `params` (an object).
pub async fn dispatch(ctx: &NodeContext, method: Method, params: Value) -> RpcResponse {
    let Value::Object(params) = params else {
        return RpcResponse::error(StatusCode::BAD_REQUEST, RequestError::NoParams.to_string());
    };
    match Request::from_method_params(method.name(), &params) {
        Ok(request) => handle(ctx, request).await,
        Err(e) => RpcResponse::error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

/// Runs a parsed request from a client.
pub async fn handle(ctx: &NodeContext, request: Request) -> RpcResponse {
    match request {
        Request::Batch(subs) => batch::batch(ctx, subs).await,
        Request::Sequence(subs) => batch::sequence(ctx, subs).await,
        single => run_single(ctx, single).await,
    }
}

/// Runs one non-batch request from a client (the entry point of recursive requests).
pub(crate) async fn run_single(ctx: &NodeContext, request: Request) -> RpcResponse {
    run_single_with(ctx, request, None).await
}

/// [`run_single`] with the request's own body when it came alone (`original`), which a
/// recursive request forwards to its swarm instead of serialising the request again.
async fn run_single_with(
    ctx: &NodeContext,
    request: Request,
    original: Option<&[u8]>,
) -> RpcResponse {
    let now = ctx.rpc.now_ms();
    if let Err(refusal) = admit(ctx, &request, now, false) {
        return refusal;
    }
    match request {
        Request::Info => info::info(ctx),
        Request::GetSwarm(p) => swarm::get_swarm(ctx, &p, now),
        Request::OxendRequest(p) => oxend::oxend_request(ctx, p, now).await,
        Request::Retrieve(p) => retrieve::retrieve(ctx, p, now).await,
        Request::GetExpiries(p) => expire::get_expiries(ctx, p).await,
        Request::Batch(_) | Request::Sequence(_) => RpcResponse::error(
            StatusCode::BAD_REQUEST,
            RequestError::BatchNested.to_string(),
        ),
        recursive_request => recursive::run(ctx, recursive_request, now, original).await,
    }
}

/// The checks before a request on an account runs: the account must belong to this node's
/// swarm (else 421 with the right swarm), the request must verify at `now` (`forwarded`: a
/// copy relayed by a swarm peer, whose windows are wider), and a subaccount token must not be
/// revoked.
///
/// A forwarded `store` is not signature-checked again: the entry node verified it and the
/// forward itself is authenticated ([`crate::node::peer`]: signed by a node this node knows as
/// a member of its own swarm); its TTL and clock rules still apply. (Upstream SSS likewise
/// relays recursive requests to the other members over its authenticated node-to-node OxenMQ
/// channel, `sn.storage_cc`.)
pub(crate) fn admit(
    ctx: &NodeContext,
    request: &Request,
    now_ms: i64,
    forwarded: bool,
) -> Result<(), RpcResponse> {
    let Some(account) = request.account() else {
        return Ok(());
    };
    let view = ctx.network.view();
    if !view.is_mine(account.key()) {
        return Err(swarm::misdirected(&view, account, now_ms));
    }
    let now = u64::try_from(now_ms).unwrap_or(0);
    let verified = match request {
        Request::Store(p) if forwarded => store::check_rules(p, now),
        _ => request.verify_with(now, forwarded, &ctx.rpc.signer_keys),
    };
    verified.map_err(|e| auth_refusal(&e))?;
    if let Some(token) = request.subaccount_to_check() {
        if ctx.rpc.revocations.is_revoked(account, token) {
            let refused = AuthError::SignatureFailed(signature_wording(request));
            return Err(auth_refusal(&refused));
        }
    }
    Ok(())
}

fn auth_refusal(e: &AuthError) -> RpcResponse {
    RpcResponse::error(status(e.http_status()), e.to_string())
}

/// How upstream names a method in "… signature verification failed".
fn signature_wording(request: &Request) -> &'static str {
    match request {
        Request::Delete(_) => "delete_msgs",
        Request::Expire(_) => "expire:",
        other => other.method(),
    }
}

/// An axum status from a numeric code (500 for nonsense).
pub(crate) fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `[hardfork, revision]` as nodes report it in `hf`.
pub(crate) fn hardfork() -> [u16; 2] {
    [NETWORK_HARDFORK, SNODE_REVISION]
}

/// Adds `t` and `hf` to a JSON object (upstream `add_misc_response_fields`).
pub(crate) fn add_misc_fields(body: &mut Value, now_ms: i64) {
    if let Value::Object(map) = body {
        map.insert("t".into(), Value::from(now_ms));
        map.insert("hf".into(), serde_json::json!(hardfork()));
    }
}

/// A swarm member's result when its database failed.
pub(crate) fn node_failure(e: &StoreError) -> Value {
    tracing::warn!(error = %e, "a storage request failed in the database");
    serde_json::json!({"failed": true, "query_failure": true, "reason": e.to_string()})
}

/// The account key as the store keeps it.
pub(crate) fn store_key(account: &AccountPubkey) -> AccountKey {
    account.to_bytes33()
}

/// Runs futures concurrently on the current task and returns their outputs in order.
pub(crate) async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            Poll::Pending
        } else {
            Poll::Ready(())
        }
    })
    .await;
    outputs.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for m in Method::ALL {
            assert_eq!(Method::from_name(m.name()), Some(m));
        }
        assert_eq!(
            Method::from_name("get_snodes_for_pubkey"),
            Some(Method::GetSwarm)
        );
        assert_eq!(Method::from_name("nope"), None);
    }
}
