//! Node-to-node forwarding of recursive storage requests inside a swarm.
//!
//! The entry node of a recursive request (store, delete*, expire*, (un)revoke_subaccount)
//! verifies it, runs it, and hands it to a per-peer batching sender: one Tokio task per swarm
//! peer that drains everything queued (up to [`MAX_BATCH_ITEMS`] / [`MAX_BATCH_BYTES`]) into one
//! `POST /swarm/v1/forward`, with at most [`MAX_IN_FLIGHT`] batches on the wire per peer, and
//! routes each item's answer back through a oneshot channel. A peer that does not answer
//! within [`FORWARD_TIMEOUT`] (or refuses connections) is marked down for [`DOWN_FOR`]: its
//! items are answered "timeout" at once instead of waiting again; catch-up brings it level
//! later.
//!
//! # Wire format
//!
//! `POST /swarm/v1/forward` over the nodes' HTTPS port with headers (checked by
//! [`super::peer_auth`], shared with the other node-to-node endpoints)
//! * `X-Session-Node-Sender`: the sending node's Ed25519 key, 64 hex digits;
//! * `X-Session-Node-Timestamp`: the sender's clock, ms since the epoch (±60 s accepted);
//! * `X-Session-Node-Mac`: base64 HMAC-SHA256, under the key the two nodes share, of
//!   `"session-node-forward-v1" ‖ recipient Ed25519 key (32 raw bytes) ‖ timestamp (decimal) ‖
//!   body` ([`forward_signed_bytes`]; binding the recipient stops a batch being replayed to
//!   another member; see [`super::peer_auth`]);
//!
//! Body: `{"requests": [{"method", "params"}, …]}`, the client requests exactly as they would
//! be sent to `/storage_rpc/v1`, 1 to [`MAX_BATCH_ITEMS`] of them. Answer:
//! `{"results": [{"code": <status>, "body": <node result JSON or error text>}, …]}` in the same
//! order. Refusals of the whole batch: 400 malformed headers or body, 401 bad tag or
//! stale timestamp, 403 the sender is not another member of the recipient's swarm (in the
//! recipient's view of the network), 413 body over [`MAX_FORWARD_BODY`], 503 not ready.

use std::collections::HashMap;
use std::future::Future;
use std::net::Ipv4Addr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use tokio::sync::{mpsc, oneshot, OwnedSemaphorePermit, Semaphore};

use super::network::ServiceNode;
use super::peer_auth::{authenticate_peer, PeerAuth};
use super::rpc::{self, RpcResponse};
use super::NodeContext;
use crate::identity::NodeIdentity;
use crate::time::now_ms;

/// Path of the node-to-node forwarding endpoint.
pub const FORWARD_PATH: &str = "/swarm/v1/forward";
/// Header naming the sending node (Ed25519 hex).
pub const SENDER_HEADER: &str = "x-session-node-sender";
/// Header with the sender's timestamp (ms since the Unix epoch).
pub const TIMESTAMP_HEADER: &str = "x-session-node-timestamp";
/// Header with the sender's authentication tag (base64 HMAC-SHA256).
pub const MAC_HEADER: &str = "x-session-node-mac";
/// Domain separator of forward authentication.
pub const FORWARD_DOMAIN: &[u8] = b"session-node-forward-v1";
/// How long a forward request may take before the peer counts as not answering.
pub const FORWARD_TIMEOUT: Duration = Duration::from_millis(2_500);
/// How long a peer that did not answer is skipped.
pub const DOWN_FOR: Duration = Duration::from_secs(5);
/// Most requests in one forward batch.
pub const MAX_BATCH_ITEMS: usize = 128;
/// Most request bytes in one forward batch (a single larger request still goes alone).
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Largest forward body a node reads.
pub const MAX_FORWARD_BODY: usize = 16 * 1024 * 1024;
/// Batches on the wire at once per peer.
pub const MAX_IN_FLIGHT: usize = 2;
/// Requests queued per peer before new ones are refused.
const QUEUE_CAPACITY: usize = 16_384;
/// How long the entry node waits for a peer's answer in all (queueing included).
const ENTRY_WAIT: Duration = Duration::from_millis(3_000);

