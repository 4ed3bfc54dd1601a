//! The routing JSON inside a decrypted layer, which tells the node what to do with the blob.
//!
//! Forms (checked in SSS's order: any `"headers"` key first, then `"host"`, else forward):
//! * next hop: `{"destination": <ed25519 hex>, "ephemeral_key": <x25519 hex>, "enc_type": ..}`
//! * this node is the destination: `{"headers": ""}` plus optional `"json"`/`"base64"` bools
//! * relay to a server: `{"host", "target", "method": "POST", "protocol", "port",
//!   "ephemeral_key", "enc_type"}`; the key fields are for the server, not the node.

use serde_json::{Map, Value};
use x25519_dalek::PublicKey;

use super::hop::EncType;
use super::payload::push_key_fields;
use super::{push_json_str, OnionError};

/// What a decrypted layer's JSON asks of the node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Routing {
    /// Pass the blob on to another service node.
    Forward(NextHop),
    /// This node is the destination; the blob is a storage RPC request.
    SnodeDestination(SnodeFlags),
    /// POST the whole decrypted layer to an HTTP(S) server.
    Server(ServerRoute),
}

impl Routing {
    /// Parses and classifies routing JSON.
    pub fn parse(json: &[u8]) -> Result<Routing, OnionError> {
        let map = json_object(json, "onion routing JSON")?;
        if map.contains_key("headers") {
            Ok(Routing::SnodeDestination(SnodeFlags {
                json: opt_bool(&map, "json")?,
                base64: opt_bool(&map, "base64")?,
            }))
        } else if map.contains_key("host") {
            ServerRoute::from_map(&map).map(Routing::Server)
        } else {
            NextHop::from_map(&map).map(Routing::Forward)
        }
    }
}

/// Routing to the next service node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextHop {
    /// The next node's Ed25519 public key (`"destination"`).
    pub destination: [u8; 32],
    /// Ephemeral X25519 key the next node decrypts the blob with.
    pub ephemeral_key: PublicKey,
    /// Cipher of the blob; AES-GCM when absent.
    pub enc_type: EncType,
}

impl NextHop {
    fn from_map(map: &Map<String, Value>) -> Result<NextHop, OnionError> {
        let what = "onion forward routing JSON";
        let destination = opt_str(map, "destination")?.ok_or(OnionError::MissingField {
            what,
            field: "destination",
        })?;
        let ephemeral_key = opt_str(map, "ephemeral_key")?.ok_or(OnionError::MissingField {
            what,
            field: "ephemeral_key",
        })?;
        let enc_type = match opt_str(map, "enc_type")? {
            Some(name) => EncType::parse(name)?,
            None => EncType::AesGcm,
        };
        Ok(NextHop {
            destination: parse_hex_key(destination, "destination")?,
            ephemeral_key: PublicKey::from(parse_hex_key(ephemeral_key, "ephemeral_key")?),
            enc_type,
        })
    }

    /// `{"destination":"<hex>","ephemeral_key":"<hex>","enc_type":"<name>"}`.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(200);
        out.extend_from_slice(b"{\"destination\":");
        push_json_str(&mut out, &hex::encode(self.destination));
        out.push(b',');
        push_key_fields(&mut out, &self.ephemeral_key, self.enc_type);
        out.push(b'}');
        out
    }
}

/// Options of a snode-destination layer: how the destination encodes its reply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnodeFlags {
    /// `"json"`: embed a JSON reply body as a value instead of a string. Default false.
    pub json: Option<bool>,
    /// `"base64"`: base64 the encrypted reply. Default true.
    pub base64: Option<bool>,
}

impl SnodeFlags {
    /// Whether a JSON body is embedded directly (else double-encoded as a string).
    pub fn embed_json(&self) -> bool {
        self.json.unwrap_or(false)
    }

    /// Whether the encrypted reply is base64 text (else raw bytes).
    pub fn base64(&self) -> bool {
        self.base64.unwrap_or(true)
    }

    /// `{"headers":""}` plus the flags that are set.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = b"{\"headers\":\"\"".to_vec();
        for (name, value) in [("json", self.json), ("base64", self.base64)] {
            if let Some(value) = value {
                out.extend_from_slice(b",\"");
                out.extend_from_slice(name.as_bytes());
                out.extend_from_slice(if value { b"\":true" } else { b"\":false" });
            }
        }
        out.push(b'}');
        out
    }
}

/// Where the last node relays a request for an external server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerRoute {
    /// Host name or IP.
    pub host: String,
    /// Path, e.g. `/oxen/v4/lsrpc`.
    pub target: String,
    /// `"https"` (default) or `"http"`.
    pub protocol: String,
    /// Port; when absent 443 for https and 80 otherwise (LSU's builder rule; SSS alone would
    /// assume 443, so builders always write it).
    pub port: u16,
}

