//! Authentication of node-to-node requests (store replication through [`super::peer`], swarm
//! catch-up through [`super::sync`]): one scheme, one set of headers.
//!
//! The calling node sends [`SENDER_HEADER`] (its Ed25519 key, hex), [`TIMESTAMP_HEADER`] (ms
//! since the Unix epoch, decimal) and [`MAC_HEADER`] (base64 HMAC-SHA256) over
//! `DOMAIN ‖ recipient Ed25519 key (32 raw bytes) ‖ TIMESTAMP (decimal) ‖ BODY` ([`signed_bytes`]),
//! with one domain per endpoint, keyed with the key the two nodes share
//! ([`NodeIdentity::pair_key`]: their X25519 agreement, which only they can compute). The
//! domain keeps a tag for one endpoint from being accepted by another; the recipient key keeps
//! it from being replayed to another node or reflected back to its sender. The receiver checks
//! the tag, that the timestamp is within [`MAX_CLOCK_SKEW_MS`] of its clock, and that the
//! sender is a node of its network view (endpoints add their own membership rules). A captured
//! request can be replayed to the same node for up to a minute; node-to-node endpoints are
//! idempotent (reads, or stores that dedupe by hash), and the transport is TLS anyway.
//!
//! A MAC rather than an Ed25519 signature: the pair key is computed once per peer, after which
//! authenticating a batch costs an HMAC instead of a signature and a verification (measured as
//! a few percent of all CPU per replicated store). Nothing needs to prove to a third party who
//! sent a request.
//!
//! Session's own storage servers authenticate each other through OxenMQ's CurveZMQ handshake,
//! also keyed by X25519 agreement; session-node speaks HTTPS only, hence this scheme of its own.

use axum::http::{HeaderMap, StatusCode};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::network::{NetworkView, ServiceNode};
pub use super::peer::{MAC_HEADER, SENDER_HEADER, TIMESTAMP_HEADER};
use super::NodeContext;
use crate::identity::NodeIdentity;
use crate::time::now_ms;

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
    /// The tag does not verify for the claimed sender, recipient and body.
    #[error("node-to-node request authentication does not verify")]
    BadTag,
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
            PeerAuthError::Stale { .. } | PeerAuthError::BadTag => StatusCode::UNAUTHORIZED,
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

/// A node's authentication of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeerAuth {
    /// The sending node's Ed25519 key.
    pub sender: [u8; 32],
    /// Sending time (ms since the Unix epoch).
    pub timestamp_ms: i64,
    /// HMAC-SHA256 of [`signed_bytes`] under the pair key.
    pub tag: [u8; 32],
}

fn tag(key: &[u8; 32], domain: &[u8], recipient: &[u8; 32], ts: i64, body: &[u8]) -> Hmac<Sha256> {
    // A 32-byte key is always a valid HMAC key; the fallback is never taken.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    // The pieces of [`signed_bytes`], fed in turn rather than copied together: bodies can be
    // megabytes.
    mac.update(domain);
    mac.update(recipient);
    mac.update(ts.to_string().as_bytes());
    mac.update(body);
    mac
}

impl PeerAuth {
    /// Authenticates a request carrying `body` to `recipient` under `domain`. A recipient that
    /// is not a valid node key gets an all-zero tag, which nothing accepts.
    pub fn sign(
        identity: &NodeIdentity,
        domain: &[u8],
        recipient: &[u8; 32],
        body: &[u8],
        now_ms: i64,
    ) -> PeerAuth {
        let tag = identity.pair_key(recipient).map_or([0; 32], |key| {
            tag(&key, domain, recipient, now_ms, body)
                .finalize()
                .into_bytes()
                .into()
        });
        PeerAuth {
            sender: identity.ed25519_public(),
            timestamp_ms: now_ms,
            tag,
        }
    }

