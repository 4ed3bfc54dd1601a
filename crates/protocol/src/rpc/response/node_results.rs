//! The per-node results inside recursive answers (`store`, `delete*`, `expire*`,
//! `(un)revoke_subaccount`), and the Ed25519 signatures each swarm member puts on them.

use std::collections::BTreeMap;

use ed25519_dalek::{Signer, SigningKey};
use serde::{Deserialize, Serialize};

use super::super::account::{AccountPubkey, SubaccountToken};
use super::super::encoding::{bytes_b64, sig_b64};
use super::super::signature as sig;
use super::{skip_false, ResponseError, SwarmResponse};
use crate::identity::verify_ed25519;

/// Reads a node key from the `swarm` map.
pub fn node_key(hex_key: &str) -> Result<[u8; 32], ResponseError> {
    super::super::encoding::decode_hex_array::<32>(hex_key)
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
