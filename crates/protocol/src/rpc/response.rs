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

use ed25519_dalek::{Signer, SigningKey};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::account::{AccountPubkey, SubaccountToken};
use super::encoding::{bytes_b64, sig_b64};
use super::signature as sig;
use super::snode::SwarmNode;
use crate::identity::verify_ed25519;

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

/// Reads a node key from the `swarm` map.
pub fn node_key(hex_key: &str) -> Result<[u8; 32], ResponseError> {
    super::encoding::decode_hex_array::<32>(hex_key)
        .map_err(|_| ResponseError::BadNodeKey(hex_key.to_owned()))
}

fn check(node_hex: &str, msg: &[u8], signature: &[u8; 64]) -> Result<(), ResponseError> {
    let key = node_key(node_hex)?;
    verify_ed25519(&key, msg, signature).map_err(|_| ResponseError::BadNodeSignature {
        node: node_hex.to_owned(),
    })
}

fn sign(node: &SigningKey, msg: &[u8]) -> [u8; 64] {
    node.sign(msg).to_bytes()
}

/// A node's `store` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreNodeResult {
    /// Message hash.
    pub hash: String,
    /// Node signature of the hash text.
    #[serde(with = "sig_b64")]
    pub signature: [u8; 64],
    /// The message was already stored.
    #[serde(default, skip_serializing_if = "skip_false")]
    pub already: bool,
    /// Expiry the node applied (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<u64>,
    /// Deprecated node clock on the entry node's own result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
}

impl StoreNodeResult {
    /// Node side: signs the hash.
    pub fn sign(node: &SigningKey, hash: String, already: bool, expiry_ms: u64) -> Self {
        let signature = sign(node, &sig::node_store_signed_bytes(&hash));
        StoreNodeResult {
            hash,
            signature,
            already,
            expiry: Some(expiry_ms),
            t: None,
        }
    }

    /// Client side: checks the signature of the node keyed `node_hex`.
    pub fn verify(&self, node_hex: &str) -> Result<(), ResponseError> {
        check(
            node_hex,
            &sig::node_store_signed_bytes(&self.hash),
            &self.signature,
        )
    }
}

/// `store` answer.
pub type StoreResponse = SwarmResponse<StoreNodeResult>;

/// A message in a `retrieve` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrievedMessage {
    /// Message hash.
    pub hash: String,
    /// Store timestamp (ms).
    pub timestamp: u64,
    /// Expiry (ms); `expiration` on the wire.
    #[serde(rename = "expiration", alias = "expiry")]
    pub expiry: u64,
    /// Raw message (base64 on the wire).
    #[serde(with = "bytes_b64")]
    pub data: Vec<u8>,
}

/// `retrieve` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetrieveResponse {
    /// Messages; the last one's hash is the next `last_hash`.
    pub messages: Vec<RetrievedMessage>,
    /// More messages are waiting.
    #[serde(default)]
    pub more: bool,
    /// Node clock (ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub t: Option<u64>,
    /// Hard fork.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hf: Option<[u16; 2]>,
}

/// A node's `delete` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteNodeResult {
    /// Hashes this node deleted, sorted.
    pub deleted: Vec<String>,
    /// Node signature of `PUBKEY_HEX ‖ requested… ‖ deleted…`.
    #[serde(with = "sig_b64")]
    pub signature: [u8; 64],
}

impl DeleteNodeResult {
    /// Node side: sorts `deleted` and signs.
    pub fn sign(
        node: &SigningKey,
        account: &AccountPubkey,
        requested: &[String],
        mut deleted: Vec<String>,
    ) -> Self {
        deleted.sort();
        let signature = sign(
            node,
            &sig::node_delete_signed_bytes(account, requested, &deleted),
        );
        DeleteNodeResult { deleted, signature }
    }

    /// Client side: checks the node signature.
    pub fn verify(
        &self,
        node_hex: &str,
        account: &AccountPubkey,
        requested: &[String],
    ) -> Result<(), ResponseError> {
        let msg = sig::node_delete_signed_bytes(account, requested, &self.deleted);
        check(node_hex, &msg, &self.signature)
    }
}

/// Hashes affected in one namespace (a list) or in all (a map namespace → list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AffectedHashes {
    /// One namespace.
    One(Vec<String>),
    /// `"all"`: namespace (decimal text) → sorted hashes.
    ByNamespace(BTreeMap<String, Vec<String>>),
}

impl AffectedHashes {
    /// All hashes, sorted together (what the node signs).
    pub fn sorted_all(&self) -> Vec<String> {
        let mut all: Vec<String> = match self {
            AffectedHashes::One(list) => list.clone(),
            AffectedHashes::ByNamespace(map) => map.values().flatten().cloned().collect(),
        };
        all.sort();
        all
    }

    /// Node side: groups `(namespace, hash)` pairs for an `"all"` request.
    pub fn by_namespace(pairs: Vec<(i16, String)>) -> Self {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (ns, hash) in pairs {
            map.entry(ns.to_string()).or_default().push(hash);
        }
        map.values_mut().for_each(|v| v.sort());
        AffectedHashes::ByNamespace(map)
    }
}

/// A node's result for `delete_all`, `delete_before` (key `deleted`) or `expire_all` (key
/// `updated`); signed as `PUBKEY_HEX ‖ number ‖ sorted hashes…`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BulkNodeResult {
    /// Deleted hashes (delete_all, delete_before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted: Option<AffectedHashes>,
    /// Updated hashes (expire_all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<AffectedHashes>,
    /// Node signature.
    #[serde(with = "sig_b64")]
    pub signature: [u8; 64],
}

