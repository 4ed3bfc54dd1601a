//! `POST /onion_req/v2`: remove this node's onion layer and act on what is inside
//! (PROTOCOL.md §6; session-storage-server `process_onion_req_v2`, `process_onion_req`,
//! `wrap_proxy_response` in `oxenss/server/https.cpp` and `oxenss/rpc/request_handler.cpp`).
//!
//! Answers, as upstream (confirmed at SSS 8616387):
//! * outer frame or header JSON unparsable → 400 `"Error parsing onion request: …"` (plain);
//! * `hop_no` above [`MAX_ONION_HOPS`] → 400 [`HOP_LIMIT_TEXT`] (plain);
//! * layer does not decrypt → 400 `"Invalid ciphertext"` (plain);
//! * routing JSON inside the layer bad → 200 carrying an *encrypted* `{"status":400,"body":
//!   "Invalid json"}`; a server route that is not allowed → the same with `"Invalid url"`;
//! * forward → the next node's status and body unchanged, 502 `"Next node not found: <ed25519>"`
//!   for a node missing from the network view, 504 `"Request time out"` when it does not
//!   answer (see [`relay`]);
//! * this node is the destination → the storage RPC runs exactly as on `/storage_rpc/v1`
//!   and its status and body travel encrypted inside a 200;
//! * server → its status, content type and body (see [`relay`]).
//!
//! Nothing here logs keys, addresses or host names above debug level.

mod relay;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use session_protocol::onion::{
    encode_snode_reply, open_layer, CombinedPayload, LayerAction, LayerHeader, OnionError,
    OpenedLayer, SnodeFlags, SnodeReplyBody, X25519Keypair, INVALID_CIPHERTEXT_TEXT,
    INVALID_JSON_TEXT, INVALID_URL_TEXT,
};

use super::rpc::{self, RpcBody};
use super::NodeContext;
use crate::identity::NodeIdentity;

/// Largest `/onion_req/v2` body accepted (session-storage-server's `MAX_REQUEST_BODY_SIZE`);
/// onion requests carry file-server uploads, so this is well above the storage RPC's needs.
pub const MAX_REQUEST_BODY: usize = 10 * 1024 * 1024;

/// Largest response body relayed back from a next node or a server (a 10 MiB download plus
/// encryption and encoding overhead fits).
pub const MAX_RELAYED_RESPONSE: usize = 32 * 1024 * 1024;

/// Longest path: a layer whose `hop_no` is above this is refused (session-storage-server's
/// `MAX_ONION_HOPS`). Each relay passes on its own `hop_no` plus one.
pub const MAX_ONION_HOPS: u32 = 15;

/// Body of the plain 400 for a path that is too long.
pub const HOP_LIMIT_TEXT: &str = "onion request max path length exceeded";

/// Start of the plain 400 body when the outer frame does not parse.
pub const PARSE_ERROR_PREFIX: &str = "Error parsing onion request: ";

/// Layers at least this large are decrypted on the blocking pool rather than on an async
/// worker (AES-GCM runs at about 1 GB/s, so 64 KiB costs tens of microseconds).
const DECRYPT_INLINE_MAX: usize = 64 * 1024;

/// Per-node onion state: the X25519 key pair layers are opened with (kept so each request
/// does not recompute the public half) and the client for external servers.
pub struct OnionRelay {
    keypair: X25519Keypair,
    server_http: reqwest::Client,
}

impl fmt::Debug for OnionRelay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnionRelay")
            .field("keypair", &self.keypair)
            .finish_non_exhaustive()
    }
}

impl OnionRelay {
    /// Onion state for a node with `identity`.
    ///
    /// Servers get their own HTTP client: it follows no redirects (as upstream, so a server
    /// cannot point the node somewhere else) and accepts self-signed certificates (servers are
    /// authenticated by the X25519 key the client encrypted to, not by TLS). Next nodes are
    /// reached with the node's shared client so connections to them are reused.
    pub fn new(identity: &NodeIdentity) -> reqwest::Result<OnionRelay> {
        let server_http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(10))
            .pool_idle_timeout(Duration::from_secs(60))
            .user_agent(concat!("session-node/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(OnionRelay {
            keypair: X25519Keypair::from_secret(identity.keypair().x25519_secret().clone()),
            server_http,
        })
    }
}

/// An HTTP answer to an onion request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnionReply {
    /// HTTP status.
    pub status: StatusCode,
    /// `Content-Type`, if any.
    pub content_type: Option<HeaderValue>,
    /// Body bytes.
    pub body: Bytes,
}

impl OnionReply {
    /// A plain-text answer (the unencrypted path errors).
    pub fn text(status: StatusCode, text: impl Into<String>) -> OnionReply {
        OnionReply {
            status,
            content_type: Some(HeaderValue::from_static("text/plain; charset=utf-8")),
            body: Bytes::from(text.into()),
        }
    }
}

impl IntoResponse for OnionReply {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.body).into_response();
        match self.content_type {
            Some(value) => {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            None => {
                response.headers_mut().remove(header::CONTENT_TYPE);
            }
        }
        response
    }
}

