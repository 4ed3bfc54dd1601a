//! Authentication of node-to-node requests (store replication through [`super::peer`], swarm
//! catch-up through [`super::sync`]): one scheme, one set of headers.
//!
//! The calling node sends [`SENDER_HEADER`] (its Ed25519 key, hex), [`TIMESTAMP_HEADER`] (ms
//! since the Unix epoch, decimal) and [`SIGNATURE_HEADER`] (base64 Ed25519 signature) over
//! `DOMAIN ‖ recipient Ed25519 key (32 raw bytes) ‖ TIMESTAMP (decimal) ‖ BODY` ([`signed_bytes`]),
//! with one domain per endpoint. The domain keeps a signature for one endpoint from being
//! accepted by another; the recipient key keeps it from being replayed to another node. The
//! receiver checks the signature, that the timestamp is within [`MAX_CLOCK_SKEW_MS`] of its
//! clock, and that the sender is a node of its network view (endpoints add their own membership
//! rules). A captured request can be replayed to the same node for up to a minute;
//! node-to-node endpoints are idempotent (reads, or stores that dedupe by hash), and the
//! transport is TLS anyway.
//!
//! Session's own storage servers authenticate each other through OxenMQ's CurveZMQ handshake;
//! session-node speaks HTTPS only, hence this scheme of its own.

use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::network::{NetworkView, ServiceNode};
pub use super::peer::{SENDER_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use super::NodeContext;
use crate::identity::NodeIdentity;
use crate::time::now_ms;
use session_protocol::rpc::verify::{NoKeyCache, SignerKeys};

/// How far the signing time may be from the receiver's clock.
pub const MAX_CLOCK_SKEW_MS: i64 = 60_000;

/// Why a node-to-node request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeerAuthError {
    /// An authentication header is absent.
    #[error("node-to-node request without the {0} header")]
    MissingHeader(&'static str),
    /// An authentication header does not parse.
    #[error("node-to-node request with a malformed {0} header")]
    BadHeader(&'static str),
    /// The signing time is too far from ours (clock skew or a replay).
    #[error(
        "node-to-node request signed {skew_ms} ms away from this node's clock (at most \
         {MAX_CLOCK_SKEW_MS} ms allowed); check the clocks of both machines"
    )]
    Stale {
        /// Signing time minus our time.
        skew_ms: i64,
    },
    /// The signature does not verify for the claimed key, recipient and body.
    #[error("node-to-node request signature does not verify")]
    BadSignature,
    /// The key is not a node of this node's network view.
    #[error("node-to-node request from a node this node does not know (yet); retry later")]
    UnknownNode,
}

impl PeerAuthError {
    /// The HTTP status to answer with.
    pub fn http_status(&self) -> StatusCode {
        match self {
            PeerAuthError::MissingHeader(_) | PeerAuthError::BadHeader(_) => {
                StatusCode::BAD_REQUEST
            }
            PeerAuthError::Stale { .. } | PeerAuthError::BadSignature => StatusCode::UNAUTHORIZED,
            PeerAuthError::UnknownNode => StatusCode::FORBIDDEN,
        }
    }
}

/// The bytes a node signs for a request to `recipient` under `domain` at `timestamp_ms`.
pub fn signed_bytes(
    domain: &[u8],
    recipient: &[u8; 32],
    timestamp_ms: i64,
    body: &[u8],
) -> Vec<u8> {
    let ts = timestamp_ms.to_string();
    let mut out = Vec::with_capacity(domain.len() + 32 + ts.len() + body.len());
    out.extend_from_slice(domain);
    out.extend_from_slice(recipient);
    out.extend_from_slice(ts.as_bytes());
    out.extend_from_slice(body);
    out
}

/// A node's signature over one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerSignature {
    /// The signing node's Ed25519 key.
    pub sender: [u8; 32],
    /// Signing time (ms since the Unix epoch).
    pub timestamp_ms: i64,
    /// Ed25519 signature over [`signed_bytes`].
    pub signature: [u8; 64],
}

impl PeerSignature {
    /// Signs a request carrying `body` to `recipient` under `domain`.
    pub fn sign(
        identity: &NodeIdentity,
        domain: &[u8],
        recipient: &[u8; 32],
        body: &[u8],
        now_ms: i64,
    ) -> PeerSignature {
        PeerSignature {
            sender: identity.ed25519_public(),
            timestamp_ms: now_ms,
            signature: identity.sign(&signed_bytes(domain, recipient, now_ms, body)),
        }
    }

