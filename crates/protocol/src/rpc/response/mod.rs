//! Typed storage-server responses (serde both ways) and the per-node signatures inside them.
//!
//! Shapes confirmed in session-storage-server `request_handler.cpp` (commit 861638758ff6):
//! * Recursive methods answer `{"swarm": {<node ed25519 hex>: result}, "t", "hf"}`; a failed
//!   member's result is `{"failed": true}` plus optional `timeout`, `code` (a string, copied
//!   from the peer's reply), `reason`, `bad_peer_response`, `query_failure`. The whole answer
//!   is 200 unless every member failed (500).
//! * `store` also repeats `hash` at the top level; the entry node's own result carries a
//!   deprecated `t`, and every result carries `expiry`.
//! * `retrieve` messages have `hash`, `timestamp`, `expiration` (the doc comment says
//!   "expiry"; the code and Session desktop use `expiration`; we also accept `expiry`), `data`.
//! * `get_expiries` answers only `{"expiries": {hash: ms}}` (no `t`/`hf`).
//! * `info` answers `{"version": [x,y,z], "timestamp", "t", "hf"}`.
//! * `batch`/`sequence` answer `{"results": [{"code", "body"}…]}` with status 200.
//! * 421 and `get_swarm` answer `{"snodes": […], "swarm": "<hex id>", "t", "hf"}`.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::snode::SwarmNode;

mod node_results;
mod retrieve_json;
pub use node_results::*;

/// Errors from reading a response or checking a node's signature.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The body is not the expected JSON.
    #[error("the storage node's answer is not the expected JSON: {0}")]
    Json(String),
    /// A node's signature does not match what it claims.
    #[error("the signature of storage node {node} does not match its result")]
    BadNodeSignature {
        /// The node's Ed25519 key in hex.
        node: String,
    },
    /// The swarm map names a node whose key is not 64 hex digits.
    #[error("the swarm result names a node with an invalid key: {0}")]
    BadNodeKey(String),
}

/// Parses a response body.
pub fn parse_response<T: DeserializeOwned>(body: &[u8]) -> Result<T, ResponseError> {
    serde_json::from_slice(body).map_err(|e| ResponseError::Json(e.to_string()))
}

fn skip_false(b: &bool) -> bool {
    !*b
}

/// How a swarm member failed in a recursive request.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct NodeFailure {
    /// Always true on the wire.
    #[serde(default)]
    pub failed: bool,
    /// The forwarded request timed out.
    #[serde(default, skip_serializing_if = "skip_false")]
    pub timeout: bool,
    /// The peer's error code, as the text it sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A reason text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The peer's reply could not be parsed.
    #[serde(default, skip_serializing_if = "skip_false")]
    pub bad_peer_response: bool,
    /// The node's database failed.
    #[serde(default, skip_serializing_if = "skip_false")]
    pub query_failure: bool,
}

/// One swarm member's result: the method's result or a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeResult<T> {
    /// Success.
    Ok(T),
    /// `"failed": true`.
    Failed(NodeFailure),
}

impl<T: Serialize> Serialize for NodeResult<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            NodeResult::Ok(t) => t.serialize(s),
            NodeResult::Failed(f) => {
                let mut f = f.clone();
                f.failed = true;
                f.serialize(s)
            }
        }
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for NodeResult<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        if v.get("failed").and_then(Value::as_bool) == Some(true) {
            serde_json::from_value(v)
                .map(NodeResult::Failed)
                .map_err(serde::de::Error::custom)
        } else {
            serde_json::from_value(v)
                .map(NodeResult::Ok)
                .map_err(serde::de::Error::custom)
        }
    }
}

/// Answer of a recursive method: per-node results keyed by node Ed25519 hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound(serialize = "T: Serialize", deserialize = "T: DeserializeOwned"))]
pub struct SwarmResponse<T> {
    /// Per-node results.
    pub swarm: BTreeMap<String, NodeResult<T>>,
    /// `store` only: the message hash again (backwards compatibility).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Node clock (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
    /// Hard fork `[major, minor]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hf: Option<[u16; 2]>,
}

impl<T> SwarmResponse<T> {
    /// Successful results with the node key parsed.
    pub fn successes(&self) -> impl Iterator<Item = (&str, &T)> {
        self.swarm.iter().filter_map(|(k, v)| match v {
            NodeResult::Ok(t) => Some((k.as_str(), t)),
            NodeResult::Failed(_) => None,
        })
    }

    /// The HTTP status the node sends: 200 if any member succeeded, else 500.
    pub fn http_status(&self) -> u16 {
        if self.swarm.values().any(|r| matches!(r, NodeResult::Ok(_))) {
            200
        } else {
            500
        }
    }
}

/// `get_expiries` answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GetExpiriesResponse {
    /// Hash → expiry (ms) for the messages that exist.
    pub expiries: BTreeMap<String, u64>,
}

/// `get_swarm` answer, and the body of a 421 (wrong swarm).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GetSwarmResponse {
    /// The swarm's nodes.
    pub snodes: Vec<SwarmNode>,
    /// Swarm id as lowercase hex without `0x` (`ffffffffffffffff` = none).
    pub swarm: String,
    /// Node clock (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
    /// Hard fork.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hf: Option<[u16; 2]>,
}

/// Body of a 421 Misdirected Request.
pub type MisdirectedBody = GetSwarmResponse;

impl GetSwarmResponse {
    /// Builds with the id formatted as upstream does (hex, no leading zeros).
    pub fn new(swarm_id: u64, snodes: Vec<SwarmNode>, now_ms: u64, hf: [u16; 2]) -> Self {
        GetSwarmResponse {
            snodes,
            swarm: format!("{swarm_id:x}"),
            t: Some(now_ms),
            hf: Some(hf),
        }
    }

    /// The swarm id, if the text is valid hex.
    pub fn swarm_id(&self) -> Option<u64> {
        u64::from_str_radix(&self.swarm, 16).ok()
    }
}

/// `info` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InfoResponse {
    /// Storage-server version `[major, minor, patch]`.
    pub version: [u16; 3],
    /// Node clock (ms); clients use it as network time.
    pub timestamp: u64,
    /// Node clock again (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
    /// Hard fork.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hf: Option<[u16; 2]>,
}

/// `oxend_request` answer: oxend's JSON under `result`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OxendResponse {
    /// oxend's answer.
    pub result: Value,
    /// Node clock (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
    /// Hard fork.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hf: Option<[u16; 2]>,
}

/// One entry of a `batch`/`sequence` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubResult {
    /// HTTP status of the sub-request.
    pub code: u16,
    /// Its body: JSON, or a string for text errors.
    pub body: Value,
}

impl SubResult {
    /// True for 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.code)
    }

    /// The body as a typed response.
    pub fn body_as<T: DeserializeOwned>(&self) -> Result<T, ResponseError> {
        T::deserialize(&self.body).map_err(|e| ResponseError::Json(e.to_string()))
    }

    /// The error text of a failed sub-request (string bodies), if any.
    pub fn error_text(&self) -> Option<&str> {
        self.body.as_str()
    }
}

/// `batch`/`sequence` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchResponse {
    /// One result per sub-request run (a `sequence` stops after the first failure).
    pub results: Vec<SubResult>,
}
