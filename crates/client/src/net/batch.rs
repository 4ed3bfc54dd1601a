//! Several storage RPCs in one onion request (CONFIG-GROUPS.md §1.10):
//!
//! * [`Network::poll_batch`]: a `batch` of signed retrieves of the own namespaces (user swarm:
//!   `[0, 2, 3, 5, 4]`), plus an `expire` that refreshes the TTL of the current config
//!   messages.
//! * [`Network::store_sequence`]: the config push, a `sequence` of signed stores then one
//!   `delete` of the obsolete hashes.
//!
//! The node answers `{"results": [{"code", "body"}…]}` with 200; a `sequence` stops after the
//! first failed step (fewer results). All sub-requests are for one account, so a 421 or a
//! 406/425 among them is handled as the whole request's (swarm saved, clock adopted and the
//! whole request retried once) by the shared loops of [`super::rpc_loop`].

use serde_json::Value;
use session_protocol::identity::Keypair;
use session_protocol::onion::SnodeReply;
use session_protocol::rpc::limits::BATCH_REQUEST_MAX;
use session_protocol::rpc::response::{BatchResponse, DeleteResponse, ExpireResponse};
use session_protocol::rpc::{build, AccountPubkey, ExpireMode, Namespace, SubResult};

use super::ops::{self, is_clock_status};
use super::rpc_loop::{invalid, misdirected, Answer};
use super::types::{
    ExpireRefresh, NetError, RetrieveResult, SequenceOutcome, SequenceStore, SnodeInfo,
};
use super::Network;

/// One result per retrieve of a [`Network::poll_batch`].
type PollResults = Vec<Result<RetrieveResult, NetError>>;

impl Network {
    /// One onion request to `node` carrying a `batch` of signed retrieves of `keypair`'s
    /// namespaces after their last hashes (in the order given), then, when `refresh` has
    /// hashes, an `expire` setting them to its expiry. Returns one result per retrieve, in
    /// order: a retrieve the node refused gets its own error. The refresh's result is only
    /// logged. Failures of the whole request are handled like [`Network::retrieve`]'s: a
    /// 406/425 is fixed by adopting the node's clock and retried once; 421 or a node failure
    /// update the caches and return [`NetError::WrongSwarm`] / [`NetError::NodeFailed`].
    pub async fn poll_batch(
        &self,
        node: &SnodeInfo,
        keypair: &Keypair,
        retrieves: &[(Namespace, Option<String>)],
        refresh: Option<ExpireRefresh>,
    ) -> Result<Vec<Result<RetrieveResult, NetError>>, NetError> {
        let account = AccountPubkey::from(&keypair.session_id());
        let refresh = refresh.filter(|r| !r.hashes.is_empty());
        let expire = refresh
            .as_ref()
            .map(|r| {
                build::expire(
                    keypair,
                    r.hashes.clone(),
                    vec![r.expiry_ms],
                    ExpireMode::Set,
                )
                .map_err(|e| invalid(&e))
            })
            .transpose()?;
        let count = retrieves.len() + usize::from(expire.is_some());
        if count == 0 {
            return Err(NetError::InvalidRequest(
                "nothing to poll: no namespace and no message to refresh".into(),
            ));
        }
        if count > BATCH_REQUEST_MAX {
            return Err(NetError::InvalidRequest(format!(
                "one poll holds at most {} namespaces (with the refresh counting as one), not {count}",
                BATCH_REQUEST_MAX
            )));
        }
        let build = |now: u64| {
            let mut requests: Vec<_> = retrieves
                .iter()
                .map(|(namespace, last)| {
                    build::retrieve(keypair, *namespace, last.clone(), None, now)
                })
                .collect();
            requests.extend(expire.clone());
            build::batch(requests).map_err(|e| invalid(&e))
        };
        let refreshed = refresh.as_ref().map(|r| r.hashes.as_slice());
        let read = |body| parse_poll_batch(body, retrieves.len(), &account, refreshed);
        self.node_rpc(node, &account, build, read).await
    }

    /// One onion request to a member of `keypair`'s own swarm carrying a `sequence` of signed
    /// `stores` then, when `delete` is not empty, a `delete` of those hashes (missing ones are
    /// not an error). Retries like [`Network::store`] (421, 406/425, another member when one
    /// does not answer). Ok when every step succeeded: the store hashes, each signed by a swarm
    /// member. A step the node refused ends the sequence: [`NetError::SequenceStopped`] names
    /// it (the steps before it were done).
    pub async fn store_sequence(
        &self,
        keypair: &Keypair,
        stores: Vec<SequenceStore>,
        delete: Vec<String>,
    ) -> Result<SequenceOutcome, NetError> {
        let account = AccountPubkey::from(&keypair.session_id());
        let mut steps: Vec<String> = stores
            .iter()
            .map(|s| format!("store into namespace {}", s.namespace))
            .collect();
        let delete_request = if delete.is_empty() {
            None
        } else {
            steps.push(format!("delete of {} old message(s)", delete.len()));
            Some(build::delete(keypair, delete.clone(), false).map_err(|e| invalid(&e))?)
        };
        if steps.is_empty() {
            return Err(NetError::InvalidRequest(
                "nothing to store or delete".into(),
            ));
        }
        if steps.len() > BATCH_REQUEST_MAX {
            return Err(NetError::InvalidRequest(format!(
                "one update holds at most {BATCH_REQUEST_MAX} stores and deletes, not {}",
                steps.len()
            )));
        }
        let build = |now: u64| {
            let mut requests = stores
                .iter()
                .map(|s| build::store_signed(keypair, s.namespace, s.data.clone(), s.ttl_ms, now))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| invalid(&e))?;
            requests.extend(delete_request.clone());
            build::sequence(requests).map_err(|e| invalid(&e))
        };
        let read = |body| parse_sequence(body, &steps, stores.len(), &account, &delete);
        self.swarm_rpc(&account, self.network_now_ms(), build, read)
            .await
    }
}

