//! The pulling side of catch-up: compare digests with one peer, then page through the slices
//! of swarm space that differ and store what the peer has.

use session_protocol::rpc::limits::{MAX_MESSAGE_BODY, TTL_MAX_PRIVATE_MS};
use session_protocol::rpc::{message_hash_for, AccountPubkey, Namespace};

use super::serve::digest_of;
use super::wire::{
    self, account_space, BucketDigest, Buckets, DigestRequest, DigestResponse, PageRequest,
    PageResponse, WireCursor, WireError, MAX_PAGE_MESSAGES,
};
use super::{SyncError, DIGEST_PATH, SYNC_DOMAIN, SYNC_PATH};
use crate::node::network::ServiceNode;
use crate::node::peer_auth::signed_post;
use crate::node::NodeContext;
use crate::store::NewMessage;
use crate::swarm::SpaceRange;
use crate::time::now_ms;

/// Buckets a digest cuts a swarm's slice into: small enough that a digest answer is a few kB,
/// fine enough that one missed message costs pulling 1/256 of the slice.
pub(super) const DIGEST_BUCKETS: usize = 256;

/// Slack on expiries received from peers beyond the longest TTL a client can set.
const EXPIRY_SLACK_MS: i64 = 60_000;

/// What one reconciliation with one peer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PullStats {
    /// Pages fetched.
    pub pages: usize,
    /// Messages received.
    pub received: usize,
    /// Messages that were new here.
    pub inserted: usize,
    /// Messages refused (bad hash, outside the slice, oversized, expired).
    pub rejected: usize,
    /// Messages deleted here because the peer had deleted them (its tombstones).
    pub deleted: usize,
}

impl PullStats {
    /// Adds another peer's counts.
    pub fn add(&mut self, other: PullStats) {
        self.pages += other.pages;
        self.received += other.received;
        self.inserted += other.inserted;
        self.rejected += other.rejected;
        self.deleted += other.deleted;
    }
}

async fn post_json<T: for<'de> serde::Deserialize<'de>>(
    ctx: &NodeContext,
    peer: &ServiceNode,
    path: &str,
    body: Vec<u8>,
) -> Result<T, SyncError> {
    let resp = signed_post(ctx, peer, path, SYNC_DOMAIN, body)
        .send()
        .await
        .map_err(|e| SyncError::Unreachable(e.without_url()))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| SyncError::Unreachable(e.without_url()))?;
    if !status.is_success() {
        return Err(SyncError::Refused {
            status: status.as_u16(),
            reason: String::from_utf8_lossy(&bytes).chars().take(200).collect(),
        });
    }
    Ok(wire::parse(&bytes)?)
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, SyncError> {
    serde_json::to_vec(value).map_err(|e| SyncError::Wire(WireError::Json(e.to_string())))
}

/// This node's digest of a range, reused across the peers of one round until a pull changes
/// the store (a stale digest can only cause an unneeded pull, never a missed one: the store
/// only gains messages from pulls).
#[derive(Debug, Default)]
pub(super) struct LocalDigest(Option<Vec<BucketDigest>>);

/// Reconciles this node's copy of `range` with `peer`'s: pulls every message the peer has in
/// the slices whose digests differ. Returns what was done.
pub(super) async fn reconcile(
    ctx: &NodeContext,
    peer: &ServiceNode,
    range: SpaceRange,
    cache: &mut LocalDigest,
) -> Result<PullStats, SyncError> {
    let buckets = Buckets::new(range, DIGEST_BUCKETS)?;
    let request = DigestRequest {
        range: range.into(),
        buckets: DIGEST_BUCKETS,
    };
    let remote: DigestResponse = post_json(ctx, peer, DIGEST_PATH, encode(&request)?).await?;
    if remote.buckets.len() != DIGEST_BUCKETS {
        return Err(SyncError::Wire(WireError::BucketCount {
            got: remote.buckets.len(),
            want: DIGEST_BUCKETS,
        }));
    }
    let local = match cache.0.take() {
        Some(local) => local,
        None => digest_of(&ctx.store, buckets, now_ms()).await?,
    };
    let mut stats = PullStats::default();
    for slice in differing_slices(&buckets, &local, &remote.buckets) {
        // On error the cache stays empty: the store may have changed.
        stats.add(pull_range(ctx, peer, slice).await?);
    }
    if stats.inserted == 0 {
        cache.0 = Some(local);
    }
    Ok(stats)
}

/// Slices to pull: runs of adjacent buckets where the peer has messages and the digests differ,
/// merged so that an empty node pulls its whole slice in one paged scan.
fn differing_slices(
    buckets: &Buckets,
    local: &[BucketDigest],
    remote: &[BucketDigest],
) -> Vec<SpaceRange> {
    let mut out: Vec<SpaceRange> = Vec::new();
    let mut extend_last = false;
    for (i, (l, r)) in local.iter().zip(remote).enumerate() {
        let wanted = r.count() > 0 && l != r;
        match (wanted, buckets.range_of(i)) {
            (true, Some(slice)) => {
                match out.last_mut() {
                    Some(last) if extend_last => last.end = slice.end,
                    _ => out.push(slice),
                }
                extend_last = true;
            }
            _ => extend_last = false,
        }
    }
    out
}

/// Whether cursor `b` comes strictly after `a` in a scan of `range`.
fn advances(range: SpaceRange, a: Option<WireCursor>, b: WireCursor) -> bool {
    let Some(a) = a else {
        return range.contains(b.space);
    };
    let key = |c: WireCursor| (c.space.wrapping_sub(range.start), c.seq);
    range.contains(b.space) && key(b) > key(a)
}