/// Handles one `/onion_req/v2` body (readiness is checked by the caller).
pub async fn handle(ctx: &Arc<NodeContext>, body: Bytes) -> OnionReply {
    let header = match CombinedPayload::parse(&body).and_then(|c| LayerHeader::parse(c.json)) {
        Ok(header) => header,
        Err(e) => {
            tracing::debug!(error = %e, "unparsable onion request");
            return OnionReply::text(StatusCode::BAD_REQUEST, format!("{PARSE_ERROR_PREFIX}{e}"));
        }
    };
    let hop_no = header.hop_no.unwrap_or(0);
    if hop_no > MAX_ONION_HOPS {
        return OnionReply::text(StatusCode::BAD_REQUEST, HOP_LIMIT_TEXT);
    }
    let opened = match open(ctx, body).await {
        Ok(opened) => opened,
        Err(e) => {
            tracing::debug!(error = %e, "onion layer does not decrypt");
            return OnionReply::text(StatusCode::BAD_REQUEST, INVALID_CIPHERTEXT_TEXT);
        }
    };
    let reply_key = opened.reply_key;
    let action = match LayerAction::classify(opened.plaintext) {
        Ok(action) => action,
        Err(e) => {
            tracing::debug!(error = %e, "bad routing JSON in an onion layer");
            return encrypted(
                &reply_key,
                StatusCode::BAD_REQUEST,
                &SnodeReplyBody::Text(INVALID_JSON_TEXT.to_owned()),
                &SnodeFlags::default(),
            );
        }
    };
    match action {
        LayerAction::Forward(layer) => relay::to_node(ctx, &layer, hop_no).await,
        LayerAction::SnodeDestination { request, flags } => {
            tracing::debug!("onion request for this node");
            let response = rpc::handle_body(ctx, &request).await;
            let body = match response.body {
                RpcBody::Json(value) => SnodeReplyBody::Json(value),
                RpcBody::Text(text) => SnodeReplyBody::Text(text),
                RpcBody::Raw(json) => {
                    return encrypted_raw(&reply_key, response.status, &json, &flags);
                }
            };
            encrypted(&reply_key, response.status, &body, &flags)
        }
        LayerAction::Server { route, payload } => {
            if let Err(e) = route.check_allowed() {
                tracing::debug!(error = %e, "refusing an onion request to a server");
                return encrypted(
                    &reply_key,
                    StatusCode::BAD_REQUEST,
                    &SnodeReplyBody::Text(INVALID_URL_TEXT.to_owned()),
                    &SnodeFlags::default(),
                );
            }
            relay::to_server(ctx, &route, payload).await
        }
    }
}

/// Decrypts the layer, on the blocking pool when it is large.
async fn open(ctx: &Arc<NodeContext>, body: Bytes) -> Result<OpenedLayer, OnionError> {
    if body.len() < DECRYPT_INLINE_MAX {
        return open_layer(&ctx.onion.keypair, &body);
    }
    let ctx = ctx.clone();
    tokio::task::spawn_blocking(move || open_layer(&ctx.onion.keypair, &body))
        .await
        .unwrap_or(Err(OnionError::DecryptionFailed {
            // Only reached if the blocking task panicked or was cancelled at shutdown.
            enc_type: session_protocol::onion::EncType::AesGcm,
        }))
}

/// [`encrypted`] for a body already serialised as JSON: the same `{"status", "body"}`
/// plaintext (body embedded with `"json": true`, else as a JSON string, like
/// `encode_snode_reply`), written without parsing the body into a tree again.
fn encrypted_raw(
    key: &session_protocol::onion::HopKey,
    status: StatusCode,
    json: &[u8],
    flags: &SnodeFlags,
) -> OnionReply {
    let mut plaintext = Vec::with_capacity(json.len() + json.len() / 8 + 32);
    plaintext.extend_from_slice(format!("{{\"status\":{},\"body\":", status.as_u16()).as_bytes());
    if flags.embed_json() {
        plaintext.extend_from_slice(json);
    } else {
        let text = String::from_utf8_lossy(json);
        if serde_json::to_writer(&mut plaintext, text.as_ref()).is_err() {
            plaintext.extend_from_slice(b"null");
        }
    }
    plaintext.push(b'}');
    let sealed = key.encrypt(&plaintext, &mut rand::rngs::OsRng).map(|c| {
        if flags.base64() {
            base64::engine::general_purpose::STANDARD
                .encode(c)
                .into_bytes()
        } else {
            c
        }
    });
    sealed_reply(sealed, flags)
}

/// The HTTP answer carrying an encrypted `{"status", "body"}` (or a 500 if sealing failed).
fn sealed_reply(sealed: Result<Vec<u8>, OnionError>, flags: &SnodeFlags) -> OnionReply {
    match sealed {
        Ok(bytes) => OnionReply {
            status: StatusCode::OK,
            content_type: Some(HeaderValue::from_static(if flags.base64() {
                "text/plain; charset=utf-8"
            } else {
                "application/octet-stream"
            })),
            body: Bytes::from(bytes),
        },
        Err(e) => {
            tracing::warn!(error = %e, "cannot encrypt an onion reply");
            OnionReply::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the onion reply could not be encrypted",
            )
        }
    }
}

/// A 200 whose body is `{"status", "body"}` encrypted with the layer key (upstream's
/// `wrap_proxy_response`): base64 unless the request said `"base64": false`.
fn encrypted(
    key: &session_protocol::onion::HopKey,
    status: StatusCode,
    body: &SnodeReplyBody,
    flags: &SnodeFlags,
) -> OnionReply {
    sealed_reply(
        encode_snode_reply(key, status.as_u16(), body, flags, &mut rand::rngs::OsRng),
        flags,
    )
}
