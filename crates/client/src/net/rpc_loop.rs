//! The two request loops every storage RPC goes through, so the 421 and 406/425 rules live in
//! one place:
//!
//! * [`Network::node_rpc`]: one given node (`retrieve`, `poll_batch`). A 406/425 is fixed by
//!   adopting the node's clock and retried once; a 421 saves the swarm it names and ends with
//!   [`NetError::WrongSwarm`]; a node or path failure forgets the node as a swarm member.
//! * [`Network::swarm_rpc`]: a member of the account's swarm (`store`, `store_sequence`). A
//!   421 saves the swarm it names and is retried once on it; a 406/425 as above; a member that
//!   does not answer is replaced by another once.
//!
//! The caller builds the request for a timestamp and reads the 200 body into an [`Answer`]:
//! a `batch`/`sequence` reader reports a 421 or 406/425 found among its sub-results the same
//! way, so they are handled exactly like the whole request's.

use serde_json::Value;
use session_protocol::onion::SnodeReply;
use session_protocol::rpc::response::GetSwarmResponse;
use session_protocol::rpc::{AccountPubkey, BuildError, Request};

use super::ops::is_clock_status;
use super::types::{NetError, SnodeInfo};
use super::Network;

/// What a destination's answer means for the request loop.
#[derive(Debug)]
pub(super) enum Answer<T> {
    /// The result, and the node clock (`t`) it carried.
    Done(T, Option<u64>),
    /// 421: the account lives in another swarm; the swarm named in the answer.
    WrongSwarm(Result<GetSwarmResponse, NetError>),
    /// 406/425: the node rejected the request time.
    Clock,
}

/// The swarm in a 421 body (JSON, or JSON inside a string).
pub(super) fn misdirected(body: &Value) -> Result<GetSwarmResponse, NetError> {
    let json = Network::ok_json(&SnodeReply {
        status: 200,
        body: body.clone(),
    })?;
    serde_json::from_value(json).map_err(|e| NetError::BadResponse(format!("421 answer: {e}")))
}

/// A request builder's error as ours.
pub(super) fn invalid(e: &BuildError) -> NetError {
    NetError::InvalidRequest(e.to_string())
}

/// Classifies a reply: 421 and 406/425 here, a 200 body through `read`, else the node's error.
fn classify<T>(
    reply: &SnodeReply,
    read: impl FnOnce(Value) -> Result<Answer<T>, NetError>,
) -> Result<Answer<T>, NetError> {
    match reply.status {
        421 => Ok(Answer::WrongSwarm(misdirected(&reply.body))),
        status if is_clock_status(status) => Ok(Answer::Clock),
        _ => read(Network::ok_json(reply)?),
    }
}

impl Network {
    /// Sends the request `build` makes for the current network time to `node` (see the module
    /// documentation for the retries) and reads the answer with `read`.
    pub(super) async fn node_rpc<T>(
        &self,
        node: &SnodeInfo,
        account: &AccountPubkey,
        build: impl Fn(u64) -> Result<Request, NetError>,
        read: impl Fn(Value) -> Result<Answer<T>, NetError>,
    ) -> Result<T, NetError> {
        let mut clock_retried = false;
        loop {
            let now = u64::try_from(self.network_now_ms()).unwrap_or(0);
            let request = build(now)?;
            let reply = match self.onion_rpc(node, &request.to_body()).await {
                Ok(reply) => reply,
                Err(e @ (NetError::NodeFailed | NetError::PathFailed { .. })) => {
                    self.forget_swarm_node(account, node).await;
                    return Err(e);
                }
                Err(e) => return Err(e),
            };
            match classify(&reply, &read)? {
                Answer::Done(result, t) => {
                    if let Some(t) = t {
                        self.learn_node_time(t, false);
                    }
                    return Ok(result);
                }
                Answer::WrongSwarm(answer) => {
                    match answer {
                        Ok(answer) => {
                            self.save_swarm(account, &answer).await?;
                        }
                        Err(_) => self.forget_swarm_node(account, node).await,
                    }
                    self.with_state(|s| s.poll_nodes.remove(account));
                    return Err(NetError::WrongSwarm);
                }
                Answer::Clock if !clock_retried => {
                    clock_retried = true;
                    tracing::info!("a storage node rejected our clock; adopting the node's time");
                    self.sync_clock(node).await?;
                }
                Answer::Clock => return Err(NetError::ClockOutOfSync),
            }
        }
    }

    /// Sends the request `build` makes for `timestamp_ms` (then corrected network time after a
    /// clock rejection) to a member of `account`'s swarm (see the module documentation for the
    /// retries) and reads the answer with `read`.
    pub(super) async fn swarm_rpc<T>(
        &self,
        account: &AccountPubkey,
        timestamp_ms: i64,
        build: impl Fn(u64) -> Result<Request, NetError>,
        read: impl Fn(Value) -> Result<Answer<T>, NetError>,
    ) -> Result<T, NetError> {
        let mut timestamp = timestamp_ms;
        let mut swarm = self.swarm_of(account).await?;
        let mut tried: Vec<[u8; 32]> = Vec::new();
        let (mut swarm_retried, mut clock_retried) = (false, false);
        let mut node_failures = 0;
        loop {
            let node = Self::pick_member(&swarm, &tried).ok_or(NetError::NodeFailed)?;
            let now = u64::try_from(timestamp)
                .map_err(|_| NetError::InvalidRequest("negative timestamp".into()))?;
            let request = build(now)?;
            let reply = match self.onion_rpc(&node, &request.to_body()).await {
                Ok(reply) => reply,
                Err(NetError::NodeFailed) if node_failures < 1 => {
                    node_failures += 1;
                    tried.push(node.ed25519);
                    self.forget_swarm_node(account, &node).await;
                    continue;
                }
                Err(e) => return Err(e),
            };
            match classify(&reply, &read)? {
                Answer::Done(result, t) => {
                    if let Some(t) = t {
                        self.learn_node_time(t, false);
                    }
                    return Ok(result);
                }
                Answer::WrongSwarm(answer) if !swarm_retried => {
                    swarm_retried = true;
                    tracing::debug!("a request reached the wrong swarm; using the swarm it named");
                    swarm = self.save_swarm(account, &answer?).await?;
                    tried.clear();
                }
                Answer::WrongSwarm(_) => return Err(NetError::WrongSwarm),
                Answer::Clock if !clock_retried => {
                    clock_retried = true;
                    tracing::info!("a storage node rejected our clock; adopting the node's time");
                    self.sync_clock(&node).await?;
                    timestamp = self.network_now_ms();
                }
                Answer::Clock => return Err(NetError::ClockOutOfSync),
            }
        }
    }
}
