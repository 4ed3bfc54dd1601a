//! oxend-compatible `POST /json_rpc`: `get_service_nodes` (alias `get_n_service_nodes`,
//! `get_all_service_nodes`) and `ons_resolve`.
//!
//! Shapes confirmed upstream (oxen-io/oxen-core `src/rpc/core_rpc_server.cpp`
//! `invoke(GET_SERVICE_NODES&)`, `fill_sn_response_entry`, `requested()`;
//! `core_rpc_server_command_parser.cpp`; `http_server.cpp` for JSON-RPC errors):
//! * `fields` is a list of names (or, deprecated, a `{"name": true}` dict); empty or absent means
//!   all; `"all"` plus `"-name"` entries exclude names. It filters both the top-level keys
//!   (`height`, `target_height`, `block_hash`, `hardfork`, `snode_revision`) and each
//!   `service_node_states` entry; `status: "OK"` is always present.
//! * `active_only`, `limit` (random subset; negative = all, shuffled), `service_node_pubkeys`,
//!   `poll_block_hash` (adds `unchanged`, and omits the list when unchanged).
//! * Errors: `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…}}`: −32700 parse error,
//!   −32600 invalid request, −32601 method not found, −1 bad parameter.
//!
//! session-desktop (`SeedNodeAPI.ts`) needs `application/json` and `result.service_node_states`
//! entries with `public_ip` (not `0.0.0.0`), `storage_port`, `pubkey_x25519`, `pubkey_ed25519`.

use std::collections::HashSet;

use rand::seq::SliceRandom;
use serde_json::{json, Map, Value};

use super::ons::OnsTable;
use super::registry::{NodeRecord, RegistrySnapshot};
use crate::{NETWORK_HARDFORK, SNODE_REVISION};

/// A JSON-RPC error (code and message as oxend sends them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcError {
    /// JSON-RPC error code.
    pub code: i64,
    /// Message.
    pub message: String,
}

impl RpcError {
    /// oxend's `ERROR_WRONG_PARAM` (−1).
    pub fn wrong_param(message: impl Into<String>) -> RpcError {
        RpcError {
            code: -1,
            message: message.into(),
        }
    }
}

/// Handles one JSON-RPC request body, returning the full response object.
pub fn handle(body: &[u8], snapshot: impl FnOnce() -> RegistrySnapshot, ons: &OnsTable) -> Value {
    let request: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return error_response(&Value::Null, -32700, "Parse error"),
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request.get("method").and_then(Value::as_str) else {
        return error_response(&id, -32600, "Invalid Request");
    };
    let params = request.get("params").cloned().unwrap_or(Value::Null);
    let result = match method {
        "get_service_nodes" | "get_n_service_nodes" | "get_all_service_nodes" => {
            get_service_nodes(&params, &snapshot())
        }
        "ons_resolve" => ons.resolve(&params),
        _ => return error_response(&id, -32601, "Method not found"),
    };
    match result {
        Ok(result) => json!({"jsonrpc": "2.0", "id": id, "result": result}),
        Err(e) => error_response(&id, e.code, &e.message),
    }
}

fn error_response(id: &Value, code: i64, message: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
}

/// oxend's field selection.
#[derive(Debug, Default)]
struct Fields(HashSet<String>);

impl Fields {
    fn parse(value: Option<&Value>) -> Result<Fields, RpcError> {
        let mut set = HashSet::new();
        match value {
            None | Some(Value::Null) => {}
            Some(Value::Object(map)) => {
                for (k, v) in map {
                    if v.as_bool() == Some(true) {
                        if k == "all" {
                            set.clear();
                            break;
                        }
                        set.insert(k.clone());
                    }
                }
            }
            Some(Value::Array(items)) => {
                for item in items {
                    let name = item
                        .as_str()
                        .ok_or_else(|| RpcError::wrong_param("'fields' must list field names"))?;
                    set.insert(name.to_string());
                }
            }
            Some(_) => return Err(RpcError::wrong_param("'fields' must be a list of names")),
        }
        Ok(Fields(set))
    }

    fn requested(&self, key: &str) -> bool {
        self.0.is_empty()
            || if self.0.contains("all") {
                !self.0.contains(&format!("-{key}"))
            } else {
                self.0.contains(key)
            }
    }

    fn set(&self, map: &mut Map<String, Value>, key: &str, value: Value) {
        if self.requested(key) {
            map.insert(key.to_string(), value);
        }
    }
}

/// The `block_hash` stand-in: the registry revision as 64 hex digits (there is no chain).
fn block_hash(revision: u64) -> String {
    format!("{revision:064x}")
}