impl BulkNodeResult {
    /// The affected hashes, whichever key carried them.
    pub fn hashes(&self) -> Option<&AffectedHashes> {
        self.deleted.as_ref().or(self.updated.as_ref())
    }

    /// Node side: `number` is the request timestamp (delete_all), `before` (delete_before) or
    /// expiry (expire_all); `updated` selects the `updated` key (expire_all).
    pub fn sign(
        node: &SigningKey,
        account: &AccountPubkey,
        number: u64,
        hashes: AffectedHashes,
        updated: bool,
    ) -> Self {
        let msg =
            sig::node_account_number_hashes_signed_bytes(account, number, &hashes.sorted_all());
        let signature = sign(node, &msg);
        let (deleted, updated) = if updated {
            (None, Some(hashes))
        } else {
            (Some(hashes), None)
        };
        BulkNodeResult {
            deleted,
            updated,
            signature,
        }
    }

    /// Client side: checks the node signature (`number` as in [`BulkNodeResult::sign`]).
    pub fn verify(
        &self,
        node_hex: &str,
        account: &AccountPubkey,
        number: u64,
    ) -> Result<(), ResponseError> {
        let sorted = self
            .hashes()
            .map(AffectedHashes::sorted_all)
            .unwrap_or_default();
        let msg = sig::node_account_number_hashes_signed_bytes(account, number, &sorted);
        check(node_hex, &msg, &self.signature)
    }
}

/// `expiry` of an `expire` node result: one value, or one per `updated` hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExpiryValue {
    /// The request had one expiry: the (clamped) expiry applied.
    One(u64),
    /// The request had several: the expiries applied to the `updated` hashes, in order.
    Many(Vec<u64>),
}

impl ExpiryValue {
    /// The values in signature order.
    pub fn as_slice(&self) -> &[u64] {
        match self {
            ExpiryValue::One(v) => std::slice::from_ref(v),
            ExpiryValue::Many(v) => v,
        }
    }
}

/// A node's `expire` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpireNodeResult {
    /// Applied expiry (see [`ExpiryValue`]).
    pub expiry: ExpiryValue,
    /// Hashes whose expiry changed, sorted.
    pub updated: Vec<String>,
    /// With shorten/extend: found but unchanged hashes → current expiry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchanged: Option<BTreeMap<String, u64>>,
    /// Node signature.
    #[serde(with = "sig_b64")]
    pub signature: [u8; 64],
}

impl ExpireNodeResult {
    /// Node side. `updated` is `(hash, applied expiry)`; it is sorted by hash here.
    /// `single_expiry` is the clamped expiry when the request had one, else `None`;
    /// `unchanged` must be `Some` exactly when the request had shorten or extend.
    pub fn sign(
        node: &SigningKey,
        account: &AccountPubkey,
        requested: &[String],
        mut updated: Vec<(String, u64)>,
        single_expiry: Option<u64>,
        unchanged: Option<BTreeMap<String, u64>>,
    ) -> Self {
        updated.sort();
        let expiry = match single_expiry {
            Some(e) => ExpiryValue::One(e),
            None => ExpiryValue::Many(updated.iter().map(|(_, e)| *e).collect()),
        };
        let hashes: Vec<String> = updated.into_iter().map(|(h, _)| h).collect();
        let empty = BTreeMap::new();
        let msg = sig::node_expire_signed_bytes(
            account,
            expiry.as_slice(),
            requested,
            &hashes,
            unchanged.as_ref().unwrap_or(&empty),
        );
        ExpireNodeResult {
            signature: sign(node, &msg),
            expiry,
            updated: hashes,
            unchanged,
        }
    }

    /// Client side: checks the node signature.
    pub fn verify(
        &self,
        node_hex: &str,
        account: &AccountPubkey,
        requested: &[String],
    ) -> Result<(), ResponseError> {
        let empty = BTreeMap::new();
        let msg = sig::node_expire_signed_bytes(
            account,
            self.expiry.as_slice(),
            requested,
            &self.updated,
            self.unchanged.as_ref().unwrap_or(&empty),
        );
        check(node_hex, &msg, &self.signature)
    }
}

/// A node's `revoke_subaccount` / `unrevoke_subaccount` result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeNodeResult {
    /// `unrevoke_subaccount`: number of revocations removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Node signature of `PUBKEY_HEX ‖ timestamp ‖ tokens…`.
    #[serde(with = "sig_b64")]
    pub signature: [u8; 64],
}

impl RevokeNodeResult {
    /// Node side.
    pub fn sign(
        node: &SigningKey,
        account: &AccountPubkey,
        timestamp_ms: u64,
        tokens: &[SubaccountToken],
        count: Option<u64>,
    ) -> Self {
        let msg = sig::node_revoke_signed_bytes(account, timestamp_ms, tokens);
        RevokeNodeResult {
            count,
            signature: sign(node, &msg),
        }
    }

    /// Client side.
    pub fn verify(
        &self,
        node_hex: &str,
        account: &AccountPubkey,
        timestamp_ms: u64,
        tokens: &[SubaccountToken],
    ) -> Result<(), ResponseError> {
        let msg = sig::node_revoke_signed_bytes(account, timestamp_ms, tokens);
        check(node_hex, &msg, &self.signature)
    }
}

/// `delete` answer.
pub type DeleteResponse = SwarmResponse<DeleteNodeResult>;
/// `delete_all` / `delete_before` / `expire_all` answer.
pub type BulkResponse = SwarmResponse<BulkNodeResult>;
/// `expire` answer.
pub type ExpireResponse = SwarmResponse<ExpireNodeResult>;
/// `(un)revoke_subaccount` answer.
pub type RevokeResponse = SwarmResponse<RevokeNodeResult>;

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