/// Pages through `range` on `peer`, storing every acceptable message.
async fn pull_range(
    ctx: &NodeContext,
    peer: &ServiceNode,
    range: SpaceRange,
) -> Result<PullStats, SyncError> {
    let mut stats = PullStats::default();
    let mut after: Option<WireCursor> = None;
    loop {
        let request = PageRequest {
            range: range.into(),
            after,
            limit: MAX_PAGE_MESSAGES,
        };
        let page: PageResponse = post_json(ctx, peer, SYNC_PATH, encode(&request)?).await?;
        stats.pages += 1;
        stats.received += page.messages.len();
        let now = now_ms();
        let mut batch = Vec::with_capacity(page.messages.len());
        for m in page.messages {
            match m.decode().ok().and_then(|m| acceptable(m, range, now)) {
                Some(m) => batch.push(m),
                None => stats.rejected += 1,
            }
        }
        // The peer's deletes in this slice (first page): applied here too, so the member that
        // missed them converges; a tombstone outside the slice asked for is ignored.
        let deleted: Vec<(String, u64)> = page
            .deleted
            .into_iter()
            .filter(|t| range.contains(t.space))
            .map(|t| (t.hash, t.space))
            .collect();
        if !deleted.is_empty() {
            stats.deleted += ctx.store.apply_tombstones(deleted).await?;
        }
        if !batch.is_empty() {
            // Only what is missing: a stored message keeps its expiry, so a peer that missed an
            // expiry shortening cannot lengthen it again here.
            stats.inserted += ctx.store.insert_missing(batch).await?;
        }
        match page.next {
            None => return Ok(stats),
            Some(next) if advances(range, after, next) => after = Some(next),
            Some(_) => return Err(SyncError::NoProgress),
        }
    }
}

/// Checks a message from a peer: its account lies in the slice asked for, its hash is the hash
/// of its content (so a peer cannot plant data under someone else's hash), it fits the size
/// limit and has not expired. Expiries beyond what any client can set are capped.
fn acceptable(mut m: NewMessage, range: SpaceRange, now: i64) -> Option<NewMessage> {
    if !range.contains(account_space(&m.pubkey)) || m.data.len() > MAX_MESSAGE_BODY {
        return None;
    }
    let account = AccountPubkey::from_bytes33(&m.pubkey);
    if message_hash_for(&account, Namespace(m.namespace), &m.data) != m.hash {
        return None;
    }
    let max_expiry = now
        .saturating_add(i64::try_from(TTL_MAX_PRIVATE_MS).unwrap_or(i64::MAX))
        .saturating_add(EXPIRY_SLACK_MS);
    m.expiry_ms = m.expiry_ms.min(max_expiry);
    (m.expiry_ms > now).then_some(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SpaceCursor;

    fn wire_cursor(space: u64, seq: i64) -> WireCursor {
        WireCursor::from(SpaceCursor { space, seq })
    }

    #[test]
    fn cursors_must_move_forward_within_the_range() {
        let range = SpaceRange {
            start: u64::MAX - 5,
            end: 5,
        };
        assert!(advances(range, None, wire_cursor(u64::MAX, 1)));
        assert!(!advances(range, None, wire_cursor(6, 1)));
        let a = Some(wire_cursor(u64::MAX, 9));
        assert!(advances(range, a, wire_cursor(u64::MAX, 10)));
        assert!(advances(range, a, wire_cursor(0, 1)));
        assert!(!advances(range, a, wire_cursor(u64::MAX, 9)));
        assert!(!advances(range, a, wire_cursor(u64::MAX - 1, 50)));
    }

    #[test]
    fn only_differing_buckets_with_remote_data_are_pulled_and_runs_merge() {
        let b = Buckets::new(SpaceRange { start: 0, end: 99 }, 10).unwrap();
        let empty = BucketDigest::default();
        let one = BucketDigest(1, 7, 7);
        let two = BucketDigest(2, 1, 9);
        let local = [empty, one, empty, empty, two, one, empty, empty, empty, one];
        let remote = [one, one, two, empty, one, two, empty, one, one, empty];
        let slices = differing_slices(&b, &local, &remote);
        let r = |start, end| SpaceRange { start, end };
        assert_eq!(slices, vec![r(0, 9), r(20, 29), r(40, 59), r(70, 89)]);
    }

    #[test]
    fn peer_messages_are_checked() {
        let account = AccountPubkey::new(0x05, [3; 32]);
        let data = b"hello".to_vec();
        let now = 1_700_000_000_000;
        let good = NewMessage {
            pubkey: account.to_bytes33(),
            namespace: 0,
            hash: message_hash_for(&account, Namespace(0), &data),
            timestamp_ms: now,
            expiry_ms: now + 1000,
            data,
        };
        assert!(acceptable(good.clone(), SpaceRange::FULL, now).is_some());
        let forged = NewMessage {
            data: b"other".to_vec(),
            ..good.clone()
        };
        assert!(acceptable(forged, SpaceRange::FULL, now).is_none());
        let wrong_ns = NewMessage {
            namespace: 1,
            ..good.clone()
        };
        assert!(acceptable(wrong_ns, SpaceRange::FULL, now).is_none());
        let expired = NewMessage {
            expiry_ms: now,
            ..good.clone()
        };
        assert!(acceptable(expired, SpaceRange::FULL, now).is_none());
        let space = account_space(&good.pubkey);
        let elsewhere = SpaceRange {
            start: space.wrapping_add(1),
            end: space.wrapping_add(100),
        };
        assert!(acceptable(good.clone(), elsewhere, now).is_none());
        let forever = NewMessage {
            expiry_ms: i64::MAX,
            ..good
        };
        let capped = acceptable(forever, SpaceRange::FULL, now).unwrap();
        assert!(capped.expiry_ms <= now + 31 * 24 * 3600 * 1000);
    }
}
