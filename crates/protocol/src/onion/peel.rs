//! Node (and server) side: remove one layer with the node's X25519 key and classify what is
//! inside.
//!
//! SSS answers the two failure kinds differently: a layer that does not decrypt gets a plain
//! 400 "Invalid ciphertext", while bad routing JSON inside a decrypted layer gets an encrypted
//! "Invalid json" reply. Nodes that want that distinction call [`open_layer`] and then
//! [`LayerAction::classify`]; [`peel`] does both.

use std::fmt;

use super::hop::{HopKey, X25519Keypair};
use super::payload::{encode_combined, CombinedPayload, LayerHeader};
use super::routing::{NextHop, Routing, ServerRoute, SnodeFlags};
use super::OnionError;

/// A decrypted layer: its header, the plaintext and the key for an encrypted reply.
pub struct OpenedLayer {
    /// The outer JSON that named the ephemeral key and cipher.
    pub header: LayerHeader,
    /// The decrypted `u32(N) ‖ blob ‖ routing JSON`.
    pub plaintext: Vec<u8>,
    /// Key for replies from this node (or server).
    pub reply_key: HopKey,
}

impl fmt::Debug for OpenedLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenedLayer")
            .field("header", &self.header)
            .field("plaintext_len", &self.plaintext.len())
            .field("reply_key", &self.reply_key)
            .finish()
    }
}

/// Parses `u32(N) ‖ ciphertext ‖ {"ephemeral_key","enc_type"}` and decrypts the ciphertext
/// with `node`'s key. This is also how a server opens the whole layer a relay posts to it.
pub fn open_layer(node: &X25519Keypair, body: &[u8]) -> Result<OpenedLayer, OnionError> {
    let combined = CombinedPayload::parse(body)?;
    let header = LayerHeader::parse(combined.json)?;
    let reply_key = HopKey::node_side(header.enc_type, node, &header.ephemeral_key)?;
    let plaintext = reply_key.decrypt(combined.blob)?;
    Ok(OpenedLayer {
        header,
        plaintext,
        reply_key,
    })
}

/// A layer to pass to the next node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardLayer {
    /// Next node and how it decrypts `blob`.
    pub next: NextHop,
    /// The next node's encrypted layer.
    pub blob: Vec<u8>,
}

impl ForwardLayer {
    /// The body to POST to the next node's `/onion_req/v2`:
    /// `u32(N) ‖ blob ‖ {"ephemeral_key","enc_type"[,"hop_no"]}`. (SSS itself forwards over
    /// OxenMQ `sn.onion_req_v2` with the same three values.)
    pub fn onion_req_body(&self, hop_no: Option<u32>) -> Result<Vec<u8>, OnionError> {
        let header = LayerHeader {
            ephemeral_key: self.next.ephemeral_key,
            enc_type: self.next.enc_type,
            hop_no,
        };
        encode_combined(&self.blob, &header.to_json())
    }
}

/// What to do with a decrypted layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LayerAction {
    /// Send the inner layer on to another service node.
    Forward(ForwardLayer),
    /// This node is the destination: run `request` (storage RPC JSON) and reply with
    /// [`super::encode_snode_reply`].
    SnodeDestination {
        /// The RPC request body.
        request: Vec<u8>,
        /// Reply encoding options.
        flags: SnodeFlags,
    },
    /// POST `payload` (the whole decrypted layer, as SSS does) to the server and return its
    /// reply unchanged. Check [`ServerRoute::check_allowed`] first.
    Server {
        /// Where to post.
        route: ServerRoute,
        /// The request body for the server.
        payload: Vec<u8>,
    },
}

impl LayerAction {
    /// Splits a decrypted layer `u32(N) ‖ blob ‖ routing JSON` and classifies the routing.
    pub fn classify(plaintext: Vec<u8>) -> Result<LayerAction, OnionError> {
        let inner = CombinedPayload::parse(&plaintext)?;
        let blob_len = inner.blob.len();
        match Routing::parse(inner.json)? {
            Routing::Forward(next) => Ok(LayerAction::Forward(ForwardLayer {
                next,
                blob: take_blob(plaintext, blob_len),
            })),
            Routing::SnodeDestination(flags) => Ok(LayerAction::SnodeDestination {
                request: take_blob(plaintext, blob_len),
                flags,
            }),
            Routing::Server(route) => Ok(LayerAction::Server {
                route,
                payload: plaintext,
            }),
        }
    }
}

/// Cuts `u32 ‖ blob ‖ json` down to `blob` in place.
fn take_blob(mut plaintext: Vec<u8>, blob_len: usize) -> Vec<u8> {
    plaintext.truncate(4 + blob_len);
    plaintext.drain(..4.min(plaintext.len()));
    plaintext
}

/// One peeled layer: the key for replies and what to do next.
#[derive(Debug)]
pub struct PeeledLayer {
    /// The outer JSON of the layer (ephemeral key, cipher, optional hop number).
    pub header: LayerHeader,
    /// Key for an encrypted reply from this node.
    pub reply_key: HopKey,
    /// Forward, execute, or relay to a server.
    pub action: LayerAction,
}

/// Opens and classifies one layer with `node`'s key.
pub fn peel(node: &X25519Keypair, body: &[u8]) -> Result<PeeledLayer, OnionError> {
    let opened = open_layer(node, body)?;
    let action = LayerAction::classify(opened.plaintext)?;
    Ok(PeeledLayer {
        header: opened.header,
        reply_key: opened.reply_key,
        action,
    })
}