/// The bytes a forward tag covers: `"session-node-forward-v1" ‖ recipient Ed25519 key
/// (32 raw bytes) ‖ timestamp (decimal ms) ‖ body`.
pub fn forward_signed_bytes(recipient: &[u8; 32], timestamp_ms: i64, body: &[u8]) -> Vec<u8> {
    super::peer_auth::signed_bytes(FORWARD_DOMAIN, recipient, timestamp_ms, body)
}

/// What became of one forwarded request.
#[derive(Debug, Clone)]
pub enum PeerReply {
    /// The peer answered: status and body (JSON text: a node result, or a string for error
    /// texts), kept as text so the entry node can copy it into its answer unparsed.
    Answer {
        /// Status of this request at the peer (200 with its node result, else a refusal).
        code: u16,
        /// Its body.
        body: Box<RawValue>,
    },
    /// No answer in time, unreachable, or skipped because the peer is marked down.
    NoAnswer {
        /// What happened.
        reason: String,
    },
    /// The peer answered something that is not a forward answer.
    BadResponse {
        /// What was wrong.
        reason: String,
    },
}

struct Job {
    item: Arc<[u8]>,
    reply: oneshot::Sender<PeerReply>,
}

#[derive(Debug)]
struct PeerSender {
    /// Where the sender sends (the peer's IP and storage port).
    address: (Ipv4Addr, u16),
    tx: mpsc::Sender<Job>,
}

/// The batching senders of one node, one per swarm peer, created on first use.
#[derive(Debug)]
pub struct Peers {
    identity: Arc<NodeIdentity>,
    http: reqwest::Client,
    scheme: &'static str,
    senders: Mutex<HashMap<[u8; 32], PeerSender>>,
}

impl Peers {
    /// Senders signing with `identity`; `plain_http` when this network's nodes serve plain
    /// HTTP (debugging setups).
    pub fn new(identity: Arc<NodeIdentity>, http: reqwest::Client, plain_http: bool) -> Peers {
        Peers {
            identity,
            http,
            scheme: if plain_http { "http" } else { "https" },
            senders: Mutex::new(HashMap::new()),
        }
    }

    /// The peer's forward URL, parsed once per sender rather than once per batch. (An IPv4
    /// address and a port always make a valid URL; `None` is never expected.)
    fn url(&self, peer: &ServiceNode) -> Option<reqwest::Url> {
        reqwest::Url::parse(&format!(
            "{}://{}:{}{FORWARD_PATH}",
            self.scheme, peer.ip, peer.storage_port
        ))
        .ok()
    }

    fn spawn_sender(&self, peer: &ServiceNode) -> PeerSender {
        let url = self.url(peer);
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let link = Link {
            identity: self.identity.clone(),
            http: self.http.clone(),
            recipient: peer.pubkey_ed25519,
            url,
            down_until: Arc::new(Mutex::new(None)),
        };
        tokio::spawn(run_sender(link, rx));
        PeerSender {
            address: (peer.ip, peer.storage_port),
            tx,
        }
    }

    fn enqueue(&self, peer: &ServiceNode, job: Job) -> Result<(), (Job, &'static str)> {
        let Ok(mut senders) = self.senders.lock() else {
            return Err((job, "the peer table is unavailable"));
        };
        let sender = senders
            .entry(peer.pubkey_ed25519)
            .or_insert_with(|| self.spawn_sender(peer));
        // A peer that moved (new address or port) gets a new sender.
        if sender.address != (peer.ip, peer.storage_port) || sender.tx.is_closed() {
            *sender = self.spawn_sender(peer);
        }
        sender.tx.try_send(job).map_err(|e| match e {
            mpsc::error::TrySendError::Full(job) => (job, "the peer's queue is full"),
            mpsc::error::TrySendError::Closed(job) => (job, "the peer's sender stopped"),
        })
    }