    /// The three headers carrying this authentication.
    pub fn headers(&self) -> [(&'static str, String); 3] {
        [
            (SENDER_HEADER, hex::encode(self.sender)),
            (TIMESTAMP_HEADER, self.timestamp_ms.to_string()),
            (MAC_HEADER, STANDARD.encode(self.tag)),
        ]
    }

    /// Reads the authentication headers of a request.
    pub fn from_headers(headers: &HeaderMap) -> Result<PeerAuth, PeerAuthError> {
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
        let tag: [u8; 32] = STANDARD
            .decode(text(MAC_HEADER)?)
            .ok()
            .and_then(|tag| tag.try_into().ok())
            .ok_or(PeerAuthError::BadHeader(MAC_HEADER))?;
        Ok(PeerAuth {
            sender,
            timestamp_ms,
            tag,
        })
    }

    /// Checks the time and the tag over `body` sent to `me` under `domain`.
    pub fn verify(
        &self,
        me: &NodeIdentity,
        domain: &[u8],
        body: &[u8],
        now_ms: i64,
    ) -> Result<(), PeerAuthError> {
        let skew_ms = self.timestamp_ms.saturating_sub(now_ms);
        if skew_ms.saturating_abs() > MAX_CLOCK_SKEW_MS {
            return Err(PeerAuthError::Stale { skew_ms });
        }
        let key = me.pair_key(&self.sender).ok_or(PeerAuthError::BadTag)?;
        let recipient = me.ed25519_public();
        // `verify_slice` compares in constant time.
        tag(&key, domain, &recipient, self.timestamp_ms, body)
            .verify_slice(&self.tag)
            .map_err(|_| PeerAuthError::BadTag)
    }
}

/// Authenticates a request to node `me` under `domain`: valid tag, fresh timestamp, and a
/// sender that is a node of `view` (returned).
pub fn authenticate<'v>(
    view: &'v NetworkView,
    me: &NodeIdentity,
    headers: &HeaderMap,
    domain: &[u8],
    body: &[u8],
    now_ms: i64,
) -> Result<&'v ServiceNode, PeerAuthError> {
    let auth = PeerAuth::from_headers(headers)?;
    auth.verify(me, domain, body, now_ms)?;
    view.node(&auth.sender).ok_or(PeerAuthError::UnknownNode)
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
    match authenticate(&view, &ctx.identity, headers, domain, body, now_ms()) {
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

/// An authenticated `POST` of the JSON `body` to `path` on `node` under `domain`, ready to send (the
/// client's timeout applies).
pub fn signed_post(
    ctx: &NodeContext,
    node: &ServiceNode,
    path: &str,
    domain: &[u8],
    body: Vec<u8>,
) -> reqwest::RequestBuilder {
    let auth = PeerAuth::sign(&ctx.identity, domain, &node.pubkey_ed25519, &body, now_ms());
    let mut req = ctx
        .http
        .post(format!("{}{path}", node_url(ctx, node)))
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    for (name, value) in auth.headers() {
        req = req.header(name, value);
    }
    req.body(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    const D: &[u8] = b"test-domain";

    fn ids() -> (NodeIdentity, NodeIdentity, NodeIdentity) {
        (
            NodeIdentity::from_seed32(&[7; 32]),
            NodeIdentity::from_seed32(&[1; 32]),
            NodeIdentity::from_seed32(&[2; 32]),
        )
    }

    fn headers_of(auth: &PeerAuth) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in auth.headers() {
            h.insert(name, HeaderValue::from_str(&value).unwrap());
        }
        h
    }

    #[test]
    fn both_sides_derive_the_same_pair_key_and_others_do_not() {
        let (a, b, c) = ids();
        let ab = a.pair_key(&b.ed25519_public()).unwrap();
        assert_eq!(*ab, *b.pair_key(&a.ed25519_public()).unwrap());
        assert_ne!(*ab, *c.pair_key(&a.ed25519_public()).unwrap());
        // Cached: the same key again.
        assert_eq!(*ab, *a.pair_key(&b.ed25519_public()).unwrap());
        // Not a point / small order: no key.
        let mut identity_point = [0u8; 32];
        identity_point[0] = 1;
        assert!(a.pair_key(&identity_point).is_none());
    }

    #[test]
    fn the_tag_is_the_hmac_of_the_signed_bytes() {
        let (sender, me, _) = ids();
        let recipient = me.ed25519_public();
        let auth = PeerAuth::sign(&sender, D, &recipient, b"{\"x\":1}", 1_700_000_000_123);
        let key = sender.pair_key(&recipient).unwrap();
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&key[..]).unwrap();
        mac.update(&signed_bytes(
            D,
            &recipient,
            1_700_000_000_123,
            b"{\"x\":1}",
        ));
        assert_eq!(auth.tag, <[u8; 32]>::from(mac.finalize().into_bytes()));
    }

    #[test]
    fn tags_bind_sender_domain_recipient_body_and_time() {
        let (sender, me, other) = ids();
        let now = 1_700_000_000_000;
        let auth = PeerAuth::sign(&sender, D, &me.ed25519_public(), b"body", now);
        let parsed = PeerAuth::from_headers(&headers_of(&auth)).unwrap();
        assert_eq!(parsed, auth);
        parsed.verify(&me, D, b"body", now + 59_000).unwrap();
        let bad = Err(PeerAuthError::BadTag);
        assert_eq!(parsed.verify(&me, b"other", b"body", now), bad);
        assert_eq!(parsed.verify(&other, D, b"body", now), bad);
        assert_eq!(parsed.verify(&me, D, b"bodz", now), bad);
        assert!(matches!(
            parsed.verify(&me, D, b"body", now + 61_000),
            Err(PeerAuthError::Stale { skew_ms: -61_000 })
        ));
        let retimed = PeerAuth {
            timestamp_ms: now + 1,
            ..auth
        };
        assert_eq!(retimed.verify(&me, D, b"body", now), bad);
        // Claiming to be another node of the network: that node's pair key differs.
        let impostor = PeerAuth {
            sender: other.ed25519_public(),
            ..auth
        };
        assert_eq!(impostor.verify(&me, D, b"body", now), bad);
        // Reflected back to its sender: bound to the recipient, so refused.
        let reflected = PeerAuth {
            sender: me.ed25519_public(),
            ..auth
        };
        assert_eq!(reflected.verify(&sender, D, b"body", now), bad);
    }

    #[test]
    fn header_errors_name_the_header() {
        let (sender, me, _) = ids();
        let auth = PeerAuth::sign(&sender, D, &me.ed25519_public(), b"", 5);
        let mut h = headers_of(&auth);
        h.remove(MAC_HEADER);
        assert_eq!(
            PeerAuth::from_headers(&h),
            Err(PeerAuthError::MissingHeader(MAC_HEADER))
        );
        h.insert(MAC_HEADER, HeaderValue::from_static("AAAA"));
        assert_eq!(
            PeerAuth::from_headers(&h),
            Err(PeerAuthError::BadHeader(MAC_HEADER))
        );
        h.insert(TIMESTAMP_HEADER, HeaderValue::from_static("soon"));
        assert_eq!(
            PeerAuth::from_headers(&h),
            Err(PeerAuthError::BadHeader(TIMESTAMP_HEADER))
        );
        h.insert(SENDER_HEADER, HeaderValue::from_static("zz"));
        assert_eq!(
            PeerAuth::from_headers(&h),
            Err(PeerAuthError::BadHeader(SENDER_HEADER))
        );
    }

    #[test]
    fn only_known_nodes_pass() {
        let (sender, me, other) = ids();
        let auth = PeerAuth::sign(&sender, D, &me.ed25519_public(), b"x", 1000);
        let h = headers_of(&auth);
        let mut view = NetworkView::default();
        assert_eq!(
            authenticate(&view, &me, &h, D, b"x", 1000).unwrap_err(),
            PeerAuthError::UnknownNode
        );
        view.nodes.push(ServiceNode {
            pubkey_ed25519: sender.ed25519_public(),
            pubkey_x25519: sender.x25519_public(),
            ip: std::net::Ipv4Addr::LOCALHOST,
            storage_port: 1,
            storage_lmq_port: 0,
            swarm_id: 3,
            active: true,
            version: [2, 8, 0],
        });
        assert_eq!(
            authenticate(&view, &me, &h, D, b"x", 1000)
                .unwrap()
                .swarm_id,
            3
        );
        assert_eq!(
            authenticate(&view, &other, &h, D, b"x", 1000).unwrap_err(),
            PeerAuthError::BadTag
        );
    }
}