    /// The three headers carrying this signature.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            (SENDER_HEADER, hex::encode(self.sender)),
            (TIMESTAMP_HEADER, self.timestamp_ms.to_string()),
            (SIGNATURE_HEADER, STANDARD.encode(self.signature)),
        ]
    }

    /// Reads the signature headers of a request.
    pub fn from_headers(headers: &HeaderMap) -> Result<PeerSignature, PeerAuthError> {
        let text = |name: &'static str| {
            headers
                .get(name)
                .ok_or(PeerAuthError::MissingHeader(name))?
                .to_str()
                .map_err(|_| PeerAuthError::BadHeader(name))
        };
        let mut sender = [0u8; 32];
        hex::decode_to_slice(text(SENDER_HEADER)?, &mut sender)
            .map_err(|_| PeerAuthError::BadHeader(SENDER_HEADER))?;
        let timestamp_ms = text(TIMESTAMP_HEADER)?
            .parse::<i64>()
            .map_err(|_| PeerAuthError::BadHeader(TIMESTAMP_HEADER))?;
        let signature: [u8; 64] = STANDARD
            .decode(text(SIGNATURE_HEADER)?)
            .ok()
            .and_then(|sig| sig.try_into().ok())
            .ok_or(PeerAuthError::BadHeader(SIGNATURE_HEADER))?;
        Ok(PeerSignature {
            sender,
            timestamp_ms,
            signature,
        })
    }

    /// Checks the time and the signature over `body` for `recipient` under `domain`.
    pub fn verify(
        &self,
        domain: &[u8],
        recipient: &[u8; 32],
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), PeerAuthError> {
        self.verify_with(&NoKeyCache, domain, recipient, body, now_ms)
    }

    /// [`PeerSignature::verify`] with the sender's checked key from `keys` (a node keeps its
    /// peers' keys decompressed instead of doing that again for every batch).
    pub fn verify_with(
        &self,
        keys: &dyn SignerKeys,
        domain: &[u8],
        recipient: &[u8; 32],
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), PeerAuthError> {
        let skew_ms = self.timestamp_ms.saturating_sub(now_ms);
        if skew_ms.saturating_abs() > MAX_CLOCK_SKEW_MS {
            return Err(PeerAuthError::Stale { skew_ms });
        }
        let msg = signed_bytes(domain, recipient, self.timestamp_ms, body);
        match keys.signer_key(&self.sender) {
            Some(key) if key.verifies(&msg, &self.signature) => Ok(()),
            _ => Err(PeerAuthError::BadSignature),
        }
    }
}

/// Authenticates a request to node `me` under `domain`: valid signature, fresh timestamp, and
/// a sender that is a node of `view` (returned).
pub fn authenticate<'v>(
    view: &'v NetworkView,
    keys: &dyn SignerKeys,
    me: &[u8; 32],
    headers: &HeaderMap,
    domain: &[u8],
    body: &[u8],
    now_ms: i64,
) -> Result<&'v ServiceNode, PeerAuthError> {
    let sig = PeerSignature::from_headers(headers)?;
    sig.verify_with(keys, domain, me, body, now_ms)?;
    view.node(&sig.sender).ok_or(PeerAuthError::UnknownNode)
}

/// [`authenticate`] against the node's current view; asks for a fresh view when the sender is
/// unknown (it may have joined since the last refresh) so that a retry can succeed.
pub fn authenticate_peer(
    ctx: &NodeContext,
    headers: &HeaderMap,
    domain: &[u8],
    body: &[u8],
) -> Result<ServiceNode, PeerAuthError> {
    let view = ctx.network.view();
    let me = ctx.identity.ed25519_public();
    let keys = &ctx.rpc.signer_keys;
    match authenticate(&view, keys, &me, headers, domain, body, now_ms()) {
        Ok(node) => Ok(node.clone()),
        Err(e) => {
            if e == PeerAuthError::UnknownNode {
                ctx.network.request_refresh();
            }
            Err(e)
        }
    }
}

/// Base URL of another node's storage port (`https://IP:PORT`, or `http://` when this node
/// runs with `plain_http`, which a debugging network uses throughout).
pub fn node_url(ctx: &NodeContext, node: &ServiceNode) -> String {
    let scheme = if ctx.config.plain_http {
        "http"
    } else {
        "https"
    };
    format!("{scheme}://{}:{}", node.ip, node.storage_port)
}