/// The results of a `batch`/`sequence` answer (at most `sent`).
fn sub_results(body: Value, sent: usize) -> Result<Vec<SubResult>, NetError> {
    let answer: BatchResponse = serde_json::from_value(body)
        .map_err(|e| NetError::BadResponse(format!("batch answer: {e}")))?;
    if answer.results.len() > sent {
        return Err(NetError::BadResponse(format!(
            "the batch answer has {} results for {sent} requests",
            answer.results.len()
        )));
    }
    Ok(answer.results)
}

/// A 421 or 406/425 among the sub-results: the whole request's failure.
fn whole_request_failure<T>(results: &[SubResult]) -> Option<Answer<T>> {
    if let Some(wrong) = results.iter().find(|r| r.code == 421) {
        return Some(Answer::WrongSwarm(misdirected(&wrong.body)));
    }
    results
        .iter()
        .any(|r| is_clock_status(r.code))
        .then_some(Answer::Clock)
}

/// A sub-result's JSON (200) or the node's error for it.
fn sub_json(result: SubResult) -> Result<Value, NetError> {
    Network::ok_json(&SnodeReply {
        status: result.code,
        body: result.body,
    })
}

/// The detail of a parse error, to name the step it came from.
fn detail(e: NetError) -> String {
    match e {
        NetError::BadResponse(detail) => detail,
        other => other.to_string(),
    }
}

/// Reads a [`Network::poll_batch`] answer: `retrieves` results, then the refresh's when
/// `refreshed` names its hashes.
fn parse_poll_batch(
    body: Value,
    retrieves: usize,
    account: &AccountPubkey,
    refreshed: Option<&[String]>,
) -> Result<Answer<PollResults>, NetError> {
    let sent = retrieves + usize::from(refreshed.is_some());
    let mut results = sub_results(body, sent)?;
    if results.len() != sent {
        return Err(NetError::BadResponse(format!(
            "the batch answer has {} results for {sent} requests",
            results.len()
        )));
    }
    if let Some(failure) = whole_request_failure(&results) {
        return Ok(failure);
    }
    let refresh = results.split_off(retrieves).pop();
    let mut t = None;
    let polled = results
        .into_iter()
        .map(|r| {
            let (result, node_t) = ops::parse_retrieve(sub_json(r)?)?;
            t = t.or(node_t);
            Ok(result)
        })
        .collect();
    if let (Some(result), Some(hashes)) = (refresh, refreshed) {
        log_refresh(result, account, hashes);
    }
    Ok(Answer::Done(polled, t))
}

/// Logs how the TTL refresh went (nothing depends on it: the next poll sends it again).
fn log_refresh(result: SubResult, account: &AccountPubkey, hashes: &[String]) {
    let answer = sub_json(result).and_then(|body| {
        serde_json::from_value::<ExpireResponse>(body)
            .map_err(|e| NetError::BadResponse(format!("expire answer: {e}")))
    });
    match answer {
        Ok(answer) => {
            let updated = answer
                .successes()
                .filter(|(node, r)| r.verify(node, account, hashes).is_ok())
                .map(|(_, r)| r.updated.len())
                .max();
            tracing::debug!(
                requested = hashes.len(),
                updated = ?updated,
                "TTL refresh answered (updated: by the best signed member)"
            );
        }
        Err(e) => tracing::debug!(error = %e, "TTL refresh failed"),
    }
}

/// Reads a [`Network::store_sequence`] answer: `stores` store results, then the delete's
/// when `deleted` is not empty. `steps` names every step.
fn parse_sequence(
    body: Value,
    steps: &[String],
    stores: usize,
    account: &AccountPubkey,
    delete: &[String],
) -> Result<Answer<SequenceOutcome>, NetError> {
    let total = steps.len();
    let results = sub_results(body, total)?;
    if let Some(failure) = whole_request_failure(&results) {
        return Ok(failure);
    }
    let ran = results.len();
    let mut outcome = SequenceOutcome::default();
    let mut t = None;
    for (i, result) in results.into_iter().enumerate() {
        let what = steps.get(i).cloned().unwrap_or_default();
        if result.code != 200 {
            return Err(NetError::SequenceStopped {
                step: i + 1,
                total,
                what,
                cause: Box::new(ops::rejected(&SnodeReply {
                    status: result.code,
                    body: result.body,
                })),
            });
        }
        let step_error = |e: NetError| {
            NetError::BadResponse(format!("step {} of {total} ({what}): {}", i + 1, detail(e)))
        };
        let json = sub_json(result).map_err(step_error)?;
        if i < stores {
            let (ack, node_t) = ops::parse_store(json).map_err(step_error)?;
            outcome.hashes.push(ack.hash);
            t = t.or(node_t);
        } else {
            let answer: DeleteResponse = serde_json::from_value(json)
                .map_err(|e| step_error(NetError::BadResponse(format!("delete answer: {e}"))))?;
            outcome.deleted = answer
                .successes()
                .any(|(node, r)| r.verify(node, account, delete).is_ok());
            if !outcome.deleted {
                tracing::debug!("no swarm member signed the delete of old messages");
            }
        }
    }
    if ran < total {
        return Err(NetError::BadResponse(format!(
            "the node ran {ran} of {total} steps and reported no failure"
        )));
    }
    Ok(Answer::Done(outcome, t))
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
