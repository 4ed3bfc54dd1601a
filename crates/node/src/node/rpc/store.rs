//! `store` on this node: the message hash, the database write and the signed result.
//!
//! A node's result (upstream `process_client_req(rpc::store&&)`): `{"hash", "signature" (of the
//! hash text), "already": true (when it was stored before), "expiry"}`; on a database failure
//! `{"failed": true, "query_failure": true}`. The entry node adds the swarm's answers
//! ([`super::recursive`]). Swarm peers receive stores in batches and write them with one
//! `store_many` call ([`execute_many`]).

use session_protocol::rpc::limits::{STORE_TOLERANCE_MS, TTL_MIN_MS};
use session_protocol::rpc::message_hash_for;
use session_protocol::rpc::request::StoreParams;
use session_protocol::rpc::response::StoreNodeResult;
use session_protocol::rpc::AuthError;

use super::member::MemberResult;
use super::{node_failure, store_key};
use crate::node::NodeContext;
use crate::store::{NewMessage, StoreError, StoreOutcome};

/// The TTL and clock rules of `store` without the signature check (for copies forwarded by
/// the entry node, which checked the signature). Same order and texts as the protocol
/// crate's `verify`.
pub(super) fn check_rules(p: &StoreParams, now_ms: u64) -> Result<(), AuthError> {
    let expiry = p.expiry_ms();
    let ttl = i128::from(expiry) - i128::from(p.timestamp);
    if ttl < i128::from(TTL_MIN_MS) || ttl > i128::from(p.namespace.max_ttl_ms()) {
        return Err(AuthError::InvalidTtl);
    }
    if p.timestamp > now_ms.saturating_add(STORE_TOLERANCE_MS)
        || expiry < now_ms.saturating_sub(STORE_TOLERANCE_MS)
    {
        return Err(AuthError::StoreClock);
    }
    Ok(())
}

fn ms(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The row to write for a store request.
pub(super) fn new_message(p: &StoreParams) -> NewMessage {
    NewMessage {
        pubkey: store_key(&p.pubkey),
        namespace: p.namespace.get(),
        hash: message_hash_for(&p.pubkey, p.namespace, &p.data),
        timestamp_ms: ms(p.timestamp),
        expiry_ms: ms(p.expiry_ms()),
        data: p.data.clone(),
    }
}

/// The signed node result for a written message (`expiry_ms`: the expiry requested).
fn signed_result(
    ctx: &NodeContext,
    hash: &str,
    expiry_ms: i64,
    outcome: StoreOutcome,
) -> MemberResult {
    let expiry = match outcome {
        StoreOutcome::New => expiry_ms,
        StoreOutcome::Exists { expiry_ms } | StoreOutcome::Extended { expiry_ms } => expiry_ms,
    };
    MemberResult::Store(StoreNodeResult::sign(
        ctx.identity.keypair().signing_key(),
        hash.to_owned(),
        outcome.already_existed(),
        u64::try_from(expiry).unwrap_or(0),
    ))
}

/// Stores one message on this node; returns the node result and the hash. `may_wait`: the
/// write may wait briefly to share a commit with others
/// ([`crate::store::Store::store_in_shared_commit`]).
pub(super) async fn execute_one(
    ctx: &NodeContext,
    p: &StoreParams,
    may_wait: bool,
) -> (MemberResult, String) {
    let msg = new_message(p);
    let (hash, expiry) = (msg.hash.clone(), msg.expiry_ms);
    let stored = if may_wait {
        ctx.store.store_in_shared_commit(msg).await
    } else {
        ctx.store.store(msg).await
    };
    let result = match stored {
        Ok(outcome) => signed_result(ctx, &hash, expiry, outcome),
        Err(e) => MemberResult::Json(node_failure(&e)),
    };
    (result, hash)
}

/// Stores several messages in one database job (replication batches).
pub(super) async fn execute_many(ctx: &NodeContext, params: &[&StoreParams]) -> Vec<MemberResult> {
    let msgs: Vec<NewMessage> = params.iter().map(|p| new_message(p)).collect();
    let keys: Vec<(String, i64)> = msgs.iter().map(|m| (m.hash.clone(), m.expiry_ms)).collect();
    match ctx.store.store_many(msgs).await {
        Ok(outcomes) if outcomes.len() == keys.len() => keys
            .iter()
            .zip(outcomes)
            .map(|((hash, expiry), outcome)| signed_result(ctx, hash, *expiry, outcome))
            .collect(),
        Ok(_) => {
            let e = StoreError::Interrupted("store_many answered for the wrong count".into());
            keys.iter()
                .map(|_| MemberResult::Json(node_failure(&e)))
                .collect()
        }
        Err(e) => keys
            .iter()
            .map(|_| MemberResult::Json(node_failure(&e)))
            .collect(),
    }
}