fn get_service_nodes(params: &Value, snapshot: &RegistrySnapshot) -> Result<Value, RpcError> {
    let fields = Fields::parse(params.get("fields"))?;
    let active_only = params
        .get("active_only")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let limit = match params.get("limit") {
        None | Some(Value::Null) => 0,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| RpcError::wrong_param("'limit' must be an integer"))?,
    };
    let wanted: Option<HashSet<String>> = match params.get("service_node_pubkeys") {
        None | Some(Value::Null) => None,
        Some(Value::Array(keys)) => Some(
            keys.iter()
                .map(|k| k.as_str().map(str::to_ascii_lowercase))
                .collect::<Option<HashSet<_>>>()
                .ok_or_else(|| RpcError::wrong_param("'service_node_pubkeys' must be hex keys"))?,
        ),
        Some(_) => {
            return Err(RpcError::wrong_param(
                "'service_node_pubkeys' must be a list",
            ))
        }
    };

    let mut result = Map::new();
    result.insert("status".into(), json!("OK"));
    let (hf, rev) = (NETWORK_HARDFORK, SNODE_REVISION);
    fields.set(&mut result, "height", json!(snapshot.revision));
    fields.set(&mut result, "target_height", json!(snapshot.revision));
    fields.set(&mut result, "hardfork", json!(hf));
    fields.set(&mut result, "snode_revision", json!(rev));
    fields.set(
        &mut result,
        "block_hash",
        json!(block_hash(snapshot.revision)),
    );

    let poll = params
        .get("poll_block_hash")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if let Some(poll) = poll {
        let unchanged = poll.eq_ignore_ascii_case(&block_hash(snapshot.revision));
        result.insert("unchanged".into(), json!(unchanged));
        result.insert("block_hash".into(), json!(block_hash(snapshot.revision)));
        if unchanged {
            return Ok(Value::Object(result));
        }
    }

    let mut nodes: Vec<&(NodeRecord, bool)> = snapshot
        .nodes
        .iter()
        .filter(|(_, active)| *active || !active_only)
        .filter(|(n, _)| {
            wanted
                .as_ref()
                .is_none_or(|w| w.contains(&hex::encode(n.pubkey_ed25519)))
        })
        .collect();
    let mut rng = rand::thread_rng();
    if limit < 0 || usize::try_from(limit).is_ok_and(|l| l >= nodes.len()) {
        nodes.shuffle(&mut rng);
    } else if limit > 0 {
        let (picked, _) = nodes.partial_shuffle(&mut rng, usize::try_from(limit).unwrap_or(0));
        nodes = picked.to_vec();
    }
    let states: Vec<Value> = nodes
        .into_iter()
        .map(|(node, active)| node_entry(node, *active, &fields))
        .collect();
    result.insert("service_node_states".into(), Value::Array(states));
    Ok(Value::Object(result))
}

