//! Requests through the paths: the retry on another path, swarms (`get_swarm`, 421), the clock
//! fix (406/425), and the `store`/`retrieve` answers.

use rand::seq::SliceRandom;
use serde_json::Value;
use session_protocol::onion::SnodeReply;
use session_protocol::rpc::response::{
    GetSwarmResponse, InfoResponse, RetrieveResponse, StoreResponse,
};
use session_protocol::rpc::{build, AccountPubkey};

use super::state::KnownSwarm;
use super::transport::HopFailure;
use super::types::{NetError, RetrieveResult, RetrievedMessage, SnodeInfo, StoreAck};
use super::Network;
use crate::store::SnodeRecord;

/// Statuses a node sends for a request time outside its window.
pub(super) fn is_clock_status(status: u16) -> bool {
    status == 406 || status == 425
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The typed messages of a 200 `retrieve` body.
pub(super) fn parse_retrieve(body: Value) -> Result<(RetrieveResult, Option<u64>), NetError> {
    let parsed: RetrieveResponse = serde_json::from_value(body)
        .map_err(|e| NetError::BadResponse(format!("retrieve answer: {e}")))?;
    let messages = parsed
        .messages
        .into_iter()
        .map(|m| RetrievedMessage {
            hash: m.hash,
            data: m.data,
            timestamp_ms: to_i64(m.timestamp),
            expires_at_ms: to_i64(m.expiry),
        })
        .collect();
    Ok((
        RetrieveResult {
            messages,
            more: parsed.more,
        },
        parsed.t,
    ))
}

/// The hash of a 200 `store` body, checked against a swarm member's signature.
pub(super) fn parse_store(body: Value) -> Result<(StoreAck, Option<u64>), NetError> {
    let parsed: StoreResponse = serde_json::from_value(body)
        .map_err(|e| NetError::BadResponse(format!("store answer: {e}")))?;
    let signed = parsed
        .successes()
        .find(|(node, result)| result.verify(node).is_ok())
        .map(|(_, result)| result.hash.clone())
        .ok_or_else(|| NetError::BadResponse("no swarm member signed the store".to_owned()))?;
    if parsed.hash.as_ref().is_some_and(|h| h != &signed) {
        return Err(NetError::BadResponse(
            "the store answer names two different hashes".to_owned(),
        ));
    }
    Ok((StoreAck { hash: signed }, parsed.t))
}

/// Swarm nodes with usable keys and ports.
pub(super) fn swarm_nodes(answer: &GetSwarmResponse) -> Vec<SnodeInfo> {
    answer
        .snodes
        .iter()
        .filter_map(|n| {
            Some(SnodeInfo {
                ed25519: n.ed25519()?,
                x25519: n.x25519()?,
                ip: n.ip.clone(),
                port: n.https_port()?,
            })
        })
        .filter(|n| !n.ip.is_empty() && n.ip != "0.0.0.0")
        .collect()
}

pub(super) fn rejected(reply: &SnodeReply) -> NetError {
    let text = match &reply.body {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    NetError::Rejected {
        status: reply.status,
        text: text.chars().take(200).collect(),
    }
}

impl Network {
    /// The JSON body of a 200 reply, or the node's error as [`NetError::Rejected`].
    pub(super) fn ok_json(reply: &SnodeReply) -> Result<Value, NetError> {
        if reply.status != 200 {
            return Err(rejected(reply));
        }
        reply
            .body_json()
            .map_err(|e| NetError::BadResponse(e.to_string()))
    }

    /// Sends `payload` to `destination` through a path; on a path failure, rebuilds that path
    /// and tries once more on another. Any reply from the destination (whatever its status)
    /// is returned: RPC errors never count against the path.
    pub(super) async fn onion_rpc(
        &self,
        destination: &SnodeInfo,
        payload: &[u8],
    ) -> Result<SnodeReply, NetError> {
        self.ensure_ready().await?;
        let mut tried: Vec<u64> = Vec::new();
        let mut last: Option<HopFailure> = None;
        for _ in 0..2 {
            let path = match self.with_state(|s| s.pick_path(&tried)) {
                Some(path) => path,
                None => {
                    // Every path is down or already tried: build one now.
                    self.ensure_ready().await?;
                    self.with_state(|s| s.pick_path(&tried))
                        .ok_or(NetError::NoPath)?
                }
            };
            match self
                .transport()?
                .onion(&path.hops, destination, payload)
                .await
            {
                Ok(reply) => return Ok(reply),
                Err(HopFailure::NodeNotFound(node)) if node == destination.ed25519 => {
                    // The destination left the network; the path is fine.
                    self.with_state(|s| s.drop_node(&node));
                    self.forget_nodes(vec![node]).await;
                    return Err(NetError::NodeFailed);
                }
                Err(failure) => {
                    tracing::debug!(error = %failure.detail(), "onion request failed on a path");
                    let relay_class = |f: &HopFailure| {
                        matches!(f, HopFailure::Relay(_) | HopFailure::BadReply(_))
                    };
                    // Relays on two different paths could not get an answer from the same
                    // destination: blame the destination, not the second path.
                    let destination_suspect =
                        relay_class(&failure) && last.as_ref().is_some_and(relay_class);
                    if !destination_suspect {
                        self.path_failed(path.id, &failure).await;
                    }
                    tried.push(path.id);
                    last = Some(failure);
                }
            }
        }
        match last {
            // Relays on two different paths could not reach it: the destination is the
            // likely culprit.
            Some(HopFailure::Relay(_) | HopFailure::BadReply(_)) => Err(NetError::NodeFailed),
            Some(other) => Err(NetError::PathFailed {
                detail: other.detail(),
            }),
            None => Err(NetError::NoPath),
        }
    }

    /// Asks `node` for its clock and adopts it (after a 406/425).
    pub(super) async fn sync_clock(&self, node: &SnodeInfo) -> Result<(), NetError> {
        let reply = self.onion_rpc(node, &build::info().to_body()).await?;
        let body = Self::ok_json(&reply)?;
        let info: InfoResponse = serde_json::from_value(body)
            .map_err(|e| NetError::BadResponse(format!("node info: {e}")))?;
        self.learn_node_time(info.timestamp, true);
        Ok(())
    }

    /// The swarm of `account`: cached in SQLite, else asked from a random pool node.
    pub(super) async fn swarm_of(
        &self,
        account: &AccountPubkey,
    ) -> Result<Vec<SnodeInfo>, NetError> {
        let key = *account;
        self.check_swarms_current().await;
        let mut known = self.with_state(|s| s.swarms.get(&key).cloned());
        if known.is_none() {
            // First use of this account since start: the SQLite cache, kept in memory from now.
            if let Some(cached) = self.inner.store.run(move |s| s.swarm(&key)).await? {
                let swarm = KnownSwarm {
                    nodes: cached.nodes.iter().map(SnodeInfo::from_record).collect(),
                    fetched_at_ms: cached.fetched_at_ms,
                };
                // A swarm saved meanwhile (by a concurrent lookup) is newer: keep it.
                known = Some(self.with_state(|s| s.swarms.entry(key).or_insert(swarm).clone()));
            }
        }
        let max_age = i64::try_from(self.inner.config.pool_refresh.as_millis()).unwrap_or(i64::MAX);
        let now = self.inner.clock.now_ms();
        if let Some(swarm) = known {
            if !swarm.nodes.is_empty() && now.saturating_sub(swarm.fetched_at_ms) < max_age {
                return Ok(swarm.nodes);
            }
        }
        self.fetch_swarm(account).await
    }

    /// Drops the swarms held in memory when another connection wrote the database since the
    /// last check (they may have changed there); they are read again from SQLite. The check is
    /// a few microseconds, done in place when the store is free.
    async fn check_swarms_current(&self) {
        let store = &self.inner.store;
        let version = match store.try_run_now(|s| s.data_version()) {
            Some(version) => version,
            None => store.run(|s| s.data_version()).await,
        };
        let version = version.ok();
        self.with_state(|s| {
            if version.is_none() || s.swarms_data_version != version {
                s.swarms.clear();
                s.swarms_data_version = version;
            }
        });
    }

    /// `get_swarm` through a path to a random pool node (two nodes at most).
    async fn fetch_swarm(&self, account: &AccountPubkey) -> Result<Vec<SnodeInfo>, NetError> {
        let mut tried: Vec<[u8; 32]> = Vec::new();
        let mut last = NetError::NoPath;
        for _ in 0..2 {
            self.ensure_ready().await?;
            let node = self.random_pool_node(&tried).ok_or(NetError::NoPath)?;
            tried.push(node.ed25519);
            let result = async {
                let reply = self
                    .onion_rpc(&node, &build::get_swarm(*account).to_body())
                    .await?;
                let body = Self::ok_json(&reply)?;
                serde_json::from_value::<GetSwarmResponse>(body)
                    .map_err(|e| NetError::BadResponse(format!("swarm answer: {e}")))
            }
            .await;
            match result {
                Ok(answer) => return self.save_swarm(account, &answer).await,
                Err(e) => {
                    tracing::debug!(error = %e, "swarm lookup failed");
                    last = e;
                }
            }
        }
        Err(last)
    }

    /// Caches the swarm in a `get_swarm` or 421 answer; returns its nodes.
    pub(super) async fn save_swarm(
        &self,
        account: &AccountPubkey,
        answer: &GetSwarmResponse,
    ) -> Result<Vec<SnodeInfo>, NetError> {
        if let Some(t) = answer.t {
            self.learn_node_time(t, false);
        }
        let nodes = swarm_nodes(answer);
        if nodes.is_empty() {
            return Err(NetError::BadResponse(
                "the swarm answer lists no nodes".to_owned(),
            ));
        }
        let swarm_id = answer.swarm_id();
        let mut records: Vec<SnodeRecord> = nodes.iter().filter_map(SnodeInfo::to_record).collect();
        for r in &mut records {
            r.swarm_id = swarm_id;
        }
        let key = *account;
        let now = self.inner.clock.now_ms();
        self.inner
            .store
            .run(move |s| s.save_swarm(&key, swarm_id, &records, now))
            .await?;
        let known = KnownSwarm {
            nodes: nodes.clone(),
            fetched_at_ms: now,
        };
        self.with_state(|s| {
            s.swarms.insert(key, known);
            // A sticky poll node outside the new swarm is dropped.
            if let Some(node) = s.poll_nodes.get(account) {
                if !nodes.iter().any(|n| n.ed25519 == node.ed25519) {
                    s.poll_nodes.remove(account);
                }
            }
        });
        Ok(nodes)
    }

    /// Forgets `node` as a member of `account`'s swarm (it failed), and as sticky poll node.
    pub(super) async fn forget_swarm_node(&self, account: &AccountPubkey, node: &SnodeInfo) {
        let key = *account;
        let ed = node.ed25519;
        self.with_state(|s| {
            if s.poll_nodes.get(&key).is_some_and(|n| n.ed25519 == ed) {
                s.poll_nodes.remove(&key);
            }
            if let Some(swarm) = s.swarms.get_mut(&key) {
                swarm.nodes.retain(|n| n.ed25519 != ed);
            }
        });
        if let Err(e) = self
            .inner
            .store
            .run(move |s| s.remove_swarm_node(&key, &ed))
            .await
        {
            tracing::warn!(error = %e, "could not update the cached swarm");
        }
    }

    /// A random swarm member not yet tried.
    pub(super) fn pick_member(swarm: &[SnodeInfo], tried: &[[u8; 32]]) -> Option<SnodeInfo> {
        let fresh: Vec<&SnodeInfo> = swarm
            .iter()
            .filter(|n| !tried.contains(&n.ed25519))
            .collect();
        fresh.choose(&mut rand::thread_rng()).map(|n| (*n).clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn garbage_retrieve_answers_are_typed_errors() {
        let bodies = [
            json!("not an object"),
            json!({}),
            json!({"messages": "nope"}),
            json!({"messages": [{"hash": "h", "timestamp": 1, "expiration": 2, "data": "!!!"}]}),
            json!({"messages": [{"hash": 5, "timestamp": 1, "expiration": 2, "data": "AA=="}]}),
            json!({"messages": [{"hash": "h", "timestamp": -1, "expiration": 2, "data": "AA=="}]}),
            json!({"messages": [{"hash": "h", "timestamp": 1, "data": "AA=="}]}),
            json!(null),
        ];
        for body in bodies {
            assert!(matches!(
                parse_retrieve(body),
                Err(NetError::BadResponse(_))
            ));
        }
        let (ok, t) = parse_retrieve(json!({"messages": [
            {"hash": "h", "timestamp": 1, "expiration": 2, "data": "AAE="}], "more": true, "t": 9}))
        .unwrap();
        assert_eq!(t, Some(9));
        assert!(ok.more);
        assert_eq!(ok.messages[0].data, vec![0, 1]);
    }

    #[test]
    fn garbage_store_answers_are_typed_errors() {
        for body in [
            json!({}),
            json!({"swarm": {}}),
            json!({"swarm": {"ab": {"hash": "x", "signature": "AAAA"}}}),
            json!({"swarm": {"00": {"failed": true}}}),
            json!([1, 2]),
        ] {
            assert!(matches!(parse_store(body), Err(NetError::BadResponse(_))));
        }
    }

    #[test]
    fn swarm_entries_without_keys_or_ports_are_skipped() {
        let answer: GetSwarmResponse = serde_json::from_value(json!({
            "snodes": [
                {"pubkey_x25519": "zz", "pubkey_ed25519": "00", "ip": "1.2.3.4", "port_https": 1},
                {"pubkey_x25519": hex::encode([1u8; 32]), "pubkey_ed25519": hex::encode([2u8; 32]),
                 "ip": "1.2.3.4", "port_https": 0},
                {"pubkey_x25519": hex::encode([1u8; 32]), "pubkey_ed25519": hex::encode([2u8; 32]),
                 "ip": "1.2.3.4", "port": "443"}
            ],
            "swarm": "10"
        }))
        .unwrap();
        let nodes = swarm_nodes(&answer);
        assert_eq!(nodes.len(), 1);
        assert_eq!(nodes[0].port, 443);
    }
}