impl ServerRoute {
    /// An HTTPS route on port 443.
    pub fn https(host: impl Into<String>, target: impl Into<String>) -> ServerRoute {
        ServerRoute {
            host: host.into(),
            target: target.into(),
            protocol: "https".to_owned(),
            port: 443,
        }
    }

    fn from_map(map: &Map<String, Value>) -> Result<ServerRoute, OnionError> {
        let what = "onion server routing JSON";
        let host = opt_str(map, "host")?.ok_or(OnionError::MissingField {
            what,
            field: "host",
        })?;
        let target = opt_str(map, "target")?.ok_or(OnionError::MissingField {
            what,
            field: "target",
        })?;
        let protocol = opt_str(map, "protocol")?.unwrap_or("https");
        let port = match map.get("port") {
            None => default_port(protocol),
            Some(v) => {
                v.as_u64()
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or(OnionError::BadField {
                        field: "port",
                        expected: "an integer from 0 to 65535",
                    })?
            }
        };
        Ok(ServerRoute {
            host: host.to_owned(),
            target: target.to_owned(),
            protocol: protocol.to_owned(),
            port,
        })
    }

    /// Checks what SSS checks before relaying: protocol http/https and an allowed target.
    pub fn check_allowed(&self) -> Result<(), OnionError> {
        if self.protocol != "http" && self.protocol != "https" {
            return Err(OnionError::RouteNotAllowed(
                "protocol must be http or https",
            ));
        }
        if !is_onion_target_allowed(&self.target) {
            return Err(OnionError::RouteNotAllowed(
                "target must start with /loki/ or /oxen/, end with /lsrpc and have no '?'",
            ));
        }
        Ok(())
    }

    /// The URL SSS posts to: the port is omitted when it is the protocol's default, and a `/`
    /// is inserted when the target lacks one.
    pub fn url(&self) -> String {
        let mut url = format!("{}://{}", self.protocol, self.host);
        if self.port != default_port(&self.protocol) {
            url.push(':');
            url.push_str(&self.port.to_string());
        }
        if !self.target.starts_with('/') {
            url.push('/');
        }
        url.push_str(&self.target);
        url
    }

    /// `{"host","target","method":"POST","protocol","port","ephemeral_key","enc_type"}`; the key
    /// fields let the server decrypt the blob.
    pub fn to_json(&self, ephemeral_key: &PublicKey, enc_type: EncType) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        out.extend_from_slice(b"{\"host\":");
        push_json_str(&mut out, &self.host);
        out.extend_from_slice(b",\"target\":");
        push_json_str(&mut out, &self.target);
        out.extend_from_slice(b",\"method\":\"POST\",\"protocol\":");
        push_json_str(&mut out, &self.protocol);
        out.extend_from_slice(b",\"port\":");
        out.extend_from_slice(self.port.to_string().as_bytes());
        out.push(b',');
        push_key_fields(&mut out, ephemeral_key, enc_type);
        out.push(b'}');
        out
    }
}

fn default_port(protocol: &str) -> u16 {
    if protocol == "https" {
        443
    } else {
        80
    }
}

/// SSS's rule for relay targets: starts with `/loki/` or `/oxen/`, ends with `/lsrpc`, no `?`.
pub fn is_onion_target_allowed(target: &str) -> bool {
    (target.starts_with("/loki/") || target.starts_with("/oxen/"))
        && target.ends_with("/lsrpc")
        && !target.contains('?')
}

/// Parses bytes as a JSON object.
pub(crate) fn json_object(
    json: &[u8],
    what: &'static str,
) -> Result<Map<String, Value>, OnionError> {
    serde_json::from_slice::<Map<String, Value>>(json).map_err(|e| OnionError::BadJson {
        what,
        reason: e.to_string(),
    })
}

/// A string field, if present; an error if present with another type.
pub(crate) fn opt_str<'m>(
    map: &'m Map<String, Value>,
    field: &'static str,
) -> Result<Option<&'m str>, OnionError> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(OnionError::BadField {
            field,
            expected: "a string",
        }),
    }
}

/// A bool field, if present; an error if present with another type.
pub(crate) fn opt_bool(
    map: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<bool>, OnionError> {
    match map.get(field) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(OnionError::BadField {
            field,
            expected: "true or false",
        }),
    }
}

/// Decodes a 64-hex-digit key.
pub(crate) fn parse_hex_key(hex_key: &str, field: &'static str) -> Result<[u8; 32], OnionError> {
    let mut key = [0u8; 32];
    hex::decode_to_slice(hex_key, &mut key).map_err(|_| OnionError::BadHexKey { field })?;
    Ok(key)
}
