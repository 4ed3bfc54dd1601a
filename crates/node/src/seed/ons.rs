//! The seed's ONS table: Session names registered in the network's config, answered to
//! `ons_resolve` in oxend's format (via `session_protocol::ons`).

use std::collections::{BTreeMap, HashMap};

use rand::RngCore;
use serde_json::Value;
use session_protocol::identity::SessionId;
use session_protocol::ons::{
    encrypt_ons_value, parse_name_hash, OnsError, OnsName, OnsResolveResult, ONS_NONCE_LEN,
    ONS_TYPE_SESSION,
};

use super::json_rpc::RpcError;

/// Errors in the configured ONS names.
#[derive(Debug, thiserror::Error)]
pub enum OnsConfigError {
    /// A name is not a valid Session name.
    #[error("ONS name {name:?} in the config is not valid: {source}")]
    BadName {
        /// The name as configured.
        name: String,
        /// Why.
        source: OnsError,
    },
    /// A value is not a Session ID.
    #[error("the Session ID configured for ONS name {name:?} is not valid: {reason}")]
    BadSessionId {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// Two configured names are the same after lowercasing.
    #[error("ONS name {0:?} is configured twice")]
    Duplicate(String),
}

/// Encrypted records keyed by name hash.
#[derive(Debug, Default)]
pub struct OnsTable {
    records: HashMap<[u8; 32], OnsResolveResult>,
}

impl OnsTable {
    /// Builds the table from `name → Session ID (66 hex)` entries. Each record gets a random
    /// nonce, as an on-chain registration would.
    pub fn from_config(entries: &BTreeMap<String, String>) -> Result<OnsTable, OnsConfigError> {
        let mut records = HashMap::new();
        for (name, id) in entries {
            let parsed = OnsName::parse(name).map_err(|source| OnsConfigError::BadName {
                name: name.clone(),
                source,
            })?;
            let session_id: SessionId =
                id.parse()
                    .map_err(|e: session_protocol::identity::IdentityError| {
                        OnsConfigError::BadSessionId {
                            name: name.clone(),
                            reason: e.to_string(),
                        }
                    })?;
            let mut nonce = [0u8; ONS_NONCE_LEN];
            rand::rngs::OsRng.fill_bytes(&mut nonce);
            let record = encrypt_ons_value(&parsed, &session_id, &nonce).map_err(|source| {
                OnsConfigError::BadName {
                    name: name.clone(),
                    source,
                }
            })?;
            if records
                .insert(parsed.name_hash(), OnsResolveResult::from_record(&record))
                .is_some()
            {
                return Err(OnsConfigError::Duplicate(parsed.to_string()));
            }
        }
        Ok(OnsTable { records })
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no names.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// `ons_resolve` with oxend's params (`type`, `name_hash` as base64 or hex) and answer
    /// (`encrypted_value` and `nonce` in hex; an empty object when the name is unknown).
    pub fn resolve(&self, params: &Value) -> Result<Value, RpcError> {
        let record_type = params.get("type").and_then(Value::as_u64).ok_or_else(|| {
            RpcError::wrong_param("Unable to resolve ONS address: 'type' parameter not specified")
        })?;
        let name_hash_text = params
            .get("name_hash")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name_hash = parse_name_hash(name_hash_text).map_err(|_| {
            RpcError::wrong_param(format!(
                "Unable to resolve ONS address: invalid 'name_hash' value '{name_hash_text}'"
            ))
        })?;
        if record_type != u64::from(ONS_TYPE_SESSION) {
            // Only Session records exist on this network.
            return Ok(Value::Object(serde_json::Map::new()));
        }
        Ok(match self.records.get(&name_hash) {
            Some(result) => serde_json::to_value(result).unwrap_or_default(),
            None => Value::Object(serde_json::Map::new()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "05fb466d312e1666ad1c84c4ee55b7e034151c0e366a313d95d11436a5f36e1e75";

    #[test]
    fn configured_names_resolve_and_decrypt() {
        let mut cfg = BTreeMap::new();
        cfg.insert("Alice".to_string(), ID.to_string());
        let table = OnsTable::from_config(&cfg).unwrap();
        let name = OnsName::parse("alice").unwrap();
        let res = table
            .resolve(&json!({"type": 0, "name_hash": name.name_hash_base64()}))
            .unwrap();
        let parsed: OnsResolveResult = serde_json::from_value(res).unwrap();
        assert_eq!(parsed.decrypt(&name).unwrap().to_hex(), ID);
        // Hex name hashes work too; unknown names give an empty result.
        let res = table
            .resolve(&json!({"type": 0, "name_hash": hex::encode(name.name_hash())}))
            .unwrap();
        assert!(res.get("encrypted_value").is_some());
        let other = OnsName::parse("bob").unwrap();
        let res = table
            .resolve(&json!({"type": 0, "name_hash": other.name_hash_base64()}))
            .unwrap();
        assert_eq!(res, json!({}));
    }

    #[test]
    fn bad_config_and_params_are_reported() {
        let mut cfg = BTreeMap::new();
        cfg.insert("-bad".to_string(), ID.to_string());
        assert!(matches!(
            OnsTable::from_config(&cfg),
            Err(OnsConfigError::BadName { .. })
        ));
        let mut cfg = BTreeMap::new();
        cfg.insert("ok".to_string(), "05zz".to_string());
        assert!(matches!(
            OnsTable::from_config(&cfg),
            Err(OnsConfigError::BadSessionId { .. })
        ));
        let mut cfg = BTreeMap::new();
        cfg.insert("Ok".to_string(), ID.to_string());
        cfg.insert("ok".to_string(), ID.to_string());
        assert!(matches!(
            OnsTable::from_config(&cfg),
            Err(OnsConfigError::Duplicate(_))
        ));
        let table = OnsTable::default();
        assert_eq!(
            table.resolve(&json!({"name_hash": "x"})).unwrap_err().code,
            -1
        );
        assert_eq!(
            table
                .resolve(&json!({"type": 0, "name_hash": "x"}))
                .unwrap_err()
                .code,
            -1
        );
    }
}