fn node_entry(node: &NodeRecord, active: bool, fields: &Fields) -> Value {
    let ed = hex::encode(node.pubkey_ed25519);
    let mut m = Map::new();
    fields.set(&mut m, "service_node_pubkey", json!(ed));
    fields.set(
        &mut m,
        "registration_height",
        json!(node.registration_revision),
    );
    fields.set(&mut m, "requested_unlock_height", json!(0));
    fields.set(&mut m, "active", json!(active));
    fields.set(&mut m, "funded", json!(true));
    fields.set(&mut m, "swarm_id", json!(node.swarm_id));
    fields.set(&mut m, "swarm", json!(format!("{:x}", node.swarm_id)));
    fields.set(&mut m, "pubkey_ed25519", json!(ed));
    fields.set(
        &mut m,
        "pubkey_x25519",
        json!(hex::encode(node.pubkey_x25519)),
    );
    fields.set(&mut m, "public_ip", json!(node.public_ip.to_string()));
    fields.set(&mut m, "storage_port", json!(node.storage_port));
    fields.set(&mut m, "storage_lmq_port", json!(node.storage_lmq_port));
    fields.set(&mut m, "storage_server_version", json!(node.version));
    fields.set(
        &mut m,
        "last_uptime_proof",
        json!(node.last_seen_ms.max(0) / 1000),
    );
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn snapshot() -> RegistrySnapshot {
        let node = |n: u8, swarm: u64, active: bool| {
            (
                NodeRecord {
                    pubkey_ed25519: [n; 32],
                    pubkey_x25519: [n + 100; 32],
                    public_ip: Ipv4Addr::LOCALHOST,
                    storage_port: 1000 + u16::from(n),
                    storage_lmq_port: 2000 + u16::from(n),
                    version: [2, 8, 0],
                    swarm_id: swarm,
                    registration_revision: u64::from(n),
                    last_registration_ms: 0,
                    last_seen_ms: 5_000,
                },
                active,
            )
        };
        RegistrySnapshot {
            revision: 7,
            nodes: vec![node(1, 0, true), node(2, 0, true), node(3, 1 << 63, false)],
        }
    }

    fn call(body: &Value) -> Value {
        handle(body.to_string().as_bytes(), snapshot, &OnsTable::default())
    }

    #[test]
    fn desktop_request_gets_active_nodes_with_requested_fields() {
        let res = call(
            &json!({"jsonrpc":"2.0","id":3,"method":"get_n_service_nodes","params":{
            "active_only":true,"fields":{"public_ip":true,"storage_port":true,
            "pubkey_x25519":true,"pubkey_ed25519":true,"storage_server_version":true,
            "height":true}}}),
        );
        assert_eq!(res["id"], 3);
        let result = &res["result"];
        assert_eq!(result["status"], "OK");
        assert_eq!(result["height"], 7);
        assert!(result.get("hardfork").is_none());
        let states = result["service_node_states"].as_array().unwrap();
        assert_eq!(states.len(), 2);
        for s in states {
            let obj = s.as_object().unwrap();
            let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            keys.sort_unstable();
            assert_eq!(
                keys,
                [
                    "pubkey_ed25519",
                    "pubkey_x25519",
                    "public_ip",
                    "storage_port",
                    "storage_server_version"
                ]
            );
            assert_eq!(s["public_ip"], "127.0.0.1");
        }
    }

    #[test]
    fn all_fields_by_default_and_exclusions() {
        let res = call(&json!({"jsonrpc":"2.0","id":"x","method":"get_service_nodes"}));
        let result = &res["result"];
        assert_eq!(result["hardfork"], json!(NETWORK_HARDFORK));
        let states = result["service_node_states"].as_array().unwrap();
        assert_eq!(states.len(), 3);
        let third = states.iter().find(|s| s["storage_port"] == 1003).unwrap();
        assert_eq!(third["swarm_id"], json!(1u64 << 63));
        assert_eq!(third["swarm"], "8000000000000000");
        assert_eq!(third["active"], false);
        assert_eq!(third["storage_lmq_port"], 2003);
        assert_eq!(third["pubkey_x25519"], hex::encode([103u8; 32]));

        let res = call(&json!({"jsonrpc":"2.0","id":1,"method":"get_service_nodes",
            "params":{"fields":["all","-swarm","-height"]}}));
        assert!(res["result"].get("height").is_none());
        assert!(res["result"]["service_node_states"][0]
            .get("swarm")
            .is_none());
        assert!(res["result"]["service_node_states"][0]
            .get("swarm_id")
            .is_some());
    }

    #[test]
    fn limit_pubkeys_and_poll() {
        let res = call(&json!({"jsonrpc":"2.0","id":1,"method":"get_service_nodes",
            "params":{"limit":1}}));
        assert_eq!(
            res["result"]["service_node_states"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let res = call(&json!({"jsonrpc":"2.0","id":1,"method":"get_service_nodes",
            "params":{"service_node_pubkeys":[hex::encode([2u8; 32])]}}));
        let states = res["result"]["service_node_states"].as_array().unwrap();
        assert_eq!(states.len(), 1);
        assert_eq!(states[0]["storage_port"], 1002);
        let res = call(&json!({"jsonrpc":"2.0","id":1,"method":"get_service_nodes",
            "params":{"poll_block_hash": block_hash(7)}}));
        assert_eq!(res["result"]["unchanged"], true);
        assert!(res["result"].get("service_node_states").is_none());
    }

    #[test]
    fn errors_follow_json_rpc() {
        let res = handle(b"{nope", snapshot, &OnsTable::default());
        assert_eq!(res["error"]["code"], -32700);
        let res = call(&json!({"jsonrpc":"2.0","id":9,"method":"get_info_nope"}));
        assert_eq!(res["error"]["code"], -32601);
        assert_eq!(res["id"], 9);
        let res = call(&json!({"jsonrpc":"2.0","id":9}));
        assert_eq!(res["error"]["code"], -32600);
        let res = call(&json!({"jsonrpc":"2.0","id":9,"method":"get_service_nodes",
            "params":{"fields":7}}));
        assert_eq!(res["error"]["code"], -1);
    }
}