/// A signed `POST` of the JSON `body` to `path` on `node` under `domain`, ready to send (the
/// client's timeout applies).
pub fn signed_post(
    ctx: &NodeContext,
    node: &ServiceNode,
    path: &str,
    domain: &[u8],
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let sig = PeerSignature::sign(&ctx.identity, domain, &node.pubkey_ed25519, &body, now_ms());
    let mut req = ctx
        .http
        .post(format!("{}{path}", node_url(ctx, node)))
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in sig.headers() {
        req = req.header(name, value);
    }
    req.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const D: &[u8] = b"test-domain";
    const ME: [u8; 32] = [1; 32];

    fn headers_of(sig: &PeerSignature) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in sig.headers() {
            h.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        h
    }

    #[test]
    fn signatures_bind_domain_recipient_body_and_time() {
        let id = NodeIdentity::from_seed32(&[7; 32]);
        let now = 1_700_000_000_000;
        let sig = PeerSignature::sign(&id, D, &ME, b"body", now);
        let parsed = PeerSignature::from_headers(&headers_of(&sig)).unwrap();
        assert_eq!(parsed, sig);
        parsed.verify(D, &ME, b"body", now + 59_000).unwrap();
        let bad = Err(PeerAuthError::BadSignature);
        assert_eq!(parsed.verify(b"other", &ME, b"body", now), bad);
        assert_eq!(parsed.verify(D, &[2; 32], b"body", now), bad);
        assert_eq!(parsed.verify(D, &ME, b"bodz", now), bad);
        assert!(matches!(
            parsed.verify(D, &ME, b"body", now + 61_000),
            Err(PeerAuthError::Stale { skew_ms: -61_000 })
        ));
        let forged = PeerSignature {
            timestamp_ms: now + 1,
            ..sig
        };
        assert_eq!(forged.verify(D, &ME, b"body", now), bad);
    }

    #[test]
    fn header_errors_name_the_header() {
        let id = NodeIdentity::from_seed32(&[7; 32]);
        let sig = PeerSignature::sign(&id, D, &ME, b"", 5);
        let mut h = headers_of(&sig);
        h.remove(SIGNATURE_HEADER);
        assert_eq!(
            PeerSignature::from_headers(&h),
            Err(PeerAuthError::MissingHeader(SIGNATURE_HEADER))
        );
        h.insert(SIGNATURE_HEADER, HeaderValue::from_static("AAAA"));
        assert_eq!(
            PeerSignature::from_headers(&h),
            Err(PeerAuthError::BadHeader(SIGNATURE_HEADER))
        );
        h.insert(TIMESTAMP_HEADER, HeaderValue::from_static("soon"));
        assert_eq!(
            PeerSignature::from_headers(&h),
            Err(PeerAuthError::BadHeader(TIMESTAMP_HEADER))
        );
        h.insert(SENDER_HEADER, HeaderValue::from_static("zz"));
        assert_eq!(
            PeerSignature::from_headers(&h),
            Err(PeerAuthError::BadHeader(SENDER_HEADER))
        );
    }

    #[test]
    fn only_known_nodes_pass() {
        let id = NodeIdentity::from_seed32(&[9; 32]);
        let sig = PeerSignature::sign(&id, D, &ME, b"x", 1000);
        let h = headers_of(&sig);
        let mut view = NetworkView::default();
        assert_eq!(
            authenticate(&view, &NoKeyCache, &ME, &h, D, b"x", 1000).unwrap_err(),
            PeerAuthError::UnknownNode
        );
        view.nodes.push(ServiceNode {
            pubkey_ed25519: id.ed25519_public(),
            pubkey_x25519: id.x25519_public(),
            ip: std::net::Ipv4Addr::LOCALHOST,
            storage_port: 1,
            storage_lmq_port: 0,
            swarm_id: 3,
            active: true,
            version: [2, 8, 0],
        });
        assert_eq!(
            authenticate(&view, &NoKeyCache, &ME, &h, D, b"x", 1000)
                .unwrap()
                .swarm_id,
            3
        );
        assert_eq!(
            authenticate(&view, &NoKeyCache, &[2; 32], &h, D, b"x", 1000).unwrap_err(),
            PeerAuthError::BadSignature
        );
    }
}
