//! Client side: wrap a request in one layer per path node, innermost first.
//!
//! Layout (LSU `Builder::build`): the destination layer is sealed first; then, from the last
//! path node back to the guard, each layer holds `u32(N) ‖ previous layer ‖ routing JSON`
//! sealed for that node. The guard gets `u32(N) ‖ its layer ‖ {"ephemeral_key","enc_type"}`.

use std::fmt;

use rand_core::CryptoRngCore;
use x25519_dalek::PublicKey;

use crate::agreement::PreparedPublicKey;

use std::sync::Arc;

use super::hop::{seal_for_prepared_node, EncType, HopKey, SealedHop};
use super::payload::{push_combined, LayerHeader};
use super::routing::{NextHop, ServerRoute, SnodeFlags};
use super::OnionError;

/// A service node on the path: its Ed25519 key (how the previous node names it) and X25519
/// key (what its layer is encrypted to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PathHop {
    /// Ed25519 public key.
    pub ed25519: [u8; 32],
    /// X25519 public key.
    pub x25519: PublicKey,
}

/// A service node that executes a storage RPC request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnodeTarget {
    /// The destination's keys.
    pub node: PathHop,
    /// Reply encoding options written next to `"headers"`.
    pub flags: SnodeFlags,
}

/// An external server (SOGS, file server) reached through the last path node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerTarget {
    /// Host, target, protocol and port the last node relays to.
    pub route: ServerRoute,
    /// The server's X25519 public key.
    pub x25519: PublicKey,
}

impl ServerTarget {
    /// An HTTPS server on port 443 spoken to with v4 requests.
    pub fn v4_https(host: impl Into<String>, x25519: PublicKey) -> ServerTarget {
        ServerTarget {
            route: ServerRoute::https(host, super::v4::V4_TARGET),
            x25519,
        }
    }
}

/// Where an onion request ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnionDestination {
    /// A service node; the payload is the storage RPC JSON body.
    Snode(SnodeTarget),
    /// A server; the payload is usually a bencoded [`super::V4Request`].
    Server(ServerTarget),
}

/// A built onion request: the body to POST to the guard's `/onion_req/v2` (or, with an empty
/// path, straight to the destination) and the key that decrypts the reply.
pub struct OnionRequest {
    /// Request body for the first node.
    pub body: Vec<u8>,
    /// Key of the destination's layer; the reply is encrypted with it.
    pub reply_key: HopKey,
}

impl fmt::Debug for OnionRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OnionRequest")
            .field("body_len", &self.body.len())
            .field("reply_key", &self.reply_key)
            .finish()
    }
}

/// Builds an onion request through `path` (guard first; any length, usually 3) to
/// `destination`, every layer using `enc_type`. Choosing the path is the caller's business.
pub fn build_onion_request(
    path: &[PathHop],
    destination: &OnionDestination,
    payload: &[u8],
    enc_type: EncType,
    rng: &mut impl CryptoRngCore,
) -> Result<OnionRequest, OnionError> {
    build_onion_request_prepared(path, destination, payload, enc_type, rng, |_| None)
}

/// [`build_onion_request`], sealing each layer to the key `prepared` returns for a node's
/// X25519 key when it has one (a caller's cache of [`PreparedPublicKey`]s); the request is
/// the same either way, only cheaper to build.
pub fn build_onion_request_prepared(
    path: &[PathHop],
    destination: &OnionDestination,
    payload: &[u8],
    enc_type: EncType,
    rng: &mut impl CryptoRngCore,
    prepared: impl Fn(&PublicKey) -> Option<Arc<PreparedPublicKey>>,
) -> Result<OnionRequest, OnionError> {
    let mut seal = |public: &PublicKey, plaintext: &[u8]| -> Result<SealedHop, OnionError> {
        let table = prepared(public);
        let plain = PreparedPublicKey::plain(*public);
        seal_for_prepared_node(enc_type, table.as_deref().unwrap_or(&plain), plaintext, rng)
    };
    // The destination's layer, and the routing JSON that the node before it needs.
    let (sealed, mut routing) = match destination {
        OnionDestination::Snode(target) => {
            let mut inner = Vec::with_capacity(payload.len() + 64);
            push_combined(&mut inner, payload, &target.flags.to_json())?;
            let sealed = seal(&target.node.x25519, &inner)?;
            let routing = NextHop {
                destination: target.node.ed25519,
                ephemeral_key: sealed.ephemeral_public,
                enc_type,
            }
            .to_json();
            (sealed, routing)
        }
        OnionDestination::Server(target) => {
            let sealed = seal(&target.x25519, payload)?;
            let routing = target.route.to_json(&sealed.ephemeral_public, enc_type);
            (sealed, routing)
        }
    };
    let reply_key = sealed.key;
    let mut blob = sealed.ciphertext;
    let mut ephemeral = sealed.ephemeral_public;

    for (i, node) in path.iter().enumerate().rev() {
        let mut plaintext = Vec::with_capacity(4 + blob.len() + routing.len());
        push_combined(&mut plaintext, &blob, &routing)?;
        let sealed = seal(&node.x25519, &plaintext)?;
        blob = sealed.ciphertext;
        ephemeral = sealed.ephemeral_public;
        if i > 0 {
            routing = NextHop {
                destination: node.ed25519,
                ephemeral_key: ephemeral,
                enc_type,
            }
            .to_json();
        }
    }

    let header = LayerHeader::new(ephemeral, enc_type).to_json();
    let mut body = Vec::with_capacity(4 + blob.len() + header.len());
    push_combined(&mut body, &blob, &header)?;
    Ok(OnionRequest { body, reply_key })
}
