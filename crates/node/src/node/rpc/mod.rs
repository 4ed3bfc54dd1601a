//! Storage RPC (`POST /storage_rpc/v1` and onion-request final destinations): request parsing
//! and dispatch to one function per method.
//!
//! Request: `{"method": "<name>", "params": {...}}`. Errors follow session-storage-server
//! (`oxenss/rpc/request_handler.cpp`): 400 with a plain-text reason for malformed requests and
//! unknown methods. Methods not implemented yet answer 501.

mod info;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::NodeContext;

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
}

impl RpcResponse {
    /// 200 with a JSON body.
    pub fn ok(body: Value) -> RpcResponse {
        RpcResponse {
            status: StatusCode::OK,
            body: RpcBody::Json(body),
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

/// Parses a request body and runs it.
pub async fn handle_body(ctx: &NodeContext, body: &[u8]) -> RpcResponse {
    let request: Value = match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return RpcResponse::error(StatusCode::BAD_REQUEST, "invalid json"),
    };
    let Some(name) = request.get("method").and_then(Value::as_str) else {
        return RpcResponse::error(
            StatusCode::BAD_REQUEST,
            "invalid request: missing or non-string 'method'",
        );
    };
    let Some(method) = Method::from_name(name) else {
        return RpcResponse::error(StatusCode::BAD_REQUEST, format!("no method {name}"));
    };
    let params = request.get("params").cloned().unwrap_or(Value::Null);
    dispatch(ctx, method, params).await
}

/// Runs one method.
pub async fn dispatch(ctx: &NodeContext, method: Method, _params: Value) -> RpcResponse {
    match method {
        Method::Info => info::info(ctx),
        // Filled in by the RPC phase: one function per method in `node/rpc/<method>.rs`.
        Method::Store
        | Method::Retrieve
        | Method::Delete
        | Method::DeleteAll
        | Method::DeleteBefore
        | Method::Expire
        | Method::ExpireAll
        | Method::GetExpiries
        | Method::RevokeSubaccount
        | Method::UnrevokeSubaccount
        | Method::GetSwarm
        | Method::OxendRequest
        | Method::Batch
        | Method::Sequence
        | Method::IfElse => not_implemented(method),
    }
}

fn not_implemented(method: Method) -> RpcResponse {
    RpcResponse::error(
        StatusCode::NOT_IMPLEMENTED,
        format!(
            "{} is not implemented by this session-node yet",
            method.name()
        ),
    )
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
