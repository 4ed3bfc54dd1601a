//! The serving side of catch-up: `POST /swarm/v1/sync` (a page of messages) and
//! `POST /swarm/v1/sync/digest` (per-bucket digests), for authenticated nodes asking about
//! their own swarm's slice of swarm space.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use tokio::sync::Semaphore;

use super::wire::{
    self, account_space, BucketDigest, Buckets, DigestBuilder, DigestRequest, DigestResponse,
    PageRequest, PageResponse, WireCursor, WireMessage, WireTombstone, MAX_PAGE_DATA_BYTES,
    MAX_PAGE_MESSAGES, MAX_PAGE_TOMBSTONES,
};
use super::SYNC_DOMAIN;
use crate::node::peer_auth::authenticate_peer;
use crate::node::NodeContext;
use crate::store::{SpaceCursor, Store, StoreError};
use crate::swarm::{swarm_space_range, SpaceRange};
use crate::time::now_ms;

/// Catch-up requests a node serves at once; more wait for a retry (503), so that peers catching
/// up never starve clients of store readers.
pub(super) const MAX_CONCURRENT: usize = 4;

/// Messages read per step while computing a digest.
const DIGEST_SCAN_PAGE: usize = 1000;

/// Limits concurrent catch-up requests (one per node router).
#[derive(Debug, Clone)]
pub(super) struct Gate(pub(super) Arc<Semaphore>);

fn refuse(status: StatusCode, reason: impl Into<String>) -> Response {
    (status, reason.into()).into_response()
}

/// A refusal: status and reason.
type Refusal = (StatusCode, String);

/// Readiness, authentication, and the check that `range` lies in the caller's swarm.
fn admit(
    ctx: &NodeContext,
    headers: &HeaderMap,
    body: &[u8],
    range: SpaceRange,
) -> Result<(), Refusal> {
    if !ctx.is_ready() {
        return Err((StatusCode::SERVICE_UNAVAILABLE, "Snode not ready".into()));
    }
    let caller = authenticate_peer(ctx, headers, SYNC_DOMAIN, body)
        .map_err(|e| (e.http_status(), e.to_string()))?;
    let view = ctx.network.view();
    match swarm_space_range(&view.swarm_ids(), caller.swarm_id) {
        Some(allowed) if wire::range_within(range, allowed) => Ok(()),
        _ => {
            // Our view may be older than the caller's.
            ctx.network.request_refresh();
            Err((
                StatusCode::FORBIDDEN,
                "the requested range is outside the caller's swarm as this node sees the network"
                    .into(),
            ))
        }
    }
}

fn internal(e: &StoreError) -> Response {
    tracing::warn!(error = %e, "serving a catch-up request failed");
    refuse(StatusCode::INTERNAL_SERVER_ERROR, "message store error")
}

fn busy() -> Response {
    refuse(
        StatusCode::SERVICE_UNAVAILABLE,
        "too many catch-up requests at once; retry later",
    )
}

/// `POST /swarm/v1/sync`.
pub(super) async fn page(
    State(ctx): State<Arc<NodeContext>>,
    Extension(gate): Extension<Gate>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req: PageRequest = match wire::parse(&body) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let range = SpaceRange::from(req.range);
    if let Err((status, reason)) = admit(&ctx, &headers, &body, range) {
        return refuse(status, reason);
    }
    let Ok(_permit) = gate.0.try_acquire() else {
        return busy();
    };
    let limit = req.limit.clamp(1, MAX_PAGE_MESSAGES);
    let page = match ctx
        .store
        .messages_in_space_range(range, req.after.map(SpaceCursor::from), limit, now_ms())
        .await
    {
        Ok(p) => p,
        Err(e) => return internal(&e),
    };
    // Cut the page short once its data passes the byte budget (at least one message goes).
    let mut sent = 0usize;
    let mut data_bytes = 0usize;
    for m in &page.messages {
        if sent > 0 && data_bytes + m.data.len() > MAX_PAGE_DATA_BYTES {
            break;
        }
        data_bytes += m.data.len();
        sent += 1;
    }
    let next = if sent < page.messages.len() {
        // The cursor names the last message sent.
        page.messages
            .get(sent.saturating_sub(1))
            .map(|m| WireCursor {
                space: account_space(&m.pubkey),
                seq: m.seq,
            })
    } else {
        page.next.map(WireCursor::from)
    };
    // The slice's tombstones go with its first page, so a member that missed deletes drops
    // those messages instead of keeping (and serving) them.
    let deleted = if req.after.is_none() {
        match ctx
            .store
            .tombstones_in_range(range, MAX_PAGE_TOMBSTONES, now_ms())
            .await
        {
            Ok(t) => t
                .into_iter()
                .map(|(hash, space)| WireTombstone { hash, space })
                .collect(),
            Err(e) => return internal(&e),
        }
    } else {
        Vec::new()
    };
    let out = PageResponse {
        messages: page
            .messages
            .iter()
            .take(sent)
            .map(WireMessage::from_stored)
            .collect(),
        next,
        deleted,
    };
    Json(out).into_response()
}

/// `POST /swarm/v1/sync/digest`.
pub(super) async fn digest(
    State(ctx): State<Arc<NodeContext>>,
    Extension(gate): Extension<Gate>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let req: DigestRequest = match wire::parse(&body) {
        Ok(r) => r,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    let range = SpaceRange::from(req.range);
    let buckets = match Buckets::new(range, req.buckets) {
        Ok(b) => b,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, e.to_string()),
    };
    if let Err((status, reason)) = admit(&ctx, &headers, &body, range) {
        return refuse(status, reason);
    }
    let Ok(_permit) = gate.0.try_acquire() else {
        return busy();
    };
    match digest_of(&ctx.store, buckets, now_ms()).await {
        Ok(buckets) => Json(DigestResponse { buckets }).into_response(),
        Err(e) => internal(&e),
    }
}

/// Digest of this store's live messages over `buckets` (also computed locally by the puller).
pub(super) async fn digest_of(
    store: &Store,
    buckets: Buckets,
    now_ms: i64,
) -> Result<Vec<BucketDigest>, StoreError> {
    let range = buckets.whole();
    let mut builder = DigestBuilder::new(buckets);
    let mut after = None;
    loop {
        let page = store
            .messages_in_space_range(range, after, DIGEST_SCAN_PAGE, now_ms)
            .await?;
        for m in &page.messages {
            builder.add(&m.pubkey, &m.hash);
        }
        match page.next {
            Some(next) => after = Some(next),
            None => return Ok(builder.finish()),
        }
    }
}