    /// Queues `item` (a request body) for `peer` now; the future resolves to the peer's answer,
    /// or [`PeerReply::NoAnswer`] after at most about 3 s.
    pub fn forward(
        &self,
        peer: &ServiceNode,
        item: Arc<[u8]>,
    ) -> impl Future<Output = PeerReply> + Send + 'static {
        let (reply, rx) = oneshot::channel();
        let refused = self
            .enqueue(peer, Job { item, reply })
            .err()
            .map(|(_, why)| why);
        let deadline = tokio::time::Instant::now() + ENTRY_WAIT;
        async move {
            if let Some(why) = refused {
                return PeerReply::NoAnswer { reason: why.into() };
            }
            match tokio::time::timeout_at(deadline, rx).await {
                Ok(Ok(reply)) => reply,
                Ok(Err(_)) => PeerReply::NoAnswer {
                    reason: "the forward was dropped".into(),
                },
                Err(_) => PeerReply::NoAnswer {
                    reason: "the peer did not answer in time".into(),
                },
            }
        }
    }
}

/// One peer's connection state, shared by its sender task and in-flight batches.
#[derive(Clone)]
struct Link {
    identity: Arc<NodeIdentity>,
    http: reqwest::Client,
    recipient: [u8; 32],
    url: Option<reqwest::Url>,
    down_until: Arc<Mutex<Option<Instant>>>,
}

impl Link {
    fn is_down(&self) -> bool {
        self.down_until
            .lock()
            .ok()
            .and_then(|d| *d)
            .is_some_and(|until| Instant::now() < until)
    }

    fn mark_down(&self) {
        if let Ok(mut d) = self.down_until.lock() {
            *d = Some(Instant::now() + DOWN_FOR);
        }
    }
}

fn answer_all(jobs: Vec<Job>, reply: &PeerReply) {
    for job in jobs {
        let _ = job.reply.send(reply.clone());
    }
}

