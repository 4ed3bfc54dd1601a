//! The "combined payload" frame `u32_le(N) ‖ blob[N] ‖ UTF-8 JSON` and the outer layer header
//! JSON `{"ephemeral_key": hex, "enc_type": ...}` that tells a node how to decrypt the blob.

use serde_json::{Map, Value};
use x25519_dalek::PublicKey;

use super::hop::EncType;
use super::routing::{json_object, opt_str, parse_hex_key};
use super::{push_json_str, OnionError};

/// A combined payload split into its parts (borrowed from the input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CombinedPayload<'a> {
    /// The `N` bytes after the length prefix (ciphertext, or the request for a destination).
    pub blob: &'a [u8],
    /// Everything after the blob: a JSON document (not yet parsed).
    pub json: &'a [u8],
}

impl<'a> CombinedPayload<'a> {
    /// Splits `u32_le(N) ‖ blob[N] ‖ json`. The JSON part is not checked here.
    pub fn parse(bytes: &'a [u8]) -> Result<CombinedPayload<'a>, OnionError> {
        let (prefix, rest) = bytes
            .split_first_chunk::<4>()
            .ok_or(OnionError::TruncatedLengthPrefix { len: bytes.len() })?;
        let declared = u32::from_le_bytes(*prefix);
        let (blob, json) = usize::try_from(declared)
            .ok()
            .and_then(|n| rest.split_at_checked(n))
            .ok_or(OnionError::LengthExceedsPayload {
                declared,
                remaining: rest.len(),
            })?;
        Ok(CombinedPayload { blob, json })
    }

    /// Re-encodes the frame.
    pub fn encode(&self) -> Result<Vec<u8>, OnionError> {
        encode_combined(self.blob, self.json)
    }
}

/// Builds `u32_le(blob.len()) ‖ blob ‖ json`.
pub fn encode_combined(blob: &[u8], json: &[u8]) -> Result<Vec<u8>, OnionError> {
    let mut out = Vec::with_capacity(4 + blob.len() + json.len());
    push_combined(&mut out, blob, json)?;
    Ok(out)
}

/// Appends a combined payload to `out`.
pub(crate) fn push_combined(out: &mut Vec<u8>, blob: &[u8], json: &[u8]) -> Result<(), OnionError> {
    let n =
        u32::try_from(blob.len()).map_err(|_| OnionError::PayloadTooLarge { len: blob.len() })?;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(blob);
    out.extend_from_slice(json);
    Ok(())
}

/// The JSON of a layer addressed to the node receiving it: which ephemeral key and cipher
/// decrypt the blob. Extra fields (routing of a server destination, for instance) are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LayerHeader {
    /// The client's ephemeral X25519 public key (`"ephemeral_key"`, 64 hex).
    pub ephemeral_key: PublicKey,
    /// `"enc_type"`; AES-GCM when absent.
    pub enc_type: EncType,
    /// `"hop_no"`: an optional starting hop count (SSS clamps negatives to 0).
    pub hop_no: Option<u32>,
}

impl LayerHeader {
    /// A header without `hop_no`.
    pub fn new(ephemeral_key: PublicKey, enc_type: EncType) -> LayerHeader {
        LayerHeader {
            ephemeral_key,
            enc_type,
            hop_no: None,
        }
    }

    /// Parses the header JSON.
    pub fn parse(json: &[u8]) -> Result<LayerHeader, OnionError> {
        LayerHeader::from_map(&json_object(json, "onion layer JSON")?)
    }

    pub(crate) fn from_map(map: &Map<String, Value>) -> Result<LayerHeader, OnionError> {
        let key = opt_str(map, "ephemeral_key")?.ok_or(OnionError::MissingField {
            what: "onion layer JSON",
            field: "ephemeral_key",
        })?;
        let ephemeral_key = PublicKey::from(parse_hex_key(key, "ephemeral_key")?);
        let enc_type = match opt_str(map, "enc_type")? {
            Some(name) => EncType::parse(name)?,
            None => EncType::AesGcm,
        };
        let hop_no = match map.get("hop_no") {
            None => None,
            Some(v) => {
                let n = v.as_i64().ok_or(OnionError::BadField {
                    field: "hop_no",
                    expected: "an integer",
                })?;
                Some(u32::try_from(n.max(0)).map_err(|_| OnionError::BadField {
                    field: "hop_no",
                    expected: "an integer below 2^32",
                })?)
            }
        };
        Ok(LayerHeader {
            ephemeral_key,
            enc_type,
            hop_no,
        })
    }

    /// Serializes as `{"ephemeral_key":"<hex>","enc_type":"<name>"[,"hop_no":n]}`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(128);
        out.push(b'{');
        push_key_fields(&mut out, &self.ephemeral_key, self.enc_type);
        if let Some(hop_no) = self.hop_no {
            out.extend_from_slice(b",\"hop_no\":");
            out.extend_from_slice(hop_no.to_string().as_bytes());
        }
        out.push(b'}');
        out
    }
}

/// Appends the members `"ephemeral_key":"<hex>","enc_type":"<name>"` (no braces).
pub(crate) fn push_key_fields(out: &mut Vec<u8>, ephemeral_key: &PublicKey, enc_type: EncType) {
    out.extend_from_slice(b"\"ephemeral_key\":");
    push_json_str(out, &hex::encode(ephemeral_key.as_bytes()));
    out.extend_from_slice(b",\"enc_type\":");
    push_json_str(out, enc_type.as_str());
}
