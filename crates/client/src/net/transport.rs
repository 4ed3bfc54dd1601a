//! HTTP transport: the seed listing, direct storage RPCs and onion requests, over one pooled
//! HTTPS client (keep-alive connections to the guards).
//!
//! Service nodes present self-signed certificates (as Session's do); the onion layers encrypted
//! to each node's X25519 key are what authenticate them, so snode HTTPS accepts any
//! certificate. Seeds named by a host name are verified against the web PKI; a seed given as an
//! IP literal (a devnet) is not.

use std::sync::Arc;
use std::time::Duration;

use rand::rngs::OsRng;
use session_protocol::onion::{
    build_onion_request_prepared, decode_snode_reply, EncType, OnionDestination, PathError,
    PathHop, SnodeReply, SnodeTarget,
};
use session_protocol::rpc::snode::ServiceNodeState;
use session_protocol::rpc::snode::{seed_request_body, JsonRpcResponse, ServiceNodeList};
use x25519_dalek::PublicKey;

use super::prepared_keys::PreparedKeys;
use super::types::{NetError, SnodeInfo};

/// How an onion request failed before the destination answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HopFailure {
    /// A relay named a node it cannot find (the node left the network).
    NodeNotFound([u8; 32]),
    /// The guard could not be reached or did not answer in time.
    Guard(String),
    /// A relay reported an error (timeout, bad layer, not ready, …).
    Relay(String),
    /// The reply did not decrypt or parse (a hop mangled it).
    BadReply(String),
}

impl HopFailure {
    /// Text without keys or addresses.
    pub(crate) fn detail(&self) -> String {
        match self {
            HopFailure::NodeNotFound(_) => "a relay could not find the next node".to_owned(),
            HopFailure::Guard(d) | HopFailure::Relay(d) | HopFailure::BadReply(d) => d.clone(),
        }
    }
}

/// The HTTP clients of one [`super::Network`].
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    /// Any certificate (service nodes, IP-literal seeds).
    snode_http: reqwest::Client,
    /// Web-PKI verified (named seeds).
    seed_http: reqwest::Client,
    timeout: Duration,
    /// Tables for the node keys that onion layers are sealed to most often.
    prepared: Arc<PreparedKeys>,
}

fn build_client(accept_any_cert: bool, timeout: Duration) -> Result<reqwest::Client, NetError> {
    reqwest::Client::builder()
        .danger_accept_invalid_certs(accept_any_cert)
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .tcp_nodelay(true)
        .pool_idle_timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| NetError::Bootstrap {
            detail: format!("cannot set up HTTPS: {e}"),
        })
}

/// Whether `url`'s host is an IP literal (devnet seeds with self-signed certificates).
fn host_is_ip(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host_port = rest.split('/').next().unwrap_or_default();
    if host_port.starts_with('[') {
        return true;
    }
    let host = host_port.rsplit_once(':').map_or(host_port, |(h, _)| h);
    host.parse::<std::net::IpAddr>().is_ok()
}

impl Transport {
    pub(crate) fn new(timeout: Duration) -> Result<Transport, NetError> {
        Ok(Transport {
            snode_http: build_client(true, timeout)?,
            seed_http: build_client(false, timeout)?,
            timeout,
            prepared: Arc::default(),
        })
    }

    /// Lists the service nodes from one seed.
    pub(crate) async fn fetch_seed(&self, seed_url: &str) -> Result<Vec<SnodeInfo>, String> {
        let http = if host_is_ip(seed_url) {
            &self.snode_http
        } else {
            &self.seed_http
        };
        let url = format!("{}/json_rpc", seed_url.trim_end_matches('/'));
        let response = http
            .post(url)
            .json(&seed_request_body())
            .send()
            .await
            .map_err(describe)?;
        if !response.status().is_success() {
            return Err(format!("seed answered HTTP {}", response.status().as_u16()));
        }
        let body = response.bytes().await.map_err(describe)?;
        let parsed: JsonRpcResponse<ServiceNodeList> =
            serde_json::from_slice(&body).map_err(|e| format!("seed answer: {e}"))?;
        Ok(usable_nodes(&parsed.result.service_node_states))
    }

    /// An onion request through `path` (guard first) to the service node `destination`;
    /// returns the destination's decrypted `{"status", "body"}`.
    pub(crate) async fn onion(
        &self,
        path: &[SnodeInfo],
        destination: &SnodeInfo,
        payload: &[u8],
    ) -> Result<SnodeReply, HopFailure> {
        let Some(guard) = path.first() else {
            return Err(HopFailure::Guard("empty path".to_owned()));
        };
        let hops: Vec<PathHop> = path.iter().map(path_hop).collect();
        let target = OnionDestination::Snode(SnodeTarget {
            node: path_hop(destination),
            flags: Default::default(),
        });
        let built = build_onion_request_prepared(
            &hops,
            &target,
            payload,
            EncType::AesGcm,
            &mut OsRng,
            |key| self.prepared.get(key),
        )
        .map_err(|e| HopFailure::BadReply(format!("cannot build the onion request: {e}")))?;
        let url = format!("https://{}/onion_req/v2", guard.address());
        let response = self
            .snode_http
            .post(url)
            .header("content-type", "application/octet-stream")
            .timeout(self.timeout)
            .body(built.body)
            .send()
            .await
            .map_err(|e| HopFailure::Guard(describe(e)))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| HopFailure::Guard(describe(e)))?;
        if status != 200 {
            return Err(match PathError::from_status_and_body(status, &body) {
                PathError::NextNodeNotFound { ed25519 } => HopFailure::NodeNotFound(ed25519),
                other => HopFailure::Relay(other.to_string()),
            });
        }
        decode_snode_reply(&built.reply_key, &body)
            .map_err(|e| HopFailure::BadReply(format!("the reply could not be read: {e}")))
    }
}

fn path_hop(node: &SnodeInfo) -> PathHop {
    PathHop {
        ed25519: node.ed25519,
        x25519: PublicKey::from(node.x25519),
    }
}

/// A reqwest error described without the URL (it holds a node's address).
fn describe(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "connection failed".to_owned()
    } else {
        e.without_url().to_string()
    }
}

/// Keeps the entries with a real address and valid keys.
pub(crate) fn usable_nodes(states: &[ServiceNodeState]) -> Vec<SnodeInfo> {
    states
        .iter()
        .filter(|s| s.is_usable())
        .filter_map(|s| {
            Some(SnodeInfo {
                ed25519: s.ed25519()?,
                x25519: s.x25519()?,
                ip: s.public_ip.clone(),
                port: s.storage_port,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ip_literal_seeds_are_recognised() {
        assert!(host_is_ip("http://127.0.0.1:22000"));
        assert!(host_is_ip("https://[::1]:22001/"));
        assert!(!host_is_ip("https://seed1.getsession.org:4443"));
        assert!(!host_is_ip("https://localhost"));
    }
}
