//! Service-node records: the `snodes` entries of `get_swarm` / 421 answers, and the
//! `service_node_states` entries of oxend's `get_n_service_nodes` / `get_service_nodes`
//! (what seed nodes answer).
//!
//! `get_swarm` entry fields (session-storage-server `request_handler.cpp` `swarm_to_json`):
//! `address` (base32z of the legacy key + ".snode", deprecated), `pubkey_legacy`,
//! `pubkey_x25519`, `pubkey_ed25519` (hex), `port` (HTTPS port as a *string*, deprecated),
//! `port_https`, `port_omq`, `port_quic` (the last two equal), `ip`.
//! Seed entries (Session desktop `SeedNodeAPI.ts`, `getServiceNodesList.ts`): `public_ip`,
//! `storage_port`, `storage_lmq_port`, `pubkey_x25519`, `pubkey_ed25519`, `swarm_id`, plus
//! whatever other fields were requested. Desktop skips entries whose `public_ip` is empty or
//! `0.0.0.0`. Keys are kept as text here so one malformed entry does not spoil a whole list;
//! the typed accessors return `None` for bad keys.

use serde::{Deserialize, Serialize};

use super::encoding::decode_hex_array;

/// z-base-32 alphabet (oxenc `to_base32z`).
const BASE32Z: &[u8; 32] = b"ybndrfg8ejkmcpqxot1uwisza345h769";

/// z-base-32 text of bytes, most significant bits first, last group zero-padded.
pub fn to_base32z(bytes: &[u8]) -> String {
    let mut out = String::with_capacity((bytes.len() * 8).div_ceil(5));
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for &b in bytes {
        acc = (acc << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32Z[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32Z[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

fn key(text: &str) -> Option<[u8; 32]> {
    decode_hex_array::<32>(text).ok()
}

/// One node of a swarm as `get_swarm` lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SwarmNode {
    /// Deprecated `<base32z legacy key>.snode`.
    #[serde(default)]
    pub address: String,
    /// Legacy (primary) key, hex.
    #[serde(default)]
    pub pubkey_legacy: String,
    /// X25519 key, hex (onion-request encryption).
    pub pubkey_x25519: String,
    /// Ed25519 key, hex (node identity, response signatures).
    pub pubkey_ed25519: String,
    /// Deprecated HTTPS port as text.
    #[serde(default)]
    pub port: String,
    /// HTTPS storage port.
    #[serde(default)]
    pub port_https: u16,
    /// OxenMQ/QUIC port.
    #[serde(default)]
    pub port_omq: u16,
    /// QUIC port (same as `port_omq`).
    #[serde(default)]
    pub port_quic: u16,
    /// IPv4 address.
    pub ip: String,
}

impl SwarmNode {
    /// Builds an entry; the legacy key is the Ed25519 key (true for current nodes).
    pub fn new(
        ip: String,
        port_https: u16,
        port_omq: u16,
        x25519: [u8; 32],
        ed25519: [u8; 32],
    ) -> Self {
        SwarmNode {
            address: format!("{}.snode", to_base32z(&ed25519)),
            pubkey_legacy: hex::encode(ed25519),
            pubkey_x25519: hex::encode(x25519),
            pubkey_ed25519: hex::encode(ed25519),
            port: port_https.to_string(),
            port_https,
            port_omq,
            port_quic: port_omq,
            ip,
        }
    }

    /// The HTTPS port (`port_https`, else the deprecated `port` text).
    pub fn https_port(&self) -> Option<u16> {
        if self.port_https != 0 {
            return Some(self.port_https);
        }
        self.port.parse().ok().filter(|p| *p != 0)
    }

    /// The X25519 key, if valid hex.
    pub fn x25519(&self) -> Option<[u8; 32]> {
        key(&self.pubkey_x25519)
    }

    /// The Ed25519 key, if valid hex.
    pub fn ed25519(&self) -> Option<[u8; 32]> {
        key(&self.pubkey_ed25519)
    }
}

/// One entry of oxend's `service_node_states`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceNodeState {
    /// IPv4 address (empty or `0.0.0.0` when the node has not proven uptime).
    #[serde(default)]
    pub public_ip: String,
    /// HTTPS storage port.
    #[serde(default)]
    pub storage_port: u16,
    /// OxenMQ port.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_lmq_port: Option<u16>,
    /// X25519 key, hex.
    #[serde(default)]
    pub pubkey_x25519: String,
    /// Ed25519 key, hex.
    #[serde(default)]
    pub pubkey_ed25519: String,
    /// Swarm the node is in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub swarm_id: Option<u64>,
    /// Primary (legacy) key, hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_node_pubkey: Option<String>,
    /// Height at which the node asked to unlock its stake (0 = not leaving).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requested_unlock_height: Option<u64>,
}

impl ServiceNodeState {
    /// Builds a full entry (what our seed serves).
    pub fn new(
        public_ip: String,
        storage_port: u16,
        storage_lmq_port: u16,
        x25519: [u8; 32],
        ed25519: [u8; 32],
        swarm_id: u64,
    ) -> Self {
        ServiceNodeState {
            public_ip,
            storage_port,
            storage_lmq_port: Some(storage_lmq_port),
            pubkey_x25519: hex::encode(x25519),
            pubkey_ed25519: hex::encode(ed25519),
            swarm_id: Some(swarm_id),
            service_node_pubkey: Some(hex::encode(ed25519)),
            requested_unlock_height: None,
        }
    }

    /// True when the entry is usable: a real IP, a port and valid keys (desktop's filter plus
    /// key checks).
    pub fn is_usable(&self) -> bool {
        !self.public_ip.is_empty()
            && self.public_ip != "0.0.0.0"
            && self.storage_port != 0
            && self.x25519().is_some()
            && self.ed25519().is_some()
    }

    /// The X25519 key, if valid hex.
    pub fn x25519(&self) -> Option<[u8; 32]> {
        key(&self.pubkey_x25519)
    }

    /// The Ed25519 key, if valid hex.
    pub fn ed25519(&self) -> Option<[u8; 32]> {
        key(&self.pubkey_ed25519)
    }
}

/// oxend's `get_n_service_nodes` / `get_service_nodes` `result` object.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ServiceNodeList {
    /// The nodes.
    pub service_node_states: Vec<ServiceNodeState>,
    /// Chain height, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Hard fork version, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hardfork: Option<u16>,
}

/// The seed's JSON-RPC envelope `{"jsonrpc": "2.0", "id", "result"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonRpcResponse<T> {
    /// `"2.0"`.
    #[serde(default)]
    pub jsonrpc: String,
    /// Echoed request id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<serde_json::Value>,
    /// The result.
    pub result: T,
}

/// Body of the seed request Session desktop sends (`POST /json_rpc`).
pub fn seed_request_body() -> serde_json::Value {
    serde_json::json!({
        "jsonrpc": "2.0",
        "method": "get_n_service_nodes",
        "params": {
            "active_only": true,
            "fields": {
                "public_ip": true,
                "storage_port": true,
                "pubkey_x25519": true,
                "pubkey_ed25519": true,
                "requested_unlock_height": true,
                "height": true
            }
        }
    })
}
