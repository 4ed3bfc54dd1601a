//! The I/O half of onion requests: passing a layer to the next node, and a request to an
//! external server.
//!
//! Next node: session-storage-server sends the layer over OxenMQ (`sn.onion_request`, 30 s
//! timeout) and answers 504 "Request time out" whenever that request fails, which covers both
//! a silent node and one that cannot be reached. session-node has no OxenMQ, so it POSTs the
//! re-framed layer (`u32 ‖ blob ‖ {"ephemeral_key","enc_type","hop_no"}`) to the next node's
//! `/onion_req/v2` with the node's shared HTTP client (pooled connections: a path reuses warm
//! TLS connections), waits [`NodeConfig::onion_relay_timeout_ms`] (30 s by default, as
//! upstream), and answers 504 on any failure to get an answer, like upstream.
//!
//! Server: POST the whole decrypted layer to `protocol://host[:port]/target`, wait
//! [`NodeConfig::onion_server_timeout_ms`] (25 s by default, as upstream), pass back its
//! status, content type and body. Failures as upstream (`process_onion_req(RelayToServerInfo)`):
//! 504 on timeout, 502 otherwise, with a short reason (upstream sends libcurl's message).
//!
//! [`NodeConfig::onion_relay_timeout_ms`]: crate::node::NodeConfig::onion_relay_timeout_ms
//! [`NodeConfig::onion_server_timeout_ms`]: crate::node::NodeConfig::onion_server_timeout_ms

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use session_protocol::onion::{next_node_not_found_body, ForwardLayer, ServerRoute};
use session_protocol::onion::{REQUEST_TIMEOUT_TEXT, STATUS_GATEWAY_TIMEOUT};

use super::{OnionReply, MAX_RELAYED_RESPONSE};
use crate::node::NodeContext;

/// Why a relayed request produced no usable answer.
#[derive(Debug, thiserror::Error)]
enum RelayError {
    /// No answer within the timeout.
    #[error("no answer in time")]
    Timeout,
    /// Connecting, sending or reading failed.
    #[error("the request failed: {0}")]
    Failed(reqwest::Error),
    /// The answer is larger than [`MAX_RELAYED_RESPONSE`].
    #[error("the answer is larger than {MAX_RELAYED_RESPONSE} bytes")]
    TooLarge,
}

impl From<reqwest::Error> for RelayError {
    fn from(e: reqwest::Error) -> RelayError {
        if e.is_timeout() {
            RelayError::Timeout
        } else {
            // Debug logs only, but still without the next node's address or the host.
            RelayError::Failed(e.without_url())
        }
    }
}

fn timeout_reply() -> OnionReply {
    OnionReply::text(
        StatusCode::from_u16(STATUS_GATEWAY_TIMEOUT).unwrap_or(StatusCode::GATEWAY_TIMEOUT),
        REQUEST_TIMEOUT_TEXT,
    )
}

/// Passes `layer` to the node it names, as hop `hop_no + 1`.
pub(super) async fn to_node(ctx: &NodeContext, layer: &ForwardLayer, hop_no: u32) -> OnionReply {
    let destination = &layer.next.destination;
    let url = {
        let view = ctx.network.view();
        let Some(next) = view.node(destination) else {
            tracing::debug!("onion request names a node missing from the network view");
            return OnionReply::text(
                StatusCode::BAD_GATEWAY,
                next_node_not_found_body(destination),
            );
        };
        // Nodes of one network speak the same scheme; plain HTTP is a debugging mode.
        let scheme = if ctx.config.plain_http {
            "http"
        } else {
            "https"
        };
        format!("{scheme}://{}:{}/onion_req/v2", next.ip, next.storage_port)
    };
    let body = match layer.onion_req_body(Some(hop_no.saturating_add(1))) {
        Ok(body) => body,
        Err(e) => {
            tracing::debug!(error = %e, "cannot re-frame an onion layer");
            return OnionReply::text(StatusCode::BAD_REQUEST, e.to_string());
        }
    };
    let request = ctx
        .http
        .post(url)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .timeout(ctx.config.onion_relay_timeout())
        .body(body);
    match exchange(request).await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::debug!(error = %e, "the next onion hop did not answer");
            timeout_reply()
        }
    }
}

/// POSTs `payload` (the whole decrypted layer) to the server `route` names.
pub(super) async fn to_server(
    ctx: &NodeContext,
    route: &ServerRoute,
    payload: Vec<u8>,
) -> OnionReply {
    let request = ctx
        .onion
        .server_http
        .post(route.url())
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .timeout(ctx.config.onion_server_timeout())
        .body(payload);
    match exchange(request).await {
        Ok(reply) => reply,
        Err(RelayError::Timeout) => {
            tracing::debug!("an onion server did not answer in time");
            timeout_reply()
        }
        Err(e) => {
            tracing::debug!(error = %e, "an onion request to a server failed");
            let reason = match &e {
                RelayError::Failed(e) if e.is_builder() => "Invalid server address",
                RelayError::TooLarge => "Server response too large",
                _ => "Could not reach the server",
            };
            OnionReply::text(StatusCode::BAD_GATEWAY, reason)
        }
    }
}

/// Sends `request` and reads the whole answer (bounded by [`MAX_RELAYED_RESPONSE`]).
async fn exchange(request: reqwest::RequestBuilder) -> Result<OnionReply, RelayError> {
    let mut response = request.send().await?;
    let status = response.status();
    let content_type: Option<HeaderValue> = response.headers().get(header::CONTENT_TYPE).cloned();
    let too_large = |len: usize| len > MAX_RELAYED_RESPONSE;
    let body = match response.content_length() {
        Some(len) if usize::try_from(len).map_or(true, too_large) => {
            return Err(RelayError::TooLarge)
        }
        Some(_) => response.bytes().await?,
        None => {
            let mut buf = Vec::new();
            while let Some(chunk) = response.chunk().await? {
                if too_large(buf.len().saturating_add(chunk.len())) {
                    return Err(RelayError::TooLarge);
                }
                buf.extend_from_slice(&chunk);
            }
            Bytes::from(buf)
        }
    };
    Ok(OnionReply {
        status,
        content_type,
        body,
    })
}