/// Drains the queue into batches until every handle to it is gone.
async fn run_sender(link: Link, mut rx: mpsc::Receiver<Job>) {
    let slots = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    let mut carried: Option<Job> = None;
    loop {
        // Wait for a free slot first: whatever queues meanwhile joins the next batch.
        let Ok(permit) = slots.clone().acquire_owned().await else {
            return;
        };
        let first = match carried.take() {
            Some(job) => job,
            None => match rx.recv().await {
                Some(job) => job,
                None => return,
            },
        };
        let mut size = first.item.len();
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH_ITEMS {
            match rx.try_recv() {
                Ok(job) if size + job.item.len() > MAX_BATCH_BYTES => {
                    carried = Some(job);
                    break;
                }
                Ok(job) => {
                    size += job.item.len() + 1;
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        if link.is_down() {
            let reply = PeerReply::NoAnswer {
                reason: "the peer is not answering (marked down)".into(),
            };
            answer_all(jobs, &reply);
            continue;
        }
        tokio::spawn(send_batch(link.clone(), jobs, size, permit));
    }
}

#[derive(Deserialize)]
struct ForwardAnswer {
    results: Vec<ForwardResult>,
}

#[derive(Deserialize)]
struct ForwardResult {
    code: u16,
    /// `null` when missing.
    #[serde(default)]
    body: Box<RawValue>,
}

async fn send_batch(link: Link, jobs: Vec<Job>, size: usize, _slot: OwnedSemaphorePermit) {
    let mut body = Vec::with_capacity(size + 16);
    body.extend_from_slice(b"{\"requests\":[");
    for (i, job) in jobs.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&job.item);
    }
    body.extend_from_slice(b"]}");
    let auth = PeerAuth::sign(
        &link.identity,
        FORWARD_DOMAIN,
        &link.recipient,
        &body,
        now_ms(),
    );
    let Some(url) = link.url.clone() else {
        let reason = "the peer's address does not make a URL".to_owned();
        answer_all(jobs, &PeerReply::NoAnswer { reason });
        return;
    };
    let mut request = link
        .http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .timeout(FORWARD_TIMEOUT);
    for (name, value) in auth.headers() {
        request = request.header(name, value);
    }
    let sent = request.body(body).send().await;
    let resp = match sent {
        Ok(resp) => resp,
        Err(e) => {
            link.mark_down();
            let what = if e.is_timeout() {
                "the peer did not answer in time"
            } else {
                "the peer is unreachable"
            };
            tracing::debug!(peer = %hex::encode(link.recipient), error = %e.without_url(), "{what}");
            answer_all(
                jobs,
                &PeerReply::NoAnswer {
                    reason: what.into(),
                },
            );
            return;
        }
    };
    let status = resp.status().as_u16();
    if status != 200 {
        // The whole batch was refused (not a member, bad tag, …): each item gets it.
        let text = resp.text().await.unwrap_or_default();
        tracing::debug!(peer = %hex::encode(link.recipient), status, reason = %text, "forward refused");
        let body = serde_json::value::to_raw_value(&text).unwrap_or_default();
        answer_all(jobs, &PeerReply::Answer { code: status, body });
        return;
    }
    let parsed = match resp.bytes().await {
        Ok(bytes) => serde_json::from_slice::<ForwardAnswer>(&bytes).map_err(|e| e.to_string()),
        Err(e) => {
            link.mark_down();
            answer_all(
                jobs,
                &PeerReply::NoAnswer {
                    reason: format!("the peer's answer was cut off: {}", e.without_url()),
                },
            );
            return;
        }
    };
    match parsed {
        Ok(answer) if answer.results.len() == jobs.len() => {
            for (job, result) in jobs.into_iter().zip(answer.results) {
                let _ = job.reply.send(PeerReply::Answer {
                    code: result.code,
                    body: result.body,
                });
            }
        }
        Ok(answer) => answer_all(
            jobs,
            &PeerReply::BadResponse {
                reason: format!("the peer answered {} results", answer.results.len()),
            },
        ),
        Err(e) => answer_all(
            jobs,
            &PeerReply::BadResponse {
                reason: format!("the peer's answer is not valid: {e}"),
            },
        ),
    }
}

#[derive(Deserialize)]
struct ForwardBody {
    requests: Vec<Value>,
}

fn refuse(status: StatusCode, reason: impl Into<String>) -> Response {
    RpcResponse::error(status, reason).into_response()
}

/// Checks a forward's tag (see [`super::peer_auth`]) and that the sender is another
/// member of this node's swarm.
fn authenticate(ctx: &NodeContext, headers: &HeaderMap, body: &[u8]) -> Result<(), RpcResponse> {
    let sender = authenticate_peer(ctx, headers, FORWARD_DOMAIN, body)
        .map_err(|e| RpcResponse::error(e.http_status(), format!("forward: {e}")))?;
    let view = ctx.network.view();
    if sender.swarm_id != view.my_swarm || sender.pubkey_ed25519 == ctx.identity.ed25519_public() {
        // The sender may have moved into this swarm since this node's last look.
        ctx.network.request_refresh();
        return Err(RpcResponse::error(
            StatusCode::FORBIDDEN,
            format!(
                "forward: {} is not a member of this node's swarm",
                hex::encode(sender.pubkey_ed25519)
            ),
        ));
    }
    Ok(())
}

/// `POST /swarm/v1/forward`: runs a batch of recursive requests forwarded by a swarm peer.
pub async fn forward_handler(
    State(ctx): State<Arc<NodeContext>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    if !ctx.is_ready() {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "Snode not ready");
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return refuse(StatusCode::PAYLOAD_TOO_LARGE, "Request body too large");
        }
        Err(rejection) => return rejection.into_response(),
    };
    if let Err(refusal) = authenticate(&ctx, &headers, &body) {
        return refusal.into_response();
    }
    let requests = match serde_json::from_slice::<ForwardBody>(&body) {
        Ok(b) if !b.requests.is_empty() && b.requests.len() <= MAX_BATCH_ITEMS => b.requests,
        Ok(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("forward: a batch holds 1 to {MAX_BATCH_ITEMS} requests"),
            )
        }
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("forward: the body is not {{\"requests\": [...]}}: {e}"),
            )
        }
    };
    let answers = rpc::run_forwarded(&ctx, &requests).await;
    (
        StatusCode::OK,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        rpc::answers_json(&answers),
    )
        .into_response()
}
